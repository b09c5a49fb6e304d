"""The transactional outbox: notifications are rows first, mails later.

``queue`` writes the row in the caller's transaction. After that transaction
commits, the ids are handed to the worker (or delivered in-process when there is
no broker); if it rolls back, nothing was ever announced. A periodic sweep sends
whatever the hand-over missed (broker down, worker killed) and the retries.

Delivery is at most once per row as far as the database can know: a worker first
*claims* the row with one conditional UPDATE (pending -> sending, with a lease), and
only the worker whose UPDATE matched sends. The UPDATE is atomic on both databases
(PostgreSQL re-checks the WHERE clause after waiting for a concurrent writer; SQLite
serialises writers), so two workers racing on the same row never both send.

The one gap no database can close: the SMTP server accepted the mail and the worker
died (or the connection broke) before the row recorded it. So an attempt writes
``attempted_at`` *before* handing the mail over and clears it only when the server
refuses. A row taken over after its lease ran out with ``attempted_at`` still set, or
retried after ``mailer.OutcomeUnknown``, was possibly delivered already: it is sent
again, with the same Message-ID (fixed when queued) so the receiving side can drop the
second copy, and once sent it is marked ``possible_duplicate``, logged, and listed for
admins at /dev/mail. Every other retry follows a refusal, so no mail is ever sent twice
without that mark.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from flask import current_app, has_app_context
from sqlalchemy import and_, event, func, or_, select, update
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Notification, OutboxMessage, User
from app.models.outbox import OutboxStatus
from app.core import tasks
from app.notifications import mailer
from app.core.clock import now

MAX_ATTEMPTS = 6
RETRY_BASE_SECONDS = 30  # 30 s, 1, 2, 4, 8 min: an SMTP outage of ~15 minutes is survived
LEASE_SECONDS = 300  # longer than the SMTP timeout, so a live sender never loses its lease


@dataclass(frozen=True)
class Notice:
    """An in-app notice before it is stored: a Korean msgid and the values of its placeholders."""

    message: str
    params: dict


def notice(message: str, **params) -> Notice:
    """Mark ``message`` for the catalog (``pybabel extract -k notice``); it is translated when read."""
    return Notice(message, params)


def post(user_id: int, kind: str, what: Notice, url: str = "") -> Notification:
    """An in-app notice with no mail."""
    row = Notification(user_id=user_id, kind=kind, message=what.message, params=what.params, url=url)
    db.session.add(row)
    return row


def queue(key: str, template: str, user: User, context: dict, *,
          in_app: Notice | None = None, url: str = "") -> OutboxMessage | None:
    """Queue a mail (and optionally an in-app notice) once per key."""
    if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key)):
        return None
    msg = OutboxMessage(key=key, template=template, user_id=user.id, to_email=user.email,
                        locale=user.locale or "ko", context=context, message_id=mailer.message_id_for(key))
    db.session.add(msg)
    if in_app:
        post(user.id, template, in_app, url)
    db.session.flush()
    db.session.info.setdefault("outbox_ids", []).append(msg.id)
    return msg


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released: the transaction around it may still roll back
    ids = session.info.pop("outbox_ids", None)
    if ids and has_app_context():
        dispatch(ids)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    # A savepoint rolled back takes only its own rows; the ids queued before it must still be
    # handed over at the commit. An id whose row is gone is harmless: its claim matches nothing.
    if not session.in_nested_transaction():
        session.info.pop("outbox_ids", None)


def dispatch(ids: list[int]) -> None:
    if current_app.config.get("TASKS_EAGER"):
        for i in ids:
            deliver(i)
        return
    for i in ids:
        try:
            tasks.send(tasks.DELIVER_OUTBOX, i)
        except Exception:  # noqa: BLE001 - broker down: the periodic sweep will send it
            current_app.logger.warning("broker unavailable; outbox %s left for the sweep", i)
            return  # the broker is down for the others too; do not wait once per id


# --- delivery ------------------------------------------------------------------------

class Delivery(StrEnum):
    """What one delivery attempt did."""

    SENT = "sent"
    RETRY = "retry"  # at the outcome's ``retry_at``
    FAILED = "failed"  # the last attempt: given up
    SKIPPED = "skipped"  # not due, or another worker holds it


@dataclass(frozen=True)
class Outcome:
    result: Delivery
    retry_at: datetime | None = None

    @property
    def sent(self) -> bool:
        return self.result == Delivery.SENT


def _setting(name: str, default):
    return current_app.config.get(name, default)


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: base, 2*base, 4*base, ..."""
    base = float(_setting("OUTBOX_RETRY_BASE_SECONDS", RETRY_BASE_SECONDS))
    return timedelta(seconds=base * 2 ** max(0, attempts - 1))


