// The search page's filters follow the project picked: a project whose provider keeps no
// call history (Sinch, marked data-no-history) offers the number only, which narrows the
// calls already seen; status and dates are hidden and left out of the search.
(() => {
  const sync = () => {
    const form = document.getElementById("search-form");
    const select = document.getElementById("id_project");
    if (!form || !select) return;
    const option = select.options[select.selectedIndex];
    const noHistory = Boolean(option && option.hasAttribute("data-no-history"));
    form.toggleAttribute("data-no-history", noHistory);
    form.querySelectorAll(".history-only").forEach((field) => {
      field.hidden = noHistory;
      field.querySelectorAll("input, select").forEach((control) => { control.disabled = noHistory; });
    });
  };
  document.addEventListener("DOMContentLoaded", () => {
    sync();
    const select = document.getElementById("id_project");
    // Before htmx reads the form for the change's search: registered first, on the capture.
    if (select) select.addEventListener("change", sync, true);
  });
})();
