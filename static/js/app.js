// Small page helpers shared by every page: copy buttons, copying numbers, the "/" shortcut.
// A copy button copies its data-copy text, or (data-copy-from="id") the text of that element
// at the moment of the click: the call page's ticket summary follows the live status.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy], [data-copy-from]");
  if (!button) return;
  event.preventDefault();
  const source = button.hasAttribute("data-copy-from")
    ? document.getElementById(button.getAttribute("data-copy-from")) : null;
  // A <template> holds the text inert: no screen reader or search finds it twice.
  const text = source ? (source.content || source).textContent.trim() : button.getAttribute("data-copy");
  const label = button.dataset.label || button.textContent;
  button.dataset.label = label;
  const show = (words) => {
    button.textContent = words;
    clearTimeout(button.copyTimer);
    button.copyTimer = setTimeout(() => { button.textContent = label; }, 1500);
  };
  const done = () => show("Copied");
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, () => show("Copy failed"));
  } else {
    const area = document.createElement("textarea");
    area.value = text; document.body.appendChild(area); area.select();
    try { document.execCommand("copy"); done(); } finally { area.remove(); }
  }
});

document.addEventListener("keydown", (event) => {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
  const tag = (document.activeElement && document.activeElement.tagName) || "";
  if (["INPUT", "TEXTAREA", "SELECT"].includes(tag)) return;
  const target = document.querySelector("[data-search-focus]");
  if (target) { event.preventDefault(); target.focus(); }
});

// Fragments marked data-swap-errors (what was said, transcripts, the ask box) carry their
// own words for a 4xx/5xx answer (not found, rate limited, provider failed): show them
// instead of htmx's default of swapping nothing on an error.
document.addEventListener("htmx:beforeSwap", (event) => {
  const target = event.detail.target;
  if (event.detail.isError && target && target.closest("[data-swap-errors]")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// A number shown in its national form is copied in its E.164 form (data-copy-as), when the
// selection lies within it: what a provider's console and a ticket expect.
document.addEventListener("copy", (event) => {
  const selection = window.getSelection();
  if (!selection || selection.isCollapsed || !event.clipboardData) return;
  const within = (node) => {
    const element = node && (node.nodeType === 1 ? node : node.parentElement);
    return element ? element.closest("[data-copy-as]") : null;
  };
  const start = within(selection.anchorNode);
  if (!start || start !== within(selection.focusNode) || !start.dataset.copyAs) return;
  event.clipboardData.setData("text/plain", start.dataset.copyAs);
  event.preventDefault();
});
