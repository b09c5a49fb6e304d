"""Outbound webhooks: endpoints an agency's officers register, and each delivery to one of them."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime
from app.core.clock import now


class WebhookEvent(StrEnum):
    """What a receiving system can be told about a call of the programme."""

    CALL_PUBLISHED = "call.published"
    CALL_CLOSED = "call.closed"
    RESULTS_ANNOUNCED = "results.announced"


class DeliveryStatus(StrEnum):
    """pending -> sending (leased to one worker) -> delivered; back to pending for a retry; failed at last."""

    PENDING = "pending"
    SENDING = "sending"
    DELIVERED = "delivered"
    FAILED = "failed"


class Webhook(db.Model):
    """An endpoint of another system, told about the programme's calls by a signed POST."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(String(200), default="")
    # The signing secret, sealed (app/core/sealing.py): signing needs the secret itself, so it is
    # kept encrypted, not hashed, and shown to the officer only once, when it is made.
    secret_sealed: Mapped[str] = mapped_column(Text)
    events: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    programme = relationship("Programme")
    created_by = relationship("User", foreign_keys=[created_by_id])

    def wants(self, event: str) -> bool:
        return self.active and event in (self.events or ())


class WebhookDelivery(db.Model):
    """One event for one endpoint, written in the transaction of the change it tells about.

    The body is fixed when the row is written: every attempt sends the same bytes, the same
    delivery id and so the same signature, so a receiver drops a repeat by its delivery id.
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (UniqueConstraint("webhook_id", "event", "call_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"), index=True)
    delivery_id: Mapped[str] = mapped_column(String(36), unique=True)
    event: Mapped[str] = mapped_column(String(32))
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, index=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    webhook = relationship("Webhook")
    call = relationship("Call")
