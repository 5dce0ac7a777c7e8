// Ballot pages (progressive enhancement: every step works without this file).
// - Once a voter has marked the maximum number of candidates, the other boxes are disabled,
//   and «Phiếu trắng» clears the marks (the server checks both anyway).
// - A QR code carries the ballot code in the URL fragment (never sent to the server): it is
//   copied into the code field and removed from the address bar and history.
// - Every htmx error on the ballot box says, in Vietnamese, whether the ballot was recorded.
(function () {
  "use strict";
  function limit(form) {
    var max = parseInt(form.getAttribute("data-max-marks"), 10);
    if (!max) { return; }
    var boxes = form.querySelectorAll('input[type="checkbox"][name="marks"]');
    var checked = 0;
    boxes.forEach(function (box) { if (box.checked) { checked += 1; } });
    boxes.forEach(function (box) { box.disabled = !box.checked && checked >= max; });
  }
  document.addEventListener("change", function (event) {
    var el = event.target;
    var form = el.form;
    if (!form || !form.hasAttribute("data-max-marks")) { return; }
    if (el.name === "blank" && el.checked) {
      form.querySelectorAll('input[name="marks"], input[name="choice"]').forEach(function (box) {
        box.checked = false;
      });
    } else if ((el.name === "marks" || el.name === "choice") && el.checked) {
      var blank = form.querySelector('input[name="blank"]');
      if (blank) { blank.checked = false; }
    }
    limit(form);
  });

  function fillCodeFromFragment() {
    var code = window.location.hash.replace(/^#/, "");
    var input = document.getElementById("id_code");
    if (!code || !input) { return; }
    input.value = decodeURIComponent(code).toUpperCase();
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
  }

  var lastStep = "";
  function box(event) {
    var elt = event.detail && event.detail.elt;
    return elt && elt.closest ? elt.closest("#ballot-box") : null;
  }
  function showError(key, status) {
    var region = document.getElementById("vote-error");
    if (!region) { return; }
    var sent = lastStep === "confirm";
    var text = region.getAttribute("data-" + key + (sent ? "-sent" : "")) ||
      region.getAttribute("data-" + key) || "";
    region.textContent = text.replace("%(status)s", String(status || ""));
    region.hidden = false;
    region.focus();
  }
  document.addEventListener("htmx:configRequest", function (event) {
    if (!box(event)) { return; }
    var params = event.detail.parameters || {};
    lastStep = (params.get ? params.get("step") : params.step) || "";
    var region = document.getElementById("vote-error");
    if (region) { region.hidden = true; }
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (!box(event)) { return; }
    var status = event.detail.xhr.status;
    // The server answers these with the ballot box itself, message included.
    if (status === 404 || status === 409 || status === 422 || status === 429) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // Captured before app.js's generic handler, which would not say whether the ballot counted.
  document.addEventListener("htmx:responseError", function (event) {
    if (!box(event)) { return; }
    event.stopPropagation();
    var status = event.detail.xhr.status;
    showError(status === 403 ? "forbidden" : "server", status);
  }, true);
  document.addEventListener("htmx:sendError", function (event) {
    if (!box(event)) { return; }
    event.stopPropagation();
    showError("network", 0);
  }, true);
  document.addEventListener("htmx:timeout", function (event) {
    if (!box(event)) { return; }
    event.stopPropagation();
    showError("network", 0);
  }, true);
  document.addEventListener("htmx:afterSwap", function () {
    document.querySelectorAll("form[data-max-marks]").forEach(limit);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fillCodeFromFragment);
  } else {
    fillCodeFromFragment();
  }
})();
