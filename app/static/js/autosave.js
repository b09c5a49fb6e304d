// The review sheet's autosave: a few seconds after the reviewer stops typing, the draft is posted
// to the sheet's JSON endpoint (the same draft save as the 임시 저장 button; it never submits).
// Without this file the button still saves.
(function () {
  "use strict";
  var DELAY = 3000;
  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    var url = form.getAttribute("data-autosave");
    var status = form.querySelector("[data-autosave-status]");
    var timer = null, busy = false, again = false;
    function say(text) { if (status) status.textContent = text; }
    function save() {
      timer = null;
      if (busy) { again = true; return; }
      busy = true;
      say(form.getAttribute("data-autosave-saving") || "");
      var data = new FormData(form);
      data.delete("confirm_submit");  // a draft never carries the submission's confirmation
      fetch(url, { method: "POST", body: data, credentials: "same-origin",
                   headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
        .then(function (res) {
          if (res.ok && res.body.ok) { say(res.body.message); form.setAttribute("data-autosaved", res.body.saved_at_iso); }
          else { say(form.getAttribute("data-autosave-failed") || ""); }
        })
        .catch(function () { say(form.getAttribute("data-autosave-failed") || ""); })
        .then(function () { busy = false; if (again) { again = false; schedule(); } });
    }
    function schedule() {
      if (timer) clearTimeout(timer);
      timer = setTimeout(save, DELAY);
    }
    form.addEventListener("input", function (e) { if (e.target.name !== "confirm_submit") schedule(); });
    form.addEventListener("change", function (e) { if (e.target.name !== "confirm_submit") schedule(); });
    // A real submission takes over: no late autosave after it.
    form.addEventListener("submit", function () { if (timer) clearTimeout(timer); });
  });
})();
