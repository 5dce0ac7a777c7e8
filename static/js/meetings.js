// Ballot pages: once a voter has marked the maximum number of candidates, the other boxes are
// disabled (the server checks the limit anyway). Works after htmx swaps (event delegation).
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
    var form = event.target.form;
    if (form && form.hasAttribute("data-max-marks")) { limit(form); }
  });
  document.addEventListener("htmx:afterSwap", function () {
    document.querySelectorAll("form[data-max-marks]").forEach(limit);
  });
})();
