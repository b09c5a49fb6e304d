"""Amendments of a published call (변경공고): what changed, why, and in which order."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.organisations import User
from app.models.types import UTCDateTime
from app.core.clock import now


class CallAmendment(db.Model):
    """One 변경공고: numbered per call from 1, public, never edited once written."""

    __tablename__ = "call_amendments"
    __table_args__ = (UniqueConstraint("call_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    # {field: [old, new]} as readable values (KST text, won as integers, one line per criterion):
    # the public page and the mail show them as they are, whatever the call has become since.
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    actor: Mapped[User | None] = relationship()
