// Small page helpers shared by every page: copy buttons, copying numbers, the "/" shortcut.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  event.preventDefault();
  const text = button.getAttribute("data-copy");
  const done = () => {
    const old = button.textContent;
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = old; }, 1200);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, () => {});
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
