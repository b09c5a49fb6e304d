"""Officer console: a call's 평가수당 — each evaluation stage's rate and its reviewers' attendance.

The page shows, per stage, the rate form, the reviewers with what will be paid (a 서면평가's
submitted sheets as counted, to confirm; a 발표 or 현장평가's sessions to record) and whether
finance has closed the stage's batch; then every reviewer's statement so far.
"""
from __future__ import annotations

from flask import abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.review import honorarium_service as service
from app.review import stage_scope
from app.review.honoraria import HonorariumError
from app.web import flow, loaders
from app.web.officer import bp
from app.extensions import db
from forms.honoraria import AttendanceForm, RateForm


@bp.app_template_global("basis_label")
def basis_label(basis: str) -> str:
    return service.basis_label(basis)


def _stage(call, stage_id: int):
    stage = stage_scope.stage_of(call, stage_id)
    if stage is None:
        abort(404)
    return stage


def _page(call, posted: dict | None = None, status: int = 200):
    """Every stage with its forms; ``posted`` ({stage id: {"rate"|"attendance": form}}) keeps a refused one."""
    posted = posted or {}
    sections = []
    for stage in stage_scope.evaluation_stages(call):
        rows = service.rows(stage)
        rate = service.rate_of(stage)
        mine = posted.get(stage.id, {})
        rate_form = mine.get("rate")
        if rate_form is None:
            rate_form = RateForm(stage=stage, formdata=None, prefix=f"rate{stage.id}")
            rate_form.fill_from(rate)
        attendance_form = mine.get("attendance")
        if attendance_form is None:
            attendance_form = AttendanceForm(formdata=None, prefix=f"att{stage.id}")
            attendance_form.fill_from(rows)
        sections.append({"stage": stage, "rate": rate, "rows": rows, "batch": service.batch_of(stage),
                         "written": stage.kind == "written", "rate_form": rate_form,
                         "attendance_form": attendance_form,
                         "pairs": _pairs(rows, attendance_form)})
    return render_template("officer/honoraria.html", call=call, sections=sections,
                           statements=service.statements(call), active="honoraria"), status


def _pairs(rows, form: AttendanceForm) -> list:
    """Each reviewer with the form entry that carries their id (a re-shown form keeps its indexes)."""
    entries = {e.form.reviewer_id.data: e for e in form.rows.entries}
    return [(row, entries.get(str(row.reviewer.id))) for row in rows]


@bp.route("/calls/<int:call_id>/honoraria")
@login_required
def honoraria(call_id: int):
    call = loaders.call_for_officer(call_id)
    return _page(call)


@bp.route("/calls/<int:call_id>/honoraria/<int:stage_id>/rate", methods=["POST"])
@login_required
def honoraria_rate(call_id: int, stage_id: int):
    call = loaders.call_for_officer(call_id)
    stage = _stage(call, stage_id)
    form = RateForm(stage=stage, prefix=f"rate{stage.id}")
    return flow.post(form, lambda: service.set_rate(stage, current_user, basis=form.basis.data,
                                                    amount_won=form.amount_won.data,
                                                    travel_won=form.travel_won.data or 0),
                     page=lambda: _page(call, {stage.id: {"rate": form}}, 422),
                     done=_("지급 기준을 저장했습니다."), field=form.amount_won,
                     to=url_for("officer.honoraria", call_id=call.id) + f"#stage-{stage.id}")


@bp.route("/calls/<int:call_id>/honoraria/<int:stage_id>/attendance", methods=["POST"])
@login_required
def honoraria_attendance(call_id: int, stage_id: int):
    call = loaders.call_for_officer(call_id)
    stage = _stage(call, stage_id)
    form = AttendanceForm(prefix=f"att{stage.id}")
    to = url_for("officer.honoraria", call_id=call.id) + f"#stage-{stage.id}"
    if not form.validate_on_submit() or not form.rows.entries:
        if not form.rows.entries:
            form.form_errors.append(_("확인할 평가위원이 없습니다."))
        return _page(call, {stage.id: {"attendance": form}}, 422)
    try:
        service.record_attendance(stage, current_user, form.entries())
    except HonorariumError as error:
        db.session.rollback()
        target = flow.field_named(form, error.field) if error.field else None
        if target is not None:
            target.errors = [*target.errors, error.message]
        else:
            form.form_errors.append(error.message)
        return _page(call, {stage.id: {"attendance": form}}, 422)
    return flow.act(lambda: None, done=_("참석(평가 건수)을 확인했습니다."), to=to)
