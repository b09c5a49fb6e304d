"""A call's 사업 설명회 on its public pages: the session, registering and withdrawing, the slides.

Anyone who may see the call sees its sessions and downloads their slides; registering needs an
account (the name is the account's, one seat per account). The online link is shown to seat
holders only. The call's page lists the sessions through ``info_sessions_of``.
"""
from __future__ import annotations

from flask import abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.calls import info_sessions, session_seats
from app.calls import session_clock as _clock  # noqa: F401 - adds the reminders to the clock's work
from app.models.info_sessions import SeatStatus
from app.web import flow, loaders
from app.web.calls import bp
from app.web.documents import send_document
from forms.info_sessions import RegisterForm, WithdrawForm


@bp.app_template_global("info_sessions_of")
def info_sessions_of(call):
    """The call's sessions for its public page (none for a draft)."""
    return info_sessions.public_sessions_of(call)


@bp.app_template_global("session_seats_taken")
def session_seats_taken(session) -> int:
    return session_seats.seated_count(session)


def _page(session, form: RegisterForm | None = None, status: int = 200):
    mine = session_seats.registration_of(session, current_user)
    if form is None:
        form = RegisterForm()
        organisation = getattr(current_user, "organisation", None)
        form.organisation_name.data = organisation.name if organisation else ""
    return render_template(
        "calls/info_session.html", session=session, call=session.call, form=form, withdraw_form=WithdrawForm(),
        mine=mine if mine is not None and mine.status != SeatStatus.WITHDRAWN else None,
        position=session_seats.waiting_position(mine) if mine is not None and mine.status == SeatStatus.WAITING else 0,
        taken=session_seats.seated_count(session), waiting=len(session_seats.waiting(session)),
        open=session_seats.registration_open(session)), status


@bp.route("/calls/<code>/sessions/<int:info_session_id>")
def info_session(code: str, info_session_id: int):
    return _page(loaders.info_session(code, info_session_id))


@bp.route("/calls/<code>/sessions/<int:info_session_id>/register", methods=["POST"])
@login_required
def info_session_register(code: str, info_session_id: int):
    session = loaders.info_session(code, info_session_id)
    form = RegisterForm()
    return flow.post(form, lambda: session_seats.register(session, current_user, form.organisation_name.data),
                     page=lambda: _page(session, form, 422),
                     done=lambda row: (_("설명회에 등록했습니다. 확인 메일을 보냈습니다.") if row.status == SeatStatus.SEATED
                                       else _("정원이 차서 대기자 명단에 올렸습니다. 자리가 나면 알려 드립니다.")),
                     to=url_for("calls.info_session", code=code, info_session_id=session.id))


@bp.route("/calls/<code>/sessions/<int:info_session_id>/withdraw", methods=["POST"])
@login_required
def info_session_withdraw(code: str, info_session_id: int):
    session = loaders.info_session(code, info_session_id)
    if not WithdrawForm().validate_on_submit():
        abort(400)
    return flow.act(lambda: session_seats.withdraw(session, current_user), done=_("설명회 신청을 취소했습니다."),
                    to=url_for("calls.info_session", code=code, info_session_id=session.id))


@bp.route("/calls/<code>/sessions/<int:info_session_id>/slides")
def info_session_slides(code: str, info_session_id: int):
    session = loaders.info_session(code, info_session_id)
    key = info_sessions.slides_key(session)
    if key is None:
        abort(404)
    return send_document(key, session.slides_filename, session.slides_type, f"slides of info session {session.id}")
