"""A call's selection procedure as data: its ordered stages and how their scores combine.

SPEC §6: 요건검토 always comes first; then one or more evaluation stages of kind 서면
(written), 발표 (presentation) or 현장 (site visit), each with its own rubric, panel size,
due date and engine policy (trimming, pass mark …), and a shortlist rule to the next stage
(top K, or a multiple of the awards such as 3배수, among those passing). How the stage
scores make the final score is the call's ``final_score``: the last stage only, or the
stages' weights (percent, summing to 100). The procedure is announced with the call and
follows the rubric's rule (app/calls/stages.py): once the call has opened a change is a
변경공고 (app/calls/amendments.py), and from the first submission none is possible.
"""
from __future__ import annotations

from copy import deepcopy
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.extensions import db
from app.models.types import UTCDateTime
from app.core.clock import now


class StageKind(StrEnum):
    REQUIREMENTS = "requirements"  # 요건검토: eligibility and participation bans, no scores
    WRITTEN = "written"  # 서면평가
    PRESENTATION = "presentation"  # 발표평가
    SITE = "site"  # 현장평가

    @property
    def evaluates(self) -> bool:
        return self != StageKind.REQUIREMENTS


class ShortlistRule(StrEnum):
    ALL = "all"  # every proposal that passes goes on
    TOP = "top"  # the top K of those passing
    MULTIPLE = "multiple"  # K × the call's awards (K = 3: 3배수) of those passing


class FinalScore(StrEnum):
    LAST = "last"  # the last evaluation stage's score
    WEIGHTED = "weighted"  # the stages' scores by their weights (percent, summing to 100)


class EvaluationStage(db.Model):
    __tablename__ = "evaluation_stages"
    __table_args__ = (UniqueConstraint("call_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # 0 is 요건검토; evaluation stages follow from 1
    kind: Mapped[str] = mapped_column(String(16))
    panel_size: Mapped[int] = mapped_column(Integer, default=5)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The scoring contract's rubric and policy for this stage (shared/spec/scoring.md). The
    # first evaluation stage's are the call's own (``Call.rubric``/``Call.policy``, edited on
    # the rubric page), so these stay empty there; later stages carry their own.
    rubric: Mapped[dict | None] = mapped_column(JSON)
    policy: Mapped[dict | None] = mapped_column(JSON)
    # Who goes on to the next evaluation stage; the last stage's rule is unused.
    shortlist_rule: Mapped[str] = mapped_column(String(16), default=ShortlistRule.ALL)
    shortlist_value: Mapped[int] = mapped_column(Integer, default=0)
    # Percent of the final score when the call's final score is weighted.
    weight: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    # How far the stage has run (app/review/stage_scope.py): results computed (with the digest
    # of what they read, as CallOutcome keeps the call's), then confirmed with its shortlist.
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    inputs_digest: Mapped[str | None] = mapped_column(String(64))
    # Read only by the stage's results page: a stage of five thousand sheets makes it large.
    reviewer_stats: Mapped[list | None] = mapped_column(JSON, deferred=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    call = relationship("Call", back_populates="stages")

    @property
    def evaluates(self) -> bool:
        return StageKind(self.kind).evaluates

    def copied(self, due_at: datetime | None) -> EvaluationStage:
        """The same stage for another call (a copy for next year's round), due at ``due_at``."""
        return EvaluationStage(
            position=self.position, kind=self.kind, panel_size=self.panel_size, due_at=due_at,
            rubric=deepcopy(self.rubric), policy=deepcopy(self.policy), shortlist_rule=self.shortlist_rule,
            shortlist_value=self.shortlist_value, weight=self.weight,
        )


def default_procedure(panel_size: int, due_at: datetime | None = None) -> list[EvaluationStage]:
    """요건검토, then one 서면평가 by the call's panel: how a call is run until the officer sets another.

    요건검토 has no panel (the officer screens), hence its size 0.
    """
    return [
        EvaluationStage(position=0, kind=StageKind.REQUIREMENTS, panel_size=0,
                        shortlist_rule=ShortlistRule.ALL, shortlist_value=0),
        EvaluationStage(position=1, kind=StageKind.WRITTEN, panel_size=panel_size, due_at=due_at,
                        shortlist_rule=ShortlistRule.ALL, shortlist_value=0),
    ]


class StageResult(db.Model):
    """One proposal's result in one evaluation stage, as the engine computed it on that stage.

    ``advanced`` is None until the stage is confirmed; then it says whether the proposal goes
    on to the next stage (the shortlist), with the reason in ``breakdown["shortlist"]``. The
    call's final ranking stays in ``Result``: from the only stage's results as before, or,
    with several stages, from the final scores (``scoring.stages``).
    """

    __tablename__ = "stage_results"
    __table_args__ = (UniqueConstraint("stage_id", "proposal_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("evaluation_stages.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int] = mapped_column(Integer)
    total: Mapped[Decimal] = mapped_column(Numeric(16, 6))
    passed: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(String(200))
    advanced: Mapped[bool | None] = mapped_column(Boolean)
    # The engine's output for this proposal (figures as strings), its explanation and, once
    # confirmed, the shortlist's explanation: {"explanation": {"ko": [...], "en": [...]}, "shortlist": {...}}.
    breakdown: Mapped[dict] = mapped_column(JSON, default=dict)
    figures: Mapped[dict | None] = mapped_column(JSON)  # as ``Result.figures``
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    stage: Mapped[EvaluationStage] = relationship()

    @validates("breakdown")
    def _keep_figures(self, _key, value):
        from app.models.decisions import figures_of

        self.figures = figures_of(value)
        return value
