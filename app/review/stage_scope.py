"""Which evaluation stage of a call is running, and which proposals are in it.

A call's evaluation stages (app/models/stages.py) run one after another: the first takes
every submitted proposal the officer did not reject at 요건검토; each later stage takes the
proposals the stage before it shortlisted when the officer confirmed it. The *current*
stage is the first one not yet confirmed (the last one once all are). Panels, sheets and
results are each stage's own; a call with one evaluation stage works as it always did.

The first evaluation stage's rubric and policy are the call's own (``Call.rubric``/``policy``,
edited on the rubric page); later stages carry theirs, with the call's number of awards.
"""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Call, EligibilityDecision, Proposal
from app.models.decisions import EligibilityStatus
from app.models.proposals import ProposalStatus
from app.models.stages import EvaluationStage, StageResult


def evaluation_stages(call: Call) -> list[EvaluationStage]:
    return [s for s in call.stages if s.evaluates]


def first_stage(call: Call) -> EvaluationStage:
    return evaluation_stages(call)[0]


def current_stage(call: Call) -> EvaluationStage:
    """The first evaluation stage not yet confirmed; the last one once every stage is."""
    stages = evaluation_stages(call)
    return next((s for s in stages if s.confirmed_at is None), stages[-1])


def stage_of(call: Call, stage_id: int | None) -> EvaluationStage | None:
    """The call's evaluation stage with this id (None for anything else); the current one for None."""
    if stage_id is None:
        return current_stage(call)
    return next((s for s in evaluation_stages(call) if s.id == stage_id), None)


def previous_stage(stage: EvaluationStage) -> EvaluationStage | None:
    stages = evaluation_stages(stage.call)
    i = stages.index(stage)
    return stages[i - 1] if i > 0 else None


def next_stage(stage: EvaluationStage) -> EvaluationStage | None:
    stages = evaluation_stages(stage.call)
    i = stages.index(stage)
    return stages[i + 1] if i + 1 < len(stages) else None


def is_first(stage: EvaluationStage) -> bool:
    return previous_stage(stage) is None


def is_last(stage: EvaluationStage) -> bool:
    return next_stage(stage) is None


def is_multi_stage(call: Call) -> bool:
    return len(evaluation_stages(call)) > 1


def has_started(stage: EvaluationStage) -> bool:
    """A stage runs once the one before it is confirmed; the first from the call's closing."""
    before = previous_stage(stage)
    return before is None or before.confirmed_at is not None


def rubric_of(stage: EvaluationStage) -> dict:
    return (stage.call.rubric if is_first(stage) else stage.rubric) or {}


def policy_of(stage: EvaluationStage) -> dict:
    if is_first(stage):
        return stage.call.policy or {}
    return {**(stage.policy or {}), "awards": stage.call.awards}


def panel_size(stage: EvaluationStage) -> int:
    return (stage.call.reviewers_per_proposal if is_first(stage) else stage.panel_size) or 5


def proposal_ids_in(stage: EvaluationStage) -> list[int]:
    """The proposals a stage evaluates, in id order.

    The first stage: every submitted proposal the officer did not reject at screening (its
    panels form while screening goes on; results count only the eligible, as before). A
    later stage: those the stage before shortlisted, once it is confirmed, else none.
    """
    before = previous_stage(stage)
    if before is None:
        rejected = select(EligibilityDecision.proposal_id).where(
            EligibilityDecision.status == EligibilityStatus.REJECTED)
        return list(db.session.scalars(
            select(Proposal.id).where(Proposal.call_id == stage.call_id, Proposal.status == ProposalStatus.SUBMITTED,
                                      Proposal.id.not_in(rejected)).order_by(Proposal.id)))
    if before.confirmed_at is None:
        return []
    return list(db.session.scalars(
        select(StageResult.proposal_id).where(StageResult.stage_id == before.id, StageResult.advanced.is_(True))
        .order_by(StageResult.proposal_id)))


def stage_results(stage: EvaluationStage) -> list[StageResult]:
    return list(db.session.scalars(
        select(StageResult).where(StageResult.stage_id == stage.id).order_by(StageResult.rank, StageResult.id)))


def result_in(stage: EvaluationStage, proposal_id: int) -> StageResult | None:
    return db.session.scalar(select(StageResult).where(StageResult.stage_id == stage.id,
                                                       StageResult.proposal_id == proposal_id))


def stage_for_proposal(call: Call, proposal_id: int) -> EvaluationStage:
    """The latest stage the proposal reached (the first one before any stage is confirmed)."""
    reached = first_stage(call)
    for stage in evaluation_stages(call)[1:]:
        if proposal_id in proposal_ids_in(stage):
            reached = stage
    return reached
