// The review sheet's running total, recalculated as the reviewer types or picks a grade.
// The server computes the same total on every save; this only saves a round trip.
(function () {
  "use strict";
  document.querySelectorAll("form[data-review-sheet]").forEach(function (form) {
    var grades = {};
    try { grades = JSON.parse(form.getAttribute("data-grades") || "{}"); } catch (e) { grades = {}; }
    var out = form.querySelector("[data-sheet-total]");
    if (!out) return;
    function value(el) {
      var max = parseFloat(el.getAttribute("data-max"));
      var raw = String(el.value || "").trim().toUpperCase();
      if (!raw) return 0;
      if (Object.prototype.hasOwnProperty.call(grades, raw)) return parseFloat(grades[raw]) * max;
      var n = parseFloat(raw.replace(/,/g, ""));
      if (isNaN(n) || n < 0 || n > max) return 0;
      return n;
    }
    function recalc() {
      var sum = 0;
      form.querySelectorAll("[data-max]").forEach(function (el) { sum += value(el); });
      // Hundredths, as the server rounds for display.
      out.textContent = String(Math.round(sum * 100) / 100);
    }
    form.addEventListener("input", recalc);
    form.addEventListener("change", recalc);
    // A grade picked while this deferred script was still loading fired no event we heard.
    recalc();
  });
})();
