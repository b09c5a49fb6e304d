"""Notifications: the outbox of mails and the in-app list."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import force_locale, gettext
from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, validates

from app.extensions import db
from app.models.types import UTCDateTime
from app.core.clock import now
from app.core.safe_redirect import local_path


class OutboxStatus(StrEnum):
    """pending -> sending (leased to one worker) -> sent; or back to pending for a retry; failed at last."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(db.Model):
    """A mail to send, written in the same transaction as the change that causes it."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique so that the same event can never be queued, nor therefore sent, twice.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    template: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    to_email: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(5), default="ko")
    context: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, index=True)
    # While "sending", no other worker touches the row before this instant; a worker that
    # died mid-send leaves the row to be taken over once the lease has run out.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Fixed when the row is queued and sent by every attempt, so a receiving system can
    # drop a second copy (app/notifications/mailer.py says when there can be one).
    message_id: Mapped[str] = mapped_column(String(255), default="")
    # When an attempt handed the mail to the server and has not yet learnt the answer:
    # written before the hand-over, cleared on a refusal. Still set when a lapsed lease
    # is taken over, it means the mail may already have been delivered.
    attempted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Sent again after an attempt whose outcome was never learnt: the recipient may hold
    # two copies (same Message-ID). Listed for admins at /dev/mail.
    possible_duplicate: Mapped[bool] = mapped_column(Boolean, default=False)


class Notification(db.Model):
    """What the user sees in the portal's own notification list."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    # The Korean source text as a gettext msgid, with its placeholders' values: the notice
    # is translated when it is shown, in the reader's language of that moment, through the
    # same catalog as every other text of the portal.
    message: Mapped[str] = mapped_column(Text)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    url: Mapped[str] = mapped_column(String(300), default="")
    read: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    @property
    def text(self) -> str:
        """The notice in the current locale."""
        # Without params gettext does no %-formatting, so a stored text with a literal "%"
        # (every notice written before notices were translated) shows as it was written.
        return gettext(self.message, **self.params) if self.params else gettext(self.message)

    def text_in(self, locale: str) -> str:
        with force_locale(locale):
            return self.text

    @validates("url")
    def _store_as_path(self, key, value):
        # Whatever a caller passes (an absolute link meant for a mail, say), a notice keeps
        # only a path on this site, so following it can never lead elsewhere.
        return local_path(value)


class Subscription(db.Model):
    """A user's wish to be told when a programme opens a new call."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("user_id", "programme_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class ReminderLog(db.Model):
    """One row per clock-driven event that must happen once.

    The unique (call, kind, user) is the guard that makes the beat idempotent when two
    beat processes or many workers run it at once: whoever inserts the row does the
    work, in the same transaction. Call-wide events ("opened", "closed") use user_id 0.
    """

    __tablename__ = "reminder_log"
    __table_args__ = (UniqueConstraint("call_id", "kind", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    # Not a foreign key: 0 stands for "the call itself", and NULLs would not be unique.
    user_id: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
