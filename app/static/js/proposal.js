// The applicant's pages, progressive enhancement only: the server checks every limit again.
(function () {
  "use strict";

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, key) { return key in values ? values[key] : m; });
  }
  function fmt(n) { return n.toLocaleString(document.documentElement.lang === "en" ? "en-US" : "ko-KR"); }

  // Character counters: every limited field of a form marked data-counter says "n / max".
  document.querySelectorAll("form[data-counter]").forEach(function (form) {
    var template = form.getAttribute("data-counter");
    var overText = form.getAttribute("data-counter-over") || "";
    form.querySelectorAll("input[maxlength], textarea[maxlength]").forEach(function (input) {
      var max = parseInt(input.getAttribute("maxlength"), 10);
      if (!max || !input.id) return;
      var out = document.createElement("p");
      out.className = "counter";
      out.id = input.id + "-count";
      out.setAttribute("aria-live", "polite");
      input.insertAdjacentElement("afterend", out);
      var described = (input.getAttribute("aria-describedby") || "").trim();
      input.setAttribute("aria-describedby", (described ? described + " " : "") + out.id);
      function update() {
        var n = Array.from(input.value).length;
        out.textContent = fill(template, {n: fmt(n), max: fmt(max)}) + (n > max ? " " + overText : "");
        out.classList.toggle("over", n > max);
      }
      input.addEventListener("input", update);
      update();
    });
  });

  // The budget table: running totals of the valid cells, the cells left out, the local-matching ratio.
  document.querySelectorAll("table[data-budget]").forEach(function (table) {
    var live = document.querySelector("[data-budget-live]");
    function parse(v) {
      var text = String(v).replace(/[,\s]/g, "").replace(/원$/, "");
      if (text === "") return 0;
      return /^\d+$/.test(text) ? parseInt(text, 10) : null;
    }
    function recalc() {
      var cols = {}, grand = 0, bad = [];
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        var rowSum = 0;
        tr.querySelectorAll("input[data-source]").forEach(function (inp) {
          var v = parse(inp.value);
          if (v === null) { bad.push(inp.getAttribute("aria-label") || inp.name); v = 0; }
          rowSum += v;
          cols[inp.dataset.source] = (cols[inp.dataset.source] || 0) + v;
        });
        var cell = tr.querySelector("[data-row-total]"); if (cell) cell.textContent = fmt(rowSum);
        grand += rowSum;
      });
      table.querySelectorAll("[data-col-total]").forEach(function (c) { c.textContent = fmt(cols[c.dataset.colTotal] || 0); });
      var g = table.querySelector("[data-grand-total]"); if (g) g.textContent = fmt(grand);
      if (!live) return;
      var national = cols.national || 0, local = cols.local || 0;
      var min = parseFloat(live.getAttribute("data-min-ratio"));
      var ratio = live.querySelector("[data-local-ratio]");
      var verdict = live.querySelector("[data-ratio-verdict]");
      if (national > 0) {
        var pct = Math.round(local * 1000 / national) / 10;
        ratio.textContent = pct.toFixed(1) + "%";
        var ok = local * 100 >= national * min;
        verdict.textContent = live.getAttribute(ok ? "data-ratio-ok" : "data-ratio-short");
        verdict.className = ok ? "" : "bad";
      } else {
        ratio.textContent = "-";
        verdict.textContent = live.getAttribute("data-ratio-none");
        verdict.className = "";
      }
      var note = live.querySelector("[data-invalid-note]");
      note.hidden = bad.length === 0;
      note.textContent = bad.length ? fill(live.getAttribute("data-invalid"), {n: bad.length, cells: bad.join(", ")}) : "";
    }
    table.addEventListener("input", recalc);
    recalc();
  });

  // An upload over the size limit is refused here, by the field, before anything is sent.
  document.querySelectorAll("form[data-upload-check]").forEach(function (form) {
    var input = form.querySelector("input[type=file][data-max-bytes]");
    if (!input) return;
    var max = parseInt(input.getAttribute("data-max-bytes"), 10);
    var msg = null;  // made only when a file is refused: an empty error line would still be an error line
    function tooBig() {
      var file = input.files && input.files[0];
      if (!file || file.size <= max) {
        if (msg) { msg.remove(); msg = null; input.setAttribute("aria-invalid", "false"); }
        return false;
      }
      if (!msg) {
        msg = document.createElement("p");
        msg.className = "error";
        msg.id = input.id + "-size-error";
        msg.setAttribute("role", "alert");
        input.insertAdjacentElement("afterend", msg);
      }
      var mb = (file.size / 1048576).toFixed(1) + "MB";
      msg.textContent = fill(form.getAttribute("data-too-big"), {size: mb});
      input.setAttribute("aria-invalid", "true");
      var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      if (described.indexOf(msg.id) < 0) { described.push(msg.id); input.setAttribute("aria-describedby", described.join(" ")); }
      return true;
    }
    input.addEventListener("change", tooBig);
    form.addEventListener("submit", function (e) { if (tooBig()) { e.preventDefault(); input.focus(); } });
  });
})();
