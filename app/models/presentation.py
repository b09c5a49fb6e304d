"""발표평가 as an event: a presentation stage's schedule, and one time slot per shortlisted proposal.

The schedule is the officer's (date, place, slot length, break, presenter rule, slides cut-off,
no-show rule, the chair); slots are generated from it in receipt-number order and shown to
nobody but the officers until the schedule is published. A slot then carries what happens
around the presentation: the applicant's confirmation, the slides (kept by sha256 like a
proposal's attachments), the attendance the officer records, and the chair's (위원장)
consensus opinion (종합의견). The panel's scores are ordinary review sheets of the stage.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.organisations import User
from app.models.proposals import Proposal
from app.models.stages import EvaluationStage
from app.models.types import UTCDateTime
from app.core.clock import now


class NoShowRule(StrEnum):
    """What happens to a proposal whose consortium does not come to its slot."""

    EXCLUDE = "exclude"  # not evaluated in the stage: it fails the stage
    EVALUATE_DOCUMENTS = "evaluate_documents"  # the panel scores it on the documents alone


class Attendance(StrEnum):
    PENDING = "pending"  # not recorded yet
    PRESENT = "present"
    ABSENT = "absent"


class PresentationSchedule(db.Model):
    __tablename__ = "presentation_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("evaluation_stages.id", ondelete="CASCADE"), unique=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the first slot's start
    room: Mapped[str] = mapped_column(String(200), default="")
    video_url: Mapped[str] = mapped_column(String(500), default="")
    slot_minutes: Mapped[int] = mapped_column(Integer)
    break_minutes: Mapped[int] = mapped_column(Integer, default=0)
    presenter_rule: Mapped[str] = mapped_column(Text, default="")
    slides_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    no_show_rule: Mapped[str] = mapped_column(String(32), default=NoShowRule.EXCLUDE)
    # The panel's 위원장: a reviewer seated in this stage; only they write the 종합의견.
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)

    stage: Mapped[EvaluationStage] = relationship()
    chair: Mapped[User | None] = relationship(foreign_keys=[chair_id])
    slots: Mapped[list["PresentationSlot"]] = relationship(
        back_populates="schedule", cascade="all, delete-orphan", order_by="PresentationSlot.position")


class PresentationSlot(db.Model):
    __tablename__ = "presentation_slots"
    __table_args__ = (UniqueConstraint("schedule_id", "proposal_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("presentation_schedules.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Each change after publication is a new version of the calendar event (ICS SEQUENCE).
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    attendance: Mapped[str] = mapped_column(String(16), default=Attendance.PENDING)
    attendance_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attendance_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    slides_filename: Mapped[str | None] = mapped_column(String(255))
    slides_size: Mapped[int | None] = mapped_column(BigInteger)
    slides_sha256: Mapped[str | None] = mapped_column(String(64))
    slides_type: Mapped[str | None] = mapped_column(String(16))
    slides_storage_key: Mapped[str | None] = mapped_column(String(100))
    slides_uploaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    slides_uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    opinion: Mapped[str] = mapped_column(Text, default="")
    opinion_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opinion_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    schedule: Mapped[PresentationSchedule] = relationship(back_populates="slots")
    proposal: Mapped[Proposal] = relationship()
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])
    opinion_by: Mapped[User | None] = relationship(foreign_keys=[opinion_by_id])
