// The call and rubric editors, progressively: every page works without this file (and
// without htmx), with a reload per row button. Loaded after htmx (both deferred, in order).
(function () {
  "use strict";
  if (window.htmx) {
    // No eval (the CSP has no 'unsafe-eval') and no injected <style> (no 'unsafe-inline').
    window.htmx.config.allowEval = false;
    window.htmx.config.includeIndicatorStyles = false;
    window.htmx.config.historyCacheSize = 0;
  }

  function num(text) {
    var t = String(text || "").replace(/,/g, "").trim();
    return t !== "" && isFinite(Number(t)) ? Number(t) : null;
  }
  function fmt(n) { return String(Math.round(n * 10000) / 10000); }

  // Live sum of the criteria's points against the total; the server shows the same after each post.
  function sum(form) {
    var box = form.querySelector("[data-points-sum]");
    if (!box) return;
    var total = 0;
    form.querySelectorAll("input[name$='-max_points']").forEach(function (inp) {
      var n = num(inp.value); if (n !== null) total += n;
    });
    var target = form.querySelector("input[name='total_points']");
    var goal = target ? num(target.value) : 100;
    box.querySelector("[data-sum]").textContent = fmt(total);
    box.querySelector("[data-total]").textContent = goal === null ? "?" : fmt(goal);
    box.classList.toggle("off", goal === null || Math.abs(total - goal) > 1e-9);
  }

  // The rule builder shows the parameters of the chosen rule kind, and only for automatic criteria.
  function builder(criterion) {
    var kind = criterion.querySelector("select[name$='-kind']");
    var type = criterion.querySelector("select[name$='-rule_type']");
    var rule = criterion.querySelector("[data-rule]");
    if (!kind || !type || !rule) return;
    var auto = kind.value === "auto";
    rule.hidden = !auto && !rule.querySelector(".has-error, .error");
    rule.querySelectorAll("[data-rule-for]").forEach(function (part) {
      part.hidden = part.getAttribute("data-rule-for").split(" ").indexOf(type.value) < 0
        && !part.querySelector(".error");
    });
  }

  function wire(swapped) {
    var form = document.getElementById("rubric-editor");
    if (form) {
      form.querySelectorAll("[data-criterion]").forEach(builder);
      sum(form);
    }
    // After a row button, the keyboard goes to the row it added or moved (the server marks it).
    var focus = swapped && document.querySelector("[autofocus]");
    if (focus) focus.focus();
  }

  document.addEventListener("input", function (e) {
    var form = e.target.closest && e.target.closest("#rubric-editor");
    if (form && /(max_points|total_points)$/.test(e.target.name)) sum(form);
  });
  document.addEventListener("change", function (e) {
    var criterion = e.target.closest && e.target.closest("[data-criterion]");
    if (criterion && /-(kind|rule_type)$/.test(e.target.name)) builder(criterion);
  });
  document.addEventListener("htmx:afterSettle", function () { wire(true); });
  // A refused row post (an expired session, a stale token) is sent again as a plain post, so the
  // officer sees the server's page instead of a button that does nothing.
  ["htmx:responseError", "htmx:sendError"].forEach(function (name) {
    document.addEventListener(name, function (e) {
      var button = e.detail.elt;
      if (button && button.form && button.form.requestSubmit) button.form.requestSubmit(button);
    });
  });
  wire(false);
})();
