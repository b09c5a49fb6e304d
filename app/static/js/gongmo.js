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

  // The budget table's running totals and local-matching ratio: app/static/js/proposal.js.

  // Buttons that ask before acting (withdraw, delete): data-confirm holds the question.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (e) { if (!window.confirm(form.dataset.confirm)) e.preventDefault(); });
  });
})();
