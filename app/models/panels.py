"""Forming a stage's panel: stored recommendations, the recruitment and its invitations.

Recommendations are computed in the background (app/review/recommend.py) and kept, one row per
candidate per proposal plus the stage's panel ranking (``proposal_id`` None), so the officer's
page reads them without the matching engine. A recruitment invites candidates of the panel
ranking in rounds (app/review/recruitment.py); each invitation is answered through a single-use
link whose token is kept only as a hash, and its outcome (declined with a reason, expired
without an answer) stays as the candidate's history for the next calls.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.calls import Call
from app.models.organisations import User
from app.models.types import UTCDateTime
from app.core.clock import now


class RecommendationRun(db.Model):
    """When a stage's recommendations were asked for and computed, and what was left out."""

    __tablename__ = "panel_recommendation_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("evaluation_stages.id", ondelete="CASCADE"), unique=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # None while the task runs (or waits for a worker).
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    candidates: Mapped[int] = mapped_column(Integer, default=0)
    unavailable: Mapped[int] = mapped_column(Integer, default=0)
    # {proposal id: candidates left out for a conflict}: the officer sees how many, never who.
    conflicts: Mapped[dict] = mapped_column(JSON, default=dict)


class Recommendation(db.Model):
    """One recommended candidate: for a proposal, or (``proposal_id`` None) in the panel ranking."""

    __tablename__ = "panel_recommendations"

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("evaluation_stages.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int] = mapped_column(Integer)
    # BM25 relevance after the load, industry and history adjustments, as text ("12.3456").
    score: Mapped[str] = mapped_column(String(32))
    terms: Mapped[list] = mapped_column(JSON, default=list)
    industry: Mapped[bool] = mapped_column(default=False)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    user: Mapped[User] = relationship()

    @property
    def score_value(self) -> Decimal:
        return Decimal(self.score)


class Recruitment(db.Model):
    """Inviting a stage's panel in rounds until its seats are filled."""

    __tablename__ = "panel_recruitments"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("evaluation_stages.id", ondelete="CASCADE"), unique=True)
    seats: Mapped[int] = mapped_column(Integer)
    invite_factor: Mapped[int] = mapped_column(Integer, default=3)
    response_days: Mapped[int] = mapped_column(Integer, default=5)
    # Wanted share of industry reviewers (org_type tenant_company or ai_supplier), 0..1.
    industry_share: Mapped[Decimal] = mapped_column(Numeric(3, 2), default=Decimal("0.30"))
    current_round: Mapped[int] = mapped_column(Integer, default=0)
    started_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    # Set when the panel is full ("full") or nobody is left to invite ("exhausted").
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    closed_reason: Mapped[str] = mapped_column(String(16), default="")

    call: Mapped[Call] = relationship()
    started_by: Mapped[User] = relationship()
    invitations: Mapped[list["PanelInvitation"]] = relationship(
        back_populates="recruitment", order_by="(PanelInvitation.round, PanelInvitation.rank)")


class InvitationStatus(StrEnum):
    INVITED = "invited"  # waiting for an answer
    ACCEPTED = "accepted"  # joined the call's panel
    DECLINED = "declined"  # said no, with a reason
    EXPIRED = "expired"  # no answer by the deadline
    NOT_NEEDED = "not_needed"  # the panel filled before they answered
    WITHDRAWN = "withdrawn"  # the officer took the invitation back


# Outcomes that count against a candidate in later recommendations.
REMEMBERED = (InvitationStatus.DECLINED, InvitationStatus.EXPIRED)


class PanelInvitation(db.Model):
    __tablename__ = "panel_invitations"
    __table_args__ = (UniqueConstraint("stage_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recruitment_id: Mapped[int] = mapped_column(ForeignKey("panel_recruitments.id", ondelete="CASCADE"), index=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("evaluation_stages.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[str] = mapped_column(String(32))
    explanation: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=InvitationStatus.INVITED, index=True)
    # sha256 of the link's token: the link alone answers, and the database never holds it.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    respond_by: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_reason: Mapped[str] = mapped_column(Text, default="")

    recruitment: Mapped[Recruitment] = relationship(back_populates="invitations")
    call: Mapped[Call] = relationship()
    user: Mapped[User] = relationship()
    stage: Mapped["EvaluationStage"] = relationship()  # noqa: F821 - app.models.stages

    @property
    def open(self) -> bool:
        return self.status == InvitationStatus.INVITED
