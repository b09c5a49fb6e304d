"""Registering for a 설명회: a seat while there is one, else the waiting list in order.

One registration per account and session (the table's unique pair, checked first for a clear
message). Registration closes at the session's deadline; withdrawing is possible until the
session starts, and a freed seat goes at once to the first person waiting, who is told. The
session row is locked while seats are counted, so two people never take the last seat.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from app import audit
from app.core import clock
from app.core.errors import CallsError
from app.extensions import db
from app.models import User
from app.models.calls import CallPhase
from app.models.info_sessions import InfoSession, InfoSessionRegistration, SeatStatus
from app.calls import session_notices

ORGANISATION_MAX = 200


class SessionError(CallsError):
    """A refused step around a 설명회."""


def lock(session: InfoSession) -> InfoSession:
    """The session row again, locked until the transaction ends (PostgreSQL; SQLite serialises writers)."""
    return db.session.scalar(select(InfoSession).where(InfoSession.id == session.id).with_for_update()
                             .execution_options(populate_existing=True))


def registration_of(session: InfoSession, user) -> InfoSessionRegistration | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(InfoSessionRegistration).where(
        InfoSessionRegistration.session_id == session.id, InfoSessionRegistration.user_id == user.id))


def seated_count(session: InfoSession) -> int:
    return db.session.scalar(select(func.count(InfoSessionRegistration.id)).where(
        InfoSessionRegistration.session_id == session.id,
        InfoSessionRegistration.status == SeatStatus.SEATED)) or 0


def waiting(session: InfoSession) -> list[InfoSessionRegistration]:
    """The waiting list, first come first."""
    return list(db.session.scalars(select(InfoSessionRegistration).where(
        InfoSessionRegistration.session_id == session.id, InfoSessionRegistration.status == SeatStatus.WAITING)
        .order_by(InfoSessionRegistration.registered_at, InfoSessionRegistration.id)))


def seated(session: InfoSession) -> list[InfoSessionRegistration]:
    return list(db.session.scalars(select(InfoSessionRegistration).where(
        InfoSessionRegistration.session_id == session.id, InfoSessionRegistration.status == SeatStatus.SEATED)
        .order_by(InfoSessionRegistration.seated_at, InfoSessionRegistration.id)))


def waiting_position(registration: InfoSessionRegistration) -> int:
    """1 for the first person waiting."""
    return 1 + next(i for i, r in enumerate(waiting(registration.session)) if r.id == registration.id)


def registration_open(session: InfoSession) -> bool:
    return (not session.cancelled and session.call.phase != CallPhase.DRAFT
            and clock.now() < session.registration_closes_at)


def register(session: InfoSession, user: User, organisation_name: str) -> InfoSessionRegistration:
    session = lock(session)
    if session.cancelled:
        raise SessionError(_("취소된 설명회입니다."))
    if session.call.phase == CallPhase.DRAFT:
        raise SessionError(_("아직 공개되지 않은 공모의 설명회입니다."))
    if clock.now() >= session.registration_closes_at:
        raise SessionError(_("설명회 신청이 마감되었습니다 (%(at)s).",
                             at=session_notices.kst_text(session.registration_closes_at)))
    organisation_name = (organisation_name or "").strip()
    if not organisation_name:
        raise SessionError(_("소속 기관명을 입력하십시오."), field="organisation_name")
    if len(organisation_name) > ORGANISATION_MAX:
        raise SessionError(_("소속 기관명은 %(n)d자 이내로 입력하십시오.", n=ORGANISATION_MAX), field="organisation_name")
    row = registration_of(session, user)
    if row is not None and row.status != SeatStatus.WITHDRAWN:
        raise SessionError(_("이미 이 설명회에 신청했습니다."))
    # Counted before this row exists: a free seat goes to the queue's first, never past it.
    has_seat = seated_count(session) < session.capacity and not waiting(session)
    if row is None:
        row = InfoSessionRegistration(session_id=session.id, user_id=user.id)
        db.session.add(row)
    row.organisation_name, row.registered_at, row.withdrawn_at = organisation_name, clock.now(), None
    row.attended, row.seated_at = False, None
    row.status = SeatStatus.SEATED if has_seat else SeatStatus.WAITING
    if has_seat:
        row.seated_at = clock.now()
    db.session.flush()
    audit.record(user, "info_session.registered", session, call=session.call_id, user_id=user.id,
                 status=row.status, organisation=organisation_name)
    session_notices.tell(row, "seated" if has_seat else "waiting", f"{row.status}:{_stamp()}")
    return row


def withdraw(session: InfoSession, user: User) -> InfoSessionRegistration:
    """The registrant gives up the seat (or the place in the queue) until the session starts."""
    session = lock(session)
    row = registration_of(session, user)
    if row is None or row.status == SeatStatus.WITHDRAWN:
        raise SessionError(_("이 설명회에 신청한 기록이 없습니다."))
    if session.cancelled:
        raise SessionError(_("취소된 설명회입니다."))
    if clock.now() >= session.starts_at:
        raise SessionError(_("이미 시작한 설명회의 신청은 취소할 수 없습니다."))
    before = row.status
    row.status, row.withdrawn_at, row.seated_at = SeatStatus.WITHDRAWN, clock.now(), None
    db.session.flush()
    audit.record(user, "info_session.withdrawn", session, call=session.call_id, user_id=user.id,
                 changes=audit.changes({"status": before}, {"status": row.status}))
    if before == SeatStatus.SEATED:
        promote(session, user)
    return row


def promote(session: InfoSession, actor) -> list[InfoSessionRegistration]:
    """Fill free seats from the waiting list, first come first, and tell each person promoted."""
    if session.cancelled or clock.now() >= session.starts_at:
        return []
    free = session.capacity - seated_count(session)
    promoted = waiting(session)[:max(0, free)]
    for row in promoted:
        row.status, row.seated_at = SeatStatus.SEATED, clock.now()
        db.session.flush()
        audit.record(actor, "info_session.promoted", session, call=session.call_id, user_id=row.user_id,
                     changes=audit.changes({"status": SeatStatus.WAITING}, {"status": SeatStatus.SEATED}))
        session_notices.tell(row, "promoted", f"promoted:{_stamp()}")
    return promoted


def _stamp() -> str:
    return clock.now().strftime("%Y%m%dT%H%M%S%f")
