"""Review (선정평가): the reviewer pool, assignments, review sheets and challenges (기피).

An assignment is never deleted: a recusal (회피) or an upheld challenge leaves the row
with its status and reason, so the record shows who was excluded and why, and the
unique (proposal, reviewer) pair keeps that reviewer off the proposal for good.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.calls import Call
from app.models.organisations import User
from app.models.proposals import Proposal
from app.models.types import UTCDateTime
from app.core.clock import now


class CoiStatus(StrEnum):
    """Where an assignment's conflict-of-interest declaration stands (``coi_status``)."""

    PENDING = "pending"  # assigned, no declaration yet
    DECLARED = "declared"  # pledged no conflict, may review
    RECUSED = "recused"  # the reviewer withdrew (회피)
    REMOVED = "removed"  # taken off by an officer or an upheld 기피


# The assignments that still count: for the panel's size, the load and the reminders.
ACTIVE_COI = (CoiStatus.PENDING, CoiStatus.DECLARED)


class SheetStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class ChallengeStatus(StrEnum):
    PENDING = "pending"
    UPHELD = "upheld"
    REJECTED = "rejected"


class ReviewerPoolEntry(db.Model):
    """A person invited to review for one call, with the affiliation they review under."""

    __tablename__ = "reviewer_pool"
    __table_args__ = (UniqueConstraint("call_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    organisation_name: Mapped[str] = mapped_column(String(200), default="")
    department: Mapped[str] = mapped_column(String(100), default="")
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    call: Mapped[Call] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class ReviewAssignment(db.Model):
    __tablename__ = "review_assignments"
    # A reviewer sits once per proposal and stage (the same person may judge the 서면 and 발표).
    __table_args__ = (UniqueConstraint("stage_id", "proposal_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The evaluation stage this seat is for (app/models/stages.py); its sheet is on that stage's rubric.
    stage_id: Mapped[int] = mapped_column(ForeignKey("evaluation_stages.id", ondelete="CASCADE"), index=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    coi_status: Mapped[str] = mapped_column(String(16), default=CoiStatus.PENDING, index=True)
    pledge_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pledge_text: Mapped[str] = mapped_column(Text, default="")
    recusal_reason: Mapped[str] = mapped_column(Text, default="")
    removed_reason: Mapped[str] = mapped_column(Text, default="")
    # None when the system assigned (automatic refill after a recusal).
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    automatic: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    # Set on a re-evaluation seat after an upheld objection: not part of the original panel.
    objection_id: Mapped[int | None] = mapped_column(ForeignKey("objections.id", ondelete="CASCADE"), index=True)

    call: Mapped[Call] = relationship()
    proposal: Mapped[Proposal] = relationship()
    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id])
    stage: Mapped["EvaluationStage"] = relationship()  # noqa: F821 - app.models.stages
    sheet: Mapped["ReviewSheet | None"] = relationship(back_populates="assignment", uselist=False)

    @property
    def active(self) -> bool:
        return self.coi_status in ACTIVE_COI

    @property
    def due(self) -> datetime | None:
        """The assignment's own due date, else its stage's."""
        return self.due_at or self.stage.due_at or self.call.review_due_at

    @property
    def pseudonym(self) -> str:
        # Stable across sheets of one call, and meaningless to anyone who sees only the scores.
        return f"R{self.reviewer_id}"


class ReviewSheet(db.Model):
    __tablename__ = "review_sheets"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("review_assignments.id", ondelete="CASCADE"), unique=True
    )
    # {criterion key: "27" or "A"}; strings so Decimal values survive JSON exactly.
    points: Mapped[dict] = mapped_column(JSON, default=dict)
    comments: Mapped[dict] = mapped_column(JSON, default=dict)
    overall_opinion: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=SheetStatus.DRAFT, index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopen_reason: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)

    assignment: Mapped[ReviewAssignment] = relationship(back_populates="sheet")

    @property
    def locked(self) -> bool:
        return self.status == SheetStatus.SUBMITTED


class Challenge(db.Model):
    """An applicant's challenge (기피신청) against an evaluator it believes conflicted.

    Applicants do not know the panel before the announcement, so they name the
    organisation (and, if known, the person); the officer matches it to an assignment.
    """

    __tablename__ = "review_challenges"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    target_organisation: Mapped[str] = mapped_column(String(200), default="")
    target_person: Mapped[str] = mapped_column(String(100), default="")
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=ChallengeStatus.PENDING, index=True)
    # The reviewer removed when the challenge was upheld.
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    proposal: Mapped[Proposal] = relationship()
    filed_by: Mapped[User] = relationship(foreign_keys=[filed_by_id])

    @property
    def target_description(self) -> str:
        return " / ".join(p for p in (self.target_organisation, self.target_person) if p)
