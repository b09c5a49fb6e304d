"""The append-only audit log."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime
from app.core.clock import now


class AuditEntry(db.Model):
    __tablename__ = "audit_log"
    # A call's trail also reads the entries about the call written before entries knew their call.
    __table_args__ = (Index("ix_audit_log_object_type", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int | None] = mapped_column()
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    # The call the entry belongs to, for that call's audit trail. A plain indexed number, no
    # foreign key: the append-only log never blocks, nor follows, a deletion elsewhere.
    call_id: Mapped[int | None] = mapped_column(index=True)
    # Each entry carries the hash of the one before, so an edit anywhere breaks the chain.
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
