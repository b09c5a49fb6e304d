"""Officer console: the call's selection procedure (평가 절차), stages and the final score.

Adding or removing a stage redraws the form with one stage more or less and saves nothing
(no script needed); **저장** saves the whole procedure through app/calls/stages.py. A later
stage's rubric and policy are edited on their own page with the call's rubric editor.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.calls import amendments
from app.calls import stages
from app.calls.call_admin import CallAdminError
from app.core.errors import CallsError
from app.extensions import db
from app.web import flow, row_editor
from app.web.loaders import call_for_officer
from app.web.officer import bp
from forms.rubric import RubricForm, problem_field
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
            return stages.set_stages(call, current_user, form.to_data(call), form.final_score.data,
                                     reason=form.amendment_reason.data or "")
        except CallAdminError as error:
            # Each shown beside its field; a later stage's rubric beside the stage's rubric link.
            problems.extend((name[: -len("rubric")] + "source" if name.endswith("-rubric") else name, message)
                            for name, message in error.problems)
            raise CallsError(_("평가 절차를 저장하지 못했습니다. 표시된 항목을 확인하십시오.")) from None

    return flow.post(form, save, page=lambda: _page(call_id, form, problems, 422),
                     done=_("평가 절차를 저장했습니다."), to=url_for("officer.dashboard", call_id=call.id))


@bp.route("/calls/<int:call_id>/stages/<int:position>/rubric", methods=["GET", "POST"])
@login_required
def edit_stage_rubric(call_id: int, position: int):
    """A later stage's rubric and policy in the rubric editor; saved into the procedure as stored."""
    call = call_for_officer(call_id)
    stage = next((row for row in call.stages if row.position == position and position >= 2), None)
    if stage is None:
        abort(404)
    locked = stages.lock(call)
    if request.method == "POST" and locked:
        flash(locked, "error")
        return redirect(url_for("officer.edit_stage_rubric", call_id=call.id, position=position), 303)
    form, moved = row_editor.bound(RubricForm)
    if request.method == "GET":
        rubric, policy = (stage.rubric, stage.policy or {}) if stage.rubric else stages.default_stage_rubric()
        form.fill(rubric, policy)
    form.prepare(call)
    loose: list[str] = []
    if not moved and form.validate_on_submit():
        rubric, policy = form.to_rubric_policy(call, stored=stage.rubric)
        try:
            stages.set_stage_rubric(call, current_user, position, rubric, policy, reason=form.amendment_reason.data or "")
        except CallAdminError as exc:
            db.session.rollback()
            call = call_for_officer(call_id)
            stage = next(row for row in call.stages if row.position == position)
            loose = flow.place(form, [(problem_field(name), message) for name, message in exc.problems])
        else:
            db.session.commit()
            flash(_("%(n)d단계 평가표를 저장했습니다.", n=position + 1), "success")
            return redirect(url_for("officer.edit_stages", call_id=call.id), 303)
    stage_title = _("%(n)d단계", n=position + 1) + " " + stages.kind_label(stage.kind)
    return render_template("officer/stage_rubric.html", form=form, call=call, stage_title=stage_title, locked=locked,
                           loose=loose, amending=amendments.is_live(call)), row_editor.status(moved)
