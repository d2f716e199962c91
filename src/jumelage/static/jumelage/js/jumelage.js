// Small progressive enhancements; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Submit the language form as soon as a language is picked (the button stays for no-JS users).
  const select = document.getElementById("language-select");
  if (select) select.addEventListener("change", () => select.form.submit());
  // Facet forms: apply a filter as soon as it changes.
  document.querySelectorAll("form[data-autosubmit] select, form[data-autosubmit] input[type=checkbox]").forEach((el) => {
    el.addEventListener("change", () => el.form.requestSubmit());
  });
});
