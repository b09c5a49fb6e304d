// Wide tables: a "columns" menu to hide columns, remembered per table id in localStorage.
// Without this file the table is shown whole and still scrolls inside its wrapper.
(function () {
  "use strict";
  var PREFIX = "gongmo.columns.";
  function load(id) {
    try { return JSON.parse(window.localStorage.getItem(PREFIX + id) || "[]"); } catch (e) { return []; }
  }
  function store(id, hidden) {
    try { window.localStorage.setItem(PREFIX + id, JSON.stringify(hidden)); } catch (e) { /* private mode */ }
  }
  function cellsOf(table, index) {
    var cells = [];
    Array.prototype.forEach.call(table.rows, function (row) {
      // Rows with spanning cells (a "none" row) are left alone: their cell does not match a column.
      if (row.cells.length === table.rows[0].cells.length && row.cells[index]) cells.push(row.cells[index]);
    });
    return cells;
  }
  document.querySelectorAll("table[data-columns][id]").forEach(function (table) {
    var head = table.tHead && table.tHead.rows[0];
    if (!head || head.cells.length < 3) return;
    var id = table.id, hidden = load(id);
    var menu = document.createElement("details");
    menu.className = "table-columns";
    var summary = document.createElement("summary");
    summary.textContent = table.getAttribute("data-columns") || "Columns";
    menu.appendChild(summary);
    var box = document.createElement("fieldset");
    var legend = document.createElement("legend");
    legend.className = "visually-hidden";
    legend.textContent = summary.textContent;
    box.appendChild(legend);
    Array.prototype.forEach.call(head.cells, function (th, index) {
      if (index === 0) return;  // the first column names the row: always shown
      var name = th.getAttribute("data-column") || th.textContent.trim();
      var label = document.createElement("label");
      var box_ = document.createElement("input");
      box_.type = "checkbox";
      box_.value = name;
      box_.checked = hidden.indexOf(name) === -1;
      function apply() {
        cellsOf(table, index).forEach(function (cell) { cell.hidden = !box_.checked; });
      }
      box_.addEventListener("change", function () {
        hidden = hidden.filter(function (n) { return n !== name; });
        if (!box_.checked) hidden.push(name);
        store(id, hidden);
        apply();
      });
      apply();
      label.appendChild(box_);
      label.appendChild(document.createTextNode(" " + name));
      box.appendChild(label);
    });
    menu.appendChild(box);
    var wrap = table.closest(".table-scroll") || table;
    wrap.parentNode.insertBefore(menu, wrap);
  });
})();
