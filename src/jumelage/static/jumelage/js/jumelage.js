// Small progressive enhancements; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // The language switcher is NOT submitted on change: WCAG 3.2.2 (On Input) forbids a change of
  // context when a value is picked; its button applies the choice.
  // Facet forms: apply a filter as soon as it changes.
  document.querySelectorAll("form[data-autosubmit] select, form[data-autosubmit] input[type=checkbox]").forEach((el) => {
    el.addEventListener("change", () => el.form.requestSubmit());
  });
});
