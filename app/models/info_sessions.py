"""사업 설명회 (information sessions) of a call, and the people registered for them.

A session has a capacity; registrations beyond it wait in order (``registered_at``, then id)
and the first one waiting takes a seat that frees up. One registration per account: every
attendee is a person with an account, so attendance, reminders and the capacity all count
people. The slides are kept by sha256 like a proposal's attachments.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import now
from app.extensions import db
from app.models.calls import Call
from app.models.organisations import User
from app.models.types import UTCDateTime


class InfoSessionState(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class SeatStatus(StrEnum):
    SEATED = "seated"  # has a seat
    WAITING = "waiting"  # on the waiting list
    WITHDRAWN = "withdrawn"  # cancelled by the registrant


class InfoSession(db.Model):
    __tablename__ = "info_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(200), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int] = mapped_column(Integer)
    registration_closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    description: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16), default=InfoSessionState.SCHEDULED)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Each change to the time or place is a new version of the calendar event (ICS SEQUENCE).
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    slides_filename: Mapped[str | None] = mapped_column(String(255))
    slides_size: Mapped[int | None] = mapped_column(BigInteger)
    slides_sha256: Mapped[str | None] = mapped_column(String(64))
    slides_type: Mapped[str | None] = mapped_column(String(16))
    slides_storage_key: Mapped[str | None] = mapped_column(String(100))
    slides_uploaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    call: Mapped[Call] = relationship()
    registrations: Mapped[list["InfoSessionRegistration"]] = relationship(
        back_populates="session", cascade="all, delete-orphan",
        order_by="(InfoSessionRegistration.registered_at, InfoSessionRegistration.id)")

    @property
    def cancelled(self) -> bool:
        return self.state == InfoSessionState.CANCELLED


class InfoSessionRegistration(db.Model):
    __tablename__ = "info_session_registrations"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("info_sessions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_name: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default=SeatStatus.WAITING)
    # The place in the queue: registering again after withdrawing starts at the end.
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    seated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attended: Mapped[bool] = mapped_column(Boolean, default=False)
    attendance_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attendance_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    session: Mapped[InfoSession] = relationship(back_populates="registrations")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
