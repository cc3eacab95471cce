// Project admin: show only the chosen provider's settings and secrets. Without JS every
// provider's fieldsets show, and only the chosen provider's are validated and saved.
(function () {
  function update() {
    var select = document.getElementById("id_provider");
    if (!select) return;
    document.querySelectorAll("fieldset.provider-fields").forEach(function (fs) {
      fs.style.display = fs.classList.contains("provider-" + select.value) ? "" : "none";
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var select = document.getElementById("id_provider");
    if (select) select.addEventListener("change", update);
    update();
  });
  // The members and groups pickers (Django's SelectFilter, set up on "load") put an
  // aria-label on a plain <span> icon, which ARIA does not allow: it is an image.
  window.addEventListener("load", function () {
    setTimeout(function () {
      document.querySelectorAll(".search-label-icon[aria-label]").forEach(function (icon) {
        icon.setAttribute("role", "img");
      });
    }, 0);
  });
})();
