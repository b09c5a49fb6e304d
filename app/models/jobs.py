"""Heavy work done by a Celery worker rather than a web process: a job, its progress and its result.

A job is written by the request that asks for it and handed to a worker by its id
(``app.jobs``); the worker moves it from queued to running to done or failed, reporting its
progress as it goes, and keeps a file it produced in the storage (``result_key``). Only the
person who started it sees it. Suggestions that take the matching engine are kept here too,
computed by a job and shown from the stored list.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.organisations import User
from app.models.types import UTCDateTime
from app.core.clock import now


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


FINISHED = (JobState.DONE, JobState.FAILED)


class Job(db.Model):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), default=JobState.QUEUED)
    progress: Mapped[int] = mapped_column(Integer, default=0)  # 0–100
    message: Mapped[str] = mapped_column(String(300), default="")
    result_key: Mapped[str | None] = mapped_column(String(300))
    result_filename: Mapped[str | None] = mapped_column(String(200))
    result_mimetype: Mapped[str | None] = mapped_column(String(120))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    owner: Mapped[User] = relationship()

    @property
    def finished(self) -> bool:
        return self.state in FINISHED


class SuggestionList(db.Model):
    """The last suggestions computed for one listing or draft proposal, as one viewer may see them.

    ``kind`` is ``suppliers`` (for a need), ``needs`` (for a capability) or ``members`` (for a
    proposal); ``items`` holds ``{"kind", "id", "line"}`` per suggestion, best first.
    """

    __tablename__ = "suggestion_lists"
    __table_args__ = (UniqueConstraint("kind", "subject_id", "viewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column(Integer)
    viewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    items: Mapped[list] = mapped_column(JSON, default=list)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
