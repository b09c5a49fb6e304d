"""Officer console: a presentation stage's 발표평가 — schedule, slots, publication, attendance, slides.

Also the template helpers that show the 발표평가 elsewhere: the chair's 종합의견 beside a result
(the applicant's result page and the officer's result detail).
"""
from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import access
from app.review import presentation as schedules
from app.review import presentation_day, stage_scope
from app.web import flow, loaders
from app.web.documents import send_document
from app.web.officer import bp
from forms.presentation import ATTENDANCE_CHOICES, ActionForm, AttendanceForm, PublishForm, ScheduleForm


@bp.app_template_global("presentation_opinions")
def presentation_opinions(proposal):
    """The chair's 종합의견 on ``proposal`` (slots with an opinion), for the result pages."""
    return presentation_day.opinions_of(proposal)


def _stage(call_id: int, stage_id: int):
    call = loaders.call_for_officer(call_id)
    access.require(access.can_run_presentation(current_user, call))
    return call, loaders.presentation_stage(call, stage_id)


def _page(call, stage, form: ScheduleForm | None = None, publish_form: PublishForm | None = None,
          problems=(), status: int = 200):
    schedule = schedules.schedule_of(stage)
    panel = schedules.panel_of(stage)
    if form is None:
        form = ScheduleForm(panel=panel)
        form.fill_from(schedule)
    loose = flow.place(form, problems)
    return render_template(
        "officer/presentation.html", call=call, stage=stage, schedule=schedule, form=form, loose=loose,
        publish_form=publish_form or PublishForm(), action_form=ActionForm(), attendance_form=AttendanceForm(),
        stages=schedules.presentation_stages(call), in_stage=len(stage_scope.proposal_ids_in(stage)),
        attendance_labels={c.value: c.label for c in ATTENDANCE_CHOICES},
        no_shows=presentation_day.no_shows(stage)), status


@bp.route("/calls/<int:call_id>/presentation")
@login_required
def presentation_index(call_id: int):
    """The call's first presentation stage, or a page saying the procedure has none."""
    call = loaders.call_for_officer(call_id)
    stages = schedules.presentation_stages(call)
    if stages:
        return redirect(url_for("officer.presentation", call_id=call.id, stage_id=stages[0].id))
    return render_template("officer/presentation.html", call=call, stage=None, stages=[])


@bp.route("/calls/<int:call_id>/presentation/<int:stage_id>", methods=["GET", "POST"])
@login_required
def presentation(call_id: int, stage_id: int):
    call, stage = _stage(call_id, stage_id)
    form = ScheduleForm(panel=schedules.panel_of(stage))
    if not form.is_submitted():
        return _page(call, stage)
    problems: list[tuple[str, str]] = []

    def save():
        try:
            return schedules.configure(stage, current_user, form.to_data())
        except schedules.PresentationError as error:
            # Each problem beside its field; the general message goes to the page's summary.
            problems.extend(error.problems)
            raise schedules.PresentationError(error.message) from None

    return flow.post(form, save, page=lambda: _page(call, stage, form, problems=problems, status=422),
                     done=_("발표평가 일정을 저장했습니다."),
                     to=url_for("officer.presentation", call_id=call.id, stage_id=stage.id))


@bp.route("/calls/<int:call_id>/presentation/<int:stage_id>/slots", methods=["POST"])
@login_required
def presentation_generate(call_id: int, stage_id: int):
    call, stage = _stage(call_id, stage_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    schedule = schedules.schedule_of(stage)
    published = schedule is not None and schedule.published_at is not None
    return flow.act(lambda: schedules.generate(stage, current_user),
                    done=_("일정을 변경하고 변경 안내를 보냈습니다.") if published else _("발표 순서를 만들었습니다."),
                    to=url_for("officer.presentation", call_id=call.id, stage_id=stage.id))


@bp.route("/calls/<int:call_id>/presentation/<int:stage_id>/publish", methods=["POST"])
@login_required
def presentation_publish(call_id: int, stage_id: int):
    call, stage = _stage(call_id, stage_id)
    form = PublishForm()
    return flow.post(form, lambda: schedules.publish(stage, current_user),
                     page=lambda: _page(call, stage, publish_form=form, status=422),
                     done=_("발표평가 일정을 공개하고 메일을 보냈습니다."),
                     to=url_for("officer.presentation", call_id=call.id, stage_id=stage.id),
                     field=form.confirm)


@bp.route("/presentation/slots/<int:slot_id>/attendance", methods=["POST"])
@login_required
def presentation_attendance(slot_id: int):
    slot = loaders.slot_for_officer(slot_id)
    stage = slot.schedule.stage
    form = AttendanceForm()
    to = url_for("officer.presentation", call_id=stage.call_id, stage_id=stage.id)
    if not form.validate_on_submit():
        abort(400)
    return flow.act(lambda: presentation_day.record_attendance(slot, current_user, form.attendance.data),
                    done=_("참석 여부를 기록했습니다."), to=to)


@bp.route("/presentation/slots/<int:slot_id>/slides")
@login_required
def presentation_slides(slot_id: int):
    slot = loaders.slot_for_officer(slot_id)
    key = presentation_day.slides_key(slot)
    if key is None:
        abort(404)
    return send_document(key, slot.slides_filename, slot.slides_type, f"slides of slot {slot.id}")