def _due(at: datetime):
    """Rows a worker may take now: pending and due, or sending with a lapsed lease."""
    return or_(
        and_(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= at),
        and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.lease_until < at),
    )


def _claim(s: Session, message_id: int, at: datetime) -> bool:
    lease = timedelta(seconds=float(_setting("OUTBOX_LEASE_SECONDS", LEASE_SECONDS)))
    result = s.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, _due(at))
        .values(status=OutboxStatus.SENDING, lease_until=at + lease, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    s.commit()
    return result.rowcount == 1


def attempt(message_id: int) -> Outcome:
    """Try to send one outbox row, if it is due and no other worker holds it."""
    with Session(db.engine, expire_on_commit=False) as s:
        if not _claim(s, message_id, now()):
            return Outcome(Delivery.SKIPPED)
        msg = s.get(OutboxMessage, message_id)
        # Set: an earlier attempt handed the mail over and never learnt the answer.
        unknown_before = msg.attempted_at
        try:
            mail = mailer.build(msg)
        except Exception as exc:  # noqa: BLE001 - a render failure is retried later; nothing went out
            return _record_failure(s, msg, exc, attempted_at=unknown_before)
        _set(s, msg, attempted_at=now())  # committed before the hand-over: a crash after it leaves the trace
        try:
            mailer.send(mail)
        except mailer.OutcomeUnknown as exc:
            return _record_failure(s, msg, exc, attempted_at=msg.attempted_at)
        except Exception as exc:  # noqa: BLE001 - refused or unreachable: not delivered by this attempt
            return _record_failure(s, msg, exc, attempted_at=unknown_before)
        values = {"status": OutboxStatus.SENT, "sent_at": now(), "lease_until": None, "last_error": ""}
        if unknown_before is not None:
            values["possible_duplicate"] = True
            current_app.logger.warning(
                "outbox %s (%s) sent again after an attempt at %s whose outcome was never known: "
                "possibly a duplicate, Message-ID %s", msg.id, msg.key, unknown_before.isoformat(), mail["Message-ID"])
        _set(s, msg, **values)
        return Outcome(Delivery.SENT)


def _set(s: Session, msg: OutboxMessage, **values) -> None:
    """Write ``values`` to the row while this attempt still holds it, and commit."""
    s.execute(
        update(OutboxMessage).where(OutboxMessage.id == msg.id, OutboxMessage.status == OutboxStatus.SENDING)
        .values(**values).execution_options(synchronize_session=False)
    )
    s.commit()
    for name, value in values.items():
        setattr(msg, name, value)


def _record_failure(s: Session, msg: OutboxMessage, exc: Exception, *, attempted_at: datetime | None) -> Outcome:
    """Retry later or give up; ``attempted_at`` stays set while the mail may have been delivered."""
    error = f"{type(exc).__name__}: {exc}"[:2000]
    max_attempts = int(_setting("OUTBOX_MAX_ATTEMPTS", MAX_ATTEMPTS))
    if msg.attempts >= max_attempts:
        values = {"status": OutboxStatus.FAILED, "lease_until": None, "last_error": error}
        outcome = Outcome(Delivery.FAILED)
        current_app.logger.error("outbox %s (%s) failed after %s attempts: %s", msg.id, msg.key, msg.attempts, error)
    else:
        retry_at = now() + backoff(msg.attempts)
        values = {"status": OutboxStatus.PENDING, "lease_until": None, "last_error": error,
                  "next_attempt_at": retry_at}
        outcome = Outcome(Delivery.RETRY, retry_at)
        current_app.logger.warning("outbox %s attempt %s failed, retry at %s: %s", msg.id, msg.attempts, retry_at, error)
    _set(s, msg, attempted_at=attempted_at, **values)
    return outcome


def deliver(message_id: int) -> bool:
    """Send one outbox row at most once. Returns True when this call sent it."""
    return attempt(message_id).sent


def due_ids(limit: int = 200, at: datetime | None = None) -> list[int]:
    """Rows the sweep should try now, oldest first.

    On PostgreSQL, rows another sweep is selecting at this moment are skipped rather
    than waited for; the claim in ``attempt`` is what guarantees a single send anyway.
    """
    return due_rows(OutboxMessage, _due(at or now()), limit)


def due_rows(model, condition, limit: int) -> list[int]:
    """The ids of ``model`` rows meeting ``condition``, oldest first, read in their own session
    (the outbox's and the webhook deliveries' sweeps)."""
    q = select(model.id).where(condition).order_by(model.id).limit(limit)
    with Session(db.engine) as s:
        if s.bind.dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True)
        ids = list(s.scalars(q))
        s.commit()
    return ids


