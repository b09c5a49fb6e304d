"""설명회 reminders on the clock: the day before (24 hours before the start), once per seat holder.

Each reminder is claimed (``reminders.claim``, unique per call, kind and person) in the same
transaction as its mail, so two beats never send it twice. The kind names the start time: a
session moved to another day is reminded again. Whoever got their seat within the last day
already has the event from their confirmation mail, and nobody is reminded once it started.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app.calls import session_notices, session_seats
from app.core import clock
from app.extensions import db
from app.models.info_sessions import InfoSession, InfoSessionState
from app.notifications import reminders

BEFORE = timedelta(days=1)


def claim_kind(session: InfoSession) -> str:
    return f"ses{session.id}-d1-{clock.to_kst(session.starts_at):%Y%m%d%H%M}"


def tick(at: datetime) -> int:
    ids = db.session.scalars(select(InfoSession.id).where(
        InfoSession.state == InfoSessionState.SCHEDULED, InfoSession.starts_at > at,
        InfoSession.starts_at <= at + BEFORE).order_by(InfoSession.id)).all()
    return reminders.each_row(InfoSession, ids, _remind)


def _remind(session: InfoSession) -> int:
    sent = 0
    due = session.starts_at - BEFORE
    for row in session_seats.seated(session):
        if row.seated_at is not None and row.seated_at > due:
            continue
        if not reminders.claim(session.call_id, claim_kind(session), row.user_id):
            continue
        session_notices.tell(row, "reminder", claim_kind(session))
        sent += 1
    return sent


reminders.on_the_clock("info_session_reminders", tick)
