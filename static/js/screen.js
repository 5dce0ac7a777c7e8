// The hall screen: a clock, a full-screen button, a "connection lost" note; keeps the projector
// awake. The content itself is refreshed by htmx (every 2 s; 204 when nothing changed).
(function () {
  "use strict";
  function tick() {
    var now = new Date();
    var text = String(now.getHours()).padStart(2, "0") + ":" + String(now.getMinutes()).padStart(2, "0");
    document.querySelectorAll("[data-clock]").forEach(function (el) { el.textContent = text; });
  }
  tick();
  setInterval(tick, 10000);
  document.addEventListener("htmx:afterSettle", tick);

  var button = document.querySelector("[data-fullscreen]");
  if (button && document.documentElement.requestFullscreen) {
    button.hidden = false;
    button.addEventListener("click", function () { document.documentElement.requestFullscreen(); });
    document.addEventListener("fullscreenchange", function () {
      button.hidden = Boolean(document.fullscreenElement);
    });
  }

  var offline = document.querySelector("[data-offline]");
  document.addEventListener("htmx:sendError", function () { if (offline) { offline.hidden = false; } });
  document.addEventListener("htmx:responseError", function () { if (offline) { offline.hidden = false; } });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (offline && event.detail.successful) { offline.hidden = true; }
  });

  // The mouse pointer and the button fade after 3 s without movement (a projected page).
  var idleTimer = null;
  function wake() {
    document.body.classList.remove("idle");
    clearTimeout(idleTimer);
    idleTimer = setTimeout(function () { document.body.classList.add("idle"); }, 3000);
  }
  document.addEventListener("mousemove", wake);
  document.addEventListener("keydown", wake);
  wake();

  // Keep the projector from sleeping while the page is shown (where the browser allows it).
  function stayAwake() {
    if (navigator.wakeLock && document.visibilityState === "visible") {
      navigator.wakeLock.request("screen").catch(function () {});
    }
  }
  stayAwake();
  document.addEventListener("visibilitychange", stayAwake);
})();
