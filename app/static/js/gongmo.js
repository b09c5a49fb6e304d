// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Live countdown to a call's closing instant (data-closes = ISO 8601 UTC).
  function pad(n) { return String(n).padStart(2, "0"); }
  document.querySelectorAll("[data-countdown]").forEach(function (el) {
    var closes = Date.parse(el.getAttribute("data-countdown"));
    var done = el.getAttribute("data-done") || "";
    var fmt = el.getAttribute("data-format") || "{d}일 {h}:{m}:{s}";
    function tick() {
      var left = Math.max(0, Math.floor((closes - Date.now()) / 1000));
      if (left === 0) { el.textContent = done; return; }
      var d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600), m = Math.floor(left % 3600 / 60), s = left % 60;
      el.textContent = fmt.replace("{d}", d).replace("{h}", pad(h)).replace("{m}", pad(m)).replace("{s}", pad(s));
      setTimeout(tick, 1000);
    }
    tick();
  });

  // Running totals of the budget table: rows by year, columns by source.
  document.querySelectorAll("table[data-budget]").forEach(function (table) {
    function num(v) { var n = parseInt(String(v).replace(/[,\s원]/g, ""), 10); return isNaN(n) ? 0 : n; }
    function fmt(n) { return n.toLocaleString("ko-KR"); }
    function recalc() {
      var cols = {}, grand = 0;
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        var rowSum = 0;
        tr.querySelectorAll("input[data-source]").forEach(function (inp) {
          var v = num(inp.value); rowSum += v;
          cols[inp.dataset.source] = (cols[inp.dataset.source] || 0) + v;
        });
        var cell = tr.querySelector("[data-row-total]"); if (cell) cell.textContent = fmt(rowSum);
        grand += rowSum;
      });
      table.querySelectorAll("[data-col-total]").forEach(function (c) { c.textContent = fmt(cols[c.dataset.colTotal] || 0); });
      var g = table.querySelector("[data-grand-total]"); if (g) g.textContent = fmt(grand);
    }
    table.addEventListener("input", recalc);
    recalc();
  });

  // Buttons that ask before acting (withdraw, delete): data-confirm holds the question.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (e) { if (!window.confirm(form.dataset.confirm)) e.preventDefault(); });
  });
})();
