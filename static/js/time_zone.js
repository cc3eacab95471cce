// The sign-in form sends the browser's time zone: callviewer uses it for an agent who has
// not chosen one yet (their first sign-in). Without JavaScript the field stays empty.
(() => {
  const fill = () => {
    const field = document.getElementById("id_browser_time_zone");
    if (!field) return;
    try {
      field.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (error) {
      field.value = "";
    }
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fill);
  else fill();
})();
