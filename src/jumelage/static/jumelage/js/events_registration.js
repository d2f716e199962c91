// Check-in desk (events: registration): after each htmx answer, empty the field and put the cursor
// back in it, so the next scan (a handheld scanner types the code and presses Enter) goes straight in.
// Without this file the form posts and the page comes back with the result: it works the same.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-checkin]");
  if (!form) return;
  const field = form.querySelector("input[name=scan]");
  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target && event.detail.target.id === "checkin-result") {
      const wasScan = field.value.includes("code=") || /^\d+:[A-Za-z0-9_-]{20,}$/.test(field.value.trim());
      if (wasScan) field.value = "";
      field.focus();
    }
  });
});