def sweep(limit: int = 200, then: Callable[[int, Outcome], object] | None = None) -> int:
    """Try every due row; returns how many were sent. ``then(row_id, outcome)`` hears each
    attempt: the worker's sweep schedules the retries with it."""
    return tried(due_ids(limit), attempt, then)


def tried(ids: list[int], attempt_one: Callable[[int], Outcome],
          then: Callable[[int, Outcome], object] | None) -> int:
    """Attempt each row of a sweep (mails or webhook deliveries); returns how many went out."""
    sent = 0
    for row_id in ids:
        outcome = attempt_one(row_id)
        if then is not None:
            then(row_id, outcome)
        sent += outcome.sent
    return sent


# --- what officers and users see -----------------------------------------------------

def failed_messages(limit: int = 100) -> list[OutboxMessage]:
    """Mails given up after the last retry, newest first (for the officer dashboard)."""
    return list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED).order_by(OutboxMessage.id.desc()).limit(limit)
    ))


def possible_duplicates(limit: int = 100) -> list[OutboxMessage]:
    """Mails sent again after an attempt whose outcome was never known, newest first."""
    return list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.possible_duplicate.is_(True))
        .order_by(OutboxMessage.id.desc()).limit(limit)
    ))


def status_counts() -> dict[str, int]:
    rows = db.session.execute(select(OutboxMessage.status, func.count(OutboxMessage.id)).group_by(OutboxMessage.status))
    counts = dict.fromkeys(OutboxStatus, 0)
    counts.update({status: n for status, n in rows})
    return counts


def retry(message: OutboxMessage) -> None:
    """Give a failed mail a fresh set of attempts; sent after the caller commits."""
    if message.status != OutboxStatus.FAILED:
        return
    message.status = OutboxStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = now()
    db.session.info.setdefault("outbox_ids", []).append(message.id)


def unread_count(user: User) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(Notification.user_id == user.id, Notification.read.is_(False))
    ) or 0


def notices_of(user: User, limit: int = 200) -> list[Notification]:
    """The user's in-app notices, newest first."""
    return list(db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id.desc()).limit(limit)))


def mark_all_read(user: User) -> None:
    db.session.execute(update(Notification).where(Notification.user_id == user.id, Notification.read.is_(False))
                       .values(read=True))

