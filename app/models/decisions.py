"""What the officer decides about proposals: eligibility, results, selection, objections."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, Numeric, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.extensions import db
from app.models.calls import Call
from app.models.organisations import User
from app.models.proposals import Proposal
from app.models.review import ReviewAssignment
from app.models.types import UTCDateTime
from app.core.clock import now


def figures_of(breakdown: dict | None) -> dict:
    """The few figures of a breakdown a ranking table shows: total, bonus, criteria, stage totals
    and, for a stage, the shortlist's verdict and lines."""
    b = breakdown or {}
    out = {key: b[key] for key in ("total", "bonus", "criteria", "stage_totals") if key in b}
    if "shortlist" in b:
        out["shortlist"] = b["shortlist"]
    return out


class EligibilityStatus(StrEnum):
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class ObjectionStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"


class ObjectionGround(StrEnum):
    """The admissible grounds of an objection (SPEC section 6)."""

    EVALUATOR_ERROR = "evaluator_error"  # 평가위원의 결정적 오류
    MISREADING = "misreading"  # 명백한 사실 오인
    ADMINISTRATIVE = "administrative"  # 행정 착오


class ObjectionDecision(StrEnum):
    UPHELD = "upheld"  # 인용
    PARTLY_UPHELD = "partly_upheld"  # 일부인용
    REJECTED = "rejected"  # 기각


class ReevaluationStatus(StrEnum):
    NONE = ""
    OPEN = "open"  # a new panel is reviewing the proposal
    APPLIED = "applied"  # its result was applied to the call's ranking


class EligibilityDecision(db.Model):
    """The officer's screening verdict (적격성 검토) on one submitted proposal."""

    __tablename__ = "eligibility_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    # What the automatic checks found when the officer decided, kept as evidence.
    automatic_checks: Mapped[list] = mapped_column(JSON, default=list)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    proposal: Mapped[Proposal] = relationship()
    decided_by: Mapped[User] = relationship()


class CallOutcome(db.Model):
    """When the results of a call were computed, decided and announced, and by whom."""

    __tablename__ = "call_outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), unique=True)
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    computed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Reviewer statistics of the last computation, in the engine's JSON form.
    reviewer_stats: Mapped[list] = mapped_column(JSON, default=list)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    announced_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # What the last computation read (eligible proposals, each assignment's sheet state), as a
    # digest: when it no longer matches, the results are stale and the selection is not decided.
    inputs_digest: Mapped[str | None] = mapped_column(String(64))

    call: Mapped[Call] = relationship()

    @classmethod
    def of(cls, call: Call) -> "CallOutcome":
        """The call's outcome row, created on first use."""
        row = db.session.scalar(select(cls).where(cls.call_id == call.id))
        if row is None:
            row = cls(call_id=call.id)
            db.session.add(row)
            db.session.flush()
        return row


class Result(db.Model):
    """One proposal's place in the ranking, as the scoring engine computed it.

    ``engine_selected`` is the engine's verdict; ``selected`` is the final one, which
    differs only through an override with a written reason.
    """

    __tablename__ = "results"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), unique=True)
    rank: Mapped[int] = mapped_column(Integer)
    total: Mapped[Decimal] = mapped_column(Numeric(16, 6))
    passed: Mapped[bool] = mapped_column(Boolean)
    engine_selected: Mapped[bool] = mapped_column(Boolean)
    selected: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(String(200))
    # The engine's output for this proposal (figures as strings) and its explanation.
    breakdown: Mapped[dict] = mapped_column(JSON, default=dict)
    # What the ranking tables show of it (``figures_of``), kept with it: a thousand breakdowns,
    # each with its explanation in two languages per stage, were most of the ranking page's time.
    figures: Mapped[dict | None] = mapped_column(JSON)
    override_reason: Mapped[str] = mapped_column(Text, default="")
    overridden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    overridden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    # When a re-evaluation after an objection last changed this proposal's final outcome.
    reevaluated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    proposal: Mapped[Proposal] = relationship()

    @validates("breakdown")
    def _keep_figures(self, _key, value):
        self.figures = figures_of(value)
        return value

    @property
    def overridden(self) -> bool:
        return self.selected != self.engine_selected


class LeftOutSheet(db.Model):
    """A missing review sheet the officer leaves out of the results, with the reason why.

    Results are computed only when every live assignment's sheet is submitted or left out
    here; a left-out sheet never counts, even if it is submitted later.
    """

    __tablename__ = "left_out_sheets"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("review_assignments.id", ondelete="CASCADE"), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    assignment: Mapped[ReviewAssignment] = relationship()
    officer: Mapped[User] = relationship()


class Objection(db.Model):
    """An objection (이의신청) a consortium files against its result."""

    __tablename__ = "objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    grounds: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    answer: Mapped[str] = mapped_column(Text, default="")
    re_evaluation: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), default=ObjectionStatus.OPEN)
    ground: Mapped[str] = mapped_column(String(32), default="")  # an ObjectionGround ("" before grounds were keyed)
    decision: Mapped[str] = mapped_column(String(16), default="")  # an ObjectionDecision once answered
    reevaluation_status: Mapped[str] = mapped_column(String(16), default=ReevaluationStatus.NONE)
    reevaluation_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reevaluation_applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Whether applying the re-evaluation changed any proposal's final outcome.
    reevaluation_changed: Mapped[bool | None] = mapped_column(Boolean)

    proposal: Mapped[Proposal] = relationship()
    filed_by: Mapped[User] = relationship(foreign_keys=[filed_by_id])
    evidence: Mapped[list["ObjectionEvidence"]] = relationship(
        back_populates="objection", cascade="all, delete-orphan", order_by="ObjectionEvidence.id")


class ObjectionEvidence(db.Model):
    """A file the applicant attaches to an objection; the blob is kept by its sha256 like attachments."""

    __tablename__ = "objection_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    objection_id: Mapped[int] = mapped_column(ForeignKey("objections.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    detected_type: Mapped[str] = mapped_column(String(16))
    storage_key: Mapped[str] = mapped_column(String(100))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    objection: Mapped[Objection] = relationship(back_populates="evidence")
