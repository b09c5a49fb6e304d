"""The transactional outbox: notifications are rows first, mails later.

``queue`` writes the row in the caller's transaction. After that transaction
commits, the ids are handed to the worker (or delivered in-process when there is
no broker); if it rolls back, nothing was ever announced.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Notification, OutboxMessage, User
from app.services import mailer
from app.services.clock import now

MAX_ATTEMPTS = 6


def queue(key: str, template: str, user: User, context: dict, *,
          in_app: tuple[str, str] | None = None, url: str = "") -> OutboxMessage | None:
    """Queue a mail (and optionally an in-app notice) once per key."""
    if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key)):
        return None
    msg = OutboxMessage(key=key, template=template, user_id=user.id, to_email=user.email,
                        locale=user.locale or "ko", context=context)
    db.session.add(msg)
    if in_app:
        db.session.add(Notification(user_id=user.id, kind=template, text_ko=in_app[0], text_en=in_app[1], url=url))
    db.session.flush()
    db.session.info.setdefault("outbox_ids", []).append(msg.id)
    return msg


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    ids = session.info.pop("outbox_ids", None)
    if ids and has_app_context():
        dispatch(ids)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop("outbox_ids", None)


def dispatch(ids: list[int]) -> None:
    if current_app.config.get("TASKS_EAGER"):
        for i in ids:
            deliver(i)
        return
    from workers.tasks import deliver_outbox  # imported late: the web app must not need Celery to import

    for i in ids:
        try:
            deliver_outbox.delay(i)
        except Exception:  # noqa: BLE001 - broker down: the periodic sweep will send it
            current_app.logger.warning("broker unavailable; outbox %s left for the sweep", i)


def deliver(message_id: int) -> bool:
    """Send one outbox row at most once. Returns True when this call sent it."""
    with Session(db.engine) as s:
        q = select(OutboxMessage).where(OutboxMessage.id == message_id)
        if s.bind.dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True)
        msg = s.scalar(q)
        if msg is None or msg.status != "pending":
            return False
        try:
            mailer.send(mailer.build(msg))
        except Exception as exc:  # noqa: BLE001 - any transport failure is retried later
            msg.attempts += 1
            msg.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if msg.attempts >= MAX_ATTEMPTS:
                msg.status = "failed"
            else:
                msg.next_attempt_at = now() + timedelta(seconds=30 * 2 ** msg.attempts)
            s.commit()
            return False
        msg.status = "sent"
        msg.sent_at = now()
        msg.attempts += 1
        s.commit()
        return True
