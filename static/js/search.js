// The search page: rows open their call, identical searches are not sent twice, and fields
// with an error are marked invalid after each swap.
(() => {
  // A click anywhere on a result row opens the call, except on its links and buttons.
  document.addEventListener("click", (event) => {
    const row = event.target.closest("tr[data-href]");
    if (!row || event.target.closest("a, button, input, select, label")) return;
    if (window.getSelection && String(window.getSelection())) return; // selecting text
    if (event.ctrlKey || event.metaKey) window.open(row.dataset.href, "_blank");
    else window.location.assign(row.dataset.href);
  });

  // Typing fires "input" (debounced), then leaving the field fires "change" with the same
  // values: only a submit (Enter) asks again for a search already on screen.
  let lastQuery = null;
  document.addEventListener("htmx:confirm", (event) => {
    const form = event.detail.elt;
    if (!form || form.id !== "search-form") return;
    const query = new URLSearchParams(new FormData(form)).toString();
    const trigger = event.detail.triggeringEvent;
    if (query === lastQuery && !(trigger && trigger.type === "submit")) {
      event.preventDefault();
      return;
    }
    lastQuery = query;
  });

  const markInvalid = () => {
    document.querySelectorAll(".field-error[data-inputs]").forEach((error) => {
      const invalid = error.textContent.trim() !== "";
      error.dataset.inputs.split(" ").filter(Boolean).forEach((id) => {
        const input = document.getElementById(id);
        if (!input) return;
        if (invalid) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
      });
    });
  };
  document.addEventListener("DOMContentLoaded", () => {
    markInvalid();
    const form = document.getElementById("search-form");
    if (form) lastQuery = new URLSearchParams(new FormData(form)).toString();
  });
  document.addEventListener("htmx:afterSettle", markInvalid);
})();
