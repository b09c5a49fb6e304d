"""Officer console: the call's selection procedure (평가 절차), stages and the final score.

Adding or removing a stage redraws the form with one stage more or less and saves nothing
(no script needed); **저장** saves the whole procedure through app/calls/stages.py.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.calls import amendments
from app.calls import stages
from app.calls.call_admin import CallAdminError
from app.core.errors import CallsError
from app.web import flow
from app.web.loaders import call_for_officer
from app.web.officer import bp
from forms.stages import StagesForm


def _page(call_id: int, form: StagesForm, problems=(), status: int = 200):
    call = call_for_officer(call_id)
    loose = flow.place(form, problems)
    return render_template("officer/stages.html", call=call, form=form, locked=stages.lock(call), loose=loose,
                           amending=amendments.is_live(call), max_stages=stages.MAX_EVALUATION_STAGES + 1), status


@bp.route("/calls/<int:call_id>/stages", methods=["GET", "POST"])
@login_required
def edit_stages(call_id: int):
    call = call_for_officer(call_id)
    form = StagesForm()
    if request.method == "GET":
        form.fill_from(call)
        return _page(call_id, form)
    locked = stages.lock(call)
    if locked:
        flash(locked, "error")
        return redirect(url_for("officer.edit_stages", call_id=call.id), 303)
    if request.form.get("add_stage"):
        form.add_stage()
        return _page(call_id, form)
    removed = request.form.get("remove_stage", "")
    if removed.isascii() and removed.isdigit() and len(removed) < 3:
        form.remove_stage(int(removed))
        return _page(call_id, form)
    problems: list[tuple[str, str]] = []

    def save():
        try:
            return stages.set_stages(call, current_user, form.to_data(), form.final_score.data,
                                     reason=form.amendment_reason.data or "")
        except CallAdminError as error:
            problems.extend(error.problems)  # each shown beside its field
            raise CallsError(_("평가 절차를 저장하지 못했습니다. 표시된 항목을 확인하십시오.")) from None

    return flow.post(form, save, page=lambda: _page(call_id, form, problems, 422),
                     done=_("평가 절차를 저장했습니다."), to=url_for("officer.dashboard", call_id=call.id))
