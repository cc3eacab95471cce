// Recording players on the call page: custom controls over a plain <audio> element.
// Without JavaScript the browser's own controls stay; with it they are replaced.
(function () {
  "use strict";

  function clock(seconds) {
    if (!isFinite(seconds) || seconds < 0) return "–:––";
    const s = Math.floor(seconds % 60), m = Math.floor(seconds / 60) % 60, h = Math.floor(seconds / 3600);
    const ss = String(s).padStart(2, "0");
    return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
  }

  function setUp(player) {
    if (player.dataset.ready) return;
    player.dataset.ready = "1";
    const audio = player.querySelector("audio");
    const controls = player.querySelector("[data-controls]");
    const toggle = player.querySelector('[data-act="toggle"]');
    const seek = player.querySelector('[data-act="seek"]');
    const speed = player.querySelector('[data-act="speed"]');
    const elapsed = player.querySelector("[data-elapsed]");
    const total = player.querySelector("[data-total]");
    const error = player.querySelector("[data-error]");
    let dragging = false;

    audio.controls = false;
    controls.hidden = false;

    const duration = () => (isFinite(audio.duration) && audio.duration > 0 ? audio.duration : Number(audio.dataset.seconds) || 0);
    const jump = (to) => {
      const end = duration();
      audio.currentTime = Math.max(0, end ? Math.min(to, end) : to);
      render();
    };
    function render() {
      const end = duration();
      if (end) { seek.max = String(end); total.textContent = clock(end); }
      if (!dragging) seek.value = String(audio.currentTime);
      elapsed.textContent = clock(dragging ? Number(seek.value) : audio.currentTime);
      seek.setAttribute("aria-valuetext", `${elapsed.textContent} of ${end ? clock(end) : "an unknown length"}`);
      const label = audio.paused ? "▶ Play" : "❚❚ Pause";
      if (toggle.textContent !== label) toggle.textContent = label;
      toggle.setAttribute("aria-label", (audio.paused ? "Play" : "Pause") + toggle.getAttribute("aria-label").replace(/^(Play|Pause)/, ""));
    }

    toggle.addEventListener("click", () => {
      if (audio.paused) {
        // Only one recording plays at a time.
        document.querySelectorAll("[data-player] audio").forEach((other) => { if (other !== audio) other.pause(); });
        // After an error the element plays nothing until it loads its source again.
        if (audio.error) audio.load();
        audio.play().catch(() => {});
      } else {
        audio.pause();
      }
    });
    player.querySelector('[data-act="back"]').addEventListener("click", () => jump(audio.currentTime - 10));
    player.querySelector('[data-act="forward"]').addEventListener("click", () => jump(audio.currentTime + 10));
    // The keyboard moves 5 s per arrow press (30 s per page), not the slider's fine step.
    const keySteps = { ArrowLeft: -5, ArrowDown: -5, ArrowRight: 5, ArrowUp: 5, PageDown: -30, PageUp: 30 };
    seek.addEventListener("keydown", (event) => {
      if (event.key in keySteps) jump(audio.currentTime + keySteps[event.key]);
      else if (event.key === "Home") jump(0);
      else if (event.key === "End" && duration()) jump(duration());
      else return;
      event.preventDefault();
    });
    seek.addEventListener("input", () => { dragging = true; render(); });
    seek.addEventListener("change", () => { dragging = false; jump(Number(seek.value)); });
    speed.addEventListener("change", () => { audio.playbackRate = Number(speed.value) || 1; });
    audio.addEventListener("ratechange", () => { speed.value = String(audio.playbackRate); });
    ["timeupdate", "durationchange", "loadedmetadata", "play", "pause", "ended", "seeked"].forEach((name) => audio.addEventListener(name, render));
    // An <audio> error says nothing of the answer: ask the same address for one byte to read
    // callviewer's own words (a 503 when it is streaming as many recordings as it can, a 502
    // when the provider failed...), and show them in the player's alert.
    let tries = 0;
    const say = (words) => { error.textContent = words; error.hidden = false; };
    async function explain() {
      const attempt = ++tries;
      say("The recording could not be loaded. Finding out why…");
      const words = await whyNot(audio.currentSrc || audio.src);
      if (attempt === tries && audio.error) say(words);
    }
    audio.addEventListener("error", explain);
    audio.addEventListener("playing", () => { tries++; error.hidden = true; });
    render();
  }

  const COULD_NOT_LOAD = "The recording could not be loaded. Press Play to try again, or use Download to see what the provider answered.";

  async function whyNot(src) {
    let answer;
    try {
      // Not from byte 0: the audit counts a request from the start as another play.
      answer = await fetch(src, { headers: { Range: "bytes=1-1" }, credentials: "same-origin", cache: "no-store" });
    } catch (failure) {
      return "The recording could not be loaded: callviewer did not answer. Check the network connection, then press Play to try again.";
    }
    if (answer.redirected && new URL(answer.url).pathname.startsWith("/accounts/login/")) {
      return "Your sign-in has ended. Reload the page to sign in again, then play the recording.";
    }
    if (answer.ok) {
      return "The recording stopped arriving before its end: the provider broke off or was too slow. Press Play to try again.";
    }
    const type = answer.headers.get("Content-Type") || "";
    const text = type.startsWith("text/plain") ? (await answer.text().catch(() => "")).trim() : "";
    return text ? `The recording could not be played: ${text.slice(0, 300)}` : COULD_NOT_LOAD;
  }

  function setUpAll(root) {
    (root || document).querySelectorAll("[data-player]").forEach(setUp);
  }

  document.addEventListener("DOMContentLoaded", () => setUpAll(document));
  // Players arrive with the page's final update (HTMX out-of-band swap) when a live call ends.
  document.addEventListener("htmx:load", (event) => setUpAll(event.detail.elt.parentElement || document));
})();
