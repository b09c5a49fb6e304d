"""Officer console: the call's 사업 설명회 — create, edit, cancel, registrants, attendance, slides."""
from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import access
from app.calls import info_sessions, session_seats
from app.proposals import blobs
from app.web import flow, loaders
from app.web.officer import bp
from forms.info_sessions import AttendanceForm, CancelSessionForm, SessionForm, SlidesForm


def _call(call_id: int):
    call = loaders.call_for_officer(call_id)
    access.require(access.can_run_info_sessions(current_user, call))
    return call


def _list(call, form: SessionForm | None = None, problems=(), status: int = 200):
    form = form or SessionForm()
    loose = flow.place(form, problems)
    return render_template("officer/info_sessions.html", call=call, form=form, loose=loose,
                           sessions=info_sessions.sessions_of(call),
                           taken={s.id: session_seats.seated_count(s) for s in info_sessions.sessions_of(call)}), status


@bp.route("/calls/<int:call_id>/sessions", methods=["GET", "POST"])
@login_required
def info_sessions_page(call_id: int):
    call = _call(call_id)
    form = SessionForm()
    if not form.is_submitted():
        return _list(call)
    problems: list[tuple[str, str]] = []
    return flow.post(form, lambda: _placed(problems, lambda: info_sessions.create(call, current_user, form.to_data())),
                     page=lambda: _list(call, form, problems, 422), done=_("설명회를 만들었습니다."),
                     to=lambda s: url_for("officer.info_session_page", info_session_id=s.id))


def _placed(problems: list, act):
    """Run ``act``; a refusal naming several fields leaves them in ``problems`` for the page."""
    try:
        return act()
    except info_sessions.SessionProblems as error:
        problems.extend(error.problems)
        raise info_sessions.SessionError(error.message) from None


def _page(session, form=None, cancel_form=None, attendance_form=None, slides_form=None, problems=(), status=200):
    if form is None:
        form = SessionForm()
        form.fill_from(session)
    loose = flow.place(form, problems)
    seated = session_seats.seated(session)
    attendance_form = attendance_form or AttendanceForm()
    if not attendance_form.is_submitted():
        attendance_form.attended.data = [r.id for r in seated if r.attended]
    attendance_form.attended.choices = [(r.id, f"{r.user.name} ({r.organisation_name})") for r in seated]
    return render_template(
        "officer/info_session.html", call=session.call, session=session, form=form, loose=loose,
        cancel_form=cancel_form or CancelSessionForm(), attendance_form=attendance_form,
        slides_form=slides_form or SlidesForm(), seated=seated, waiting=session_seats.waiting(session)), status


@bp.route("/sessions/<int:info_session_id>", methods=["GET", "POST"])
@login_required
def info_session_page(info_session_id: int):
    session = loaders.info_session_for_officer(info_session_id)
    form = SessionForm()
    if not form.is_submitted():
        return _page(session)
    problems: list[tuple[str, str]] = []
    return flow.post(form, lambda: _placed(problems, lambda: info_sessions.update(session, current_user, form.to_data())),
                     page=lambda: _page(session, form=form, problems=problems, status=422),
                     done=_("설명회를 저장했습니다."), to=url_for("officer.info_session_page", info_session_id=session.id))


@bp.route("/sessions/<int:info_session_id>/cancel", methods=["POST"])
@login_required
def info_session_cancel(info_session_id: int):
    session = loaders.info_session_for_officer(info_session_id)
    form = CancelSessionForm()
    return flow.post(form, lambda: info_sessions.cancel(session, current_user, form.reason.data),
                     page=lambda: _page(session, cancel_form=form, status=422), field=form.reason,
                     done=_("설명회를 취소하고 신청자에게 알렸습니다."),
                     to=url_for("officer.info_session_page", info_session_id=session.id))


@bp.route("/sessions/<int:info_session_id>/attendance", methods=["POST"])
@login_required
def info_session_attendance(info_session_id: int):
    session = loaders.info_session_for_officer(info_session_id)
    form = AttendanceForm()
    return flow.post(form, lambda: info_sessions.record_attendance(session, current_user, set(form.attended.data or [])),
                     page=lambda: _page(session, attendance_form=form, status=422), field=form.attended,
                     done=_("참석을 기록했습니다."), to=url_for("officer.info_session_page", info_session_id=session.id))


@bp.route("/sessions/<int:info_session_id>/slides", methods=["POST"])
@login_required
def info_session_slides_upload(info_session_id: int):
    session = loaders.info_session_for_officer(info_session_id)
    form = SlidesForm()

    def upload():
        if session.cancelled:
            raise info_sessions.SessionError(_("취소된 설명회입니다."), field="slides")
        stored = blobs.keep(form.slides.data.stream, form.slides.data.filename, session.call.max_attachment_bytes,
                            types=info_sessions.SLIDE_TYPES)
        return info_sessions.store_slides(session, current_user, stored)

    return flow.post(form, upload, page=lambda: _page(session, slides_form=form, status=422), field=form.slides,
                     done=_("발표자료를 올리고 신청자에게 알렸습니다."),
                     to=url_for("officer.info_session_page", info_session_id=session.id))
