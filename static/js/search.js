// The search page: rows open their call, identical searches are not sent twice, a search
// sent while typing says so, old results are inert while a new search is on its way, and
// fields with an error are marked invalid after each swap.
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

  // A search the debounce sent while the agent types: the server then holds back errors
  // that more typing can still fix (a half-typed number), instead of punishing them.
  document.addEventListener("htmx:configRequest", (event) => {
    const trigger = event.detail.triggeringEvent;
    if (event.detail.elt.id === "search-form" && trigger && trigger.type === "input") {
      event.detail.headers["X-Typing"] = "true";
    }
  });

  // While a search is on its way (a superseded one is aborted by hx-sync), the results on
  // screen are dimmed, cannot be used (inert, More results disabled) and say they are busy.
  let searching = 0;
  const setBusy = () => {
    const results = document.getElementById("results");
    if (!results) return;
    const busy = searching > 0;
    results.inert = busy;
    // Here rather than hx-disabled-elt on the form: htmx logs an error for every search
    // whose results have no More results button.
    results.querySelectorAll(".more-row button").forEach((button) => { button.disabled = busy; });
    if (busy) results.setAttribute("aria-busy", "true");
    else results.removeAttribute("aria-busy");
  };
  // The search form's requests, and a Retry in the results, which reloads them all.
  const isSearch = (event) => {
    const { elt, target } = event.detail;
    return Boolean(elt && (elt.id === "search-form" || (target && target.id === "results")));
  };
  document.addEventListener("htmx:beforeSend", (event) => {
    if (isSearch(event)) { searching += 1; setBusy(); }
  });
  document.addEventListener("htmx:afterRequest", (event) => {
    if (isSearch(event) && searching > 0) { searching -= 1; setBusy(); }
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
