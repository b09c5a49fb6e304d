"""Assigning reviewers to proposals, by hand or automatically.

Panels are per evaluation stage (app/review/stage_scope.py): the officer assigns for the
call's current stage, and only the proposals in it. The automatic rule, deterministic for
the same inputs: proposals in id order; for each, the missing number of reviewers (the
stage's panel size) is taken from the pool ordered by the load in that stage, then
reviewer id, skipping anyone excluded (``app.review.exclusions`` says who and why).

Only submitted proposals are assigned, none the officer rejected at screening, and in a
later stage only those the stage before shortlisted.
Once the results are decided nothing about a panel changes: every write here first
takes the call's row lock and checks its phase (``lock_panel``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Call, Consortium, ConsortiumMember, Objection, Proposal, ReviewAssignment, ReviewerPoolEntry
from app.models.calls import CallStatus
from app.models.decisions import ReevaluationStatus
from app.models.review import CoiStatus
from app.models.stages import EvaluationStage
from app import audit
from app.review import panel_notices, stage_scope
from app.core.clock import now
from app.core.errors import ReviewError
# The exclusion rules are read through this module too (views, conflicts, re-evaluation).
from app.review.exclusions import (  # noqa: F401
    REASONS, Exclusion, NameNotice, PanelContext, assignments_of, exclusions, exclusions_by_proposal, name_notices,
    org_key,
)


class AssignmentError(ReviewError):
    pass


@dataclass
class AutoResult:
    created: list[ReviewAssignment] = field(default_factory=list)
    # proposal id -> how many reviewers are still missing after the run
    shortfall: dict[int, int] = field(default_factory=dict)


def assignable_proposals(call, stage: EvaluationStage | None = None) -> list[Proposal]:
    """The proposals in the stage (the current one by default): ``stage_scope.proposal_ids_in``."""
    stage = stage or stage_scope.current_stage(call)
    ids = stage_scope.proposal_ids_in(stage)
    if not ids:
        return []
    return list(db.session.scalars(
        select(Proposal)
        .where(Proposal.id.in_(ids))
        .options(selectinload(Proposal.consortium).selectinload(Consortium.members)
                 .selectinload(ConsortiumMember.organisation))
        .order_by(Proposal.id)
    ))


def _create(ctx: PanelContext, proposal, entry: ReviewerPoolEntry, actor, *, automatic: bool,
            due_at: datetime | None, trigger: str) -> ReviewAssignment:
    existing = ctx.rows.get(proposal.id, {}).get(entry.user_id)
    if existing is not None:  # only reachable for an inactive row, which exclusion() refuses
        raise AssignmentError(_l("이미 배정된 평가위원입니다."))
    a = ReviewAssignment(
        call_id=ctx.call.id, proposal_id=proposal.id, reviewer_id=entry.user_id, stage_id=ctx.stage.id,
        due_at=due_at or ctx.stage.due_at or ctx.call.review_due_at, coi_status=CoiStatus.PENDING,
        assigned_by_id=getattr(actor, "id", None), automatic=automatic, created_at=now(),
    )
    db.session.add(a)
    db.session.flush()
    ctx.rows.setdefault(proposal.id, {})[entry.user_id] = a
    ctx.load[entry.user_id] = ctx.load.get(entry.user_id, 0) + 1
    ctx.took(proposal, entry.user_id)
    audit.record(actor, "review.assigned", a, call_id=ctx.call.id, proposal_id=proposal.id,
                 reviewer_id=entry.user_id, stage=ctx.stage.position, automatic=automatic, trigger=trigger)
    panel_notices.assigned(a, proposal, entry.user)
    return a


ASSIGNING_STATUSES = (CallStatus.CLOSED, CallStatus.IN_REVIEW)


def lock_panel(call, assignment: ReviewAssignment | None = None, stage: EvaluationStage | None = None) -> bool:
    """Take the call's row lock and say whether its panels and sheets may still change.

    Every write to assignments and review sheets calls this first. The phase is read
    again under the lock, so a decision committed a moment ago is seen, and a decision
    being taken waits for this transaction: no write lands after the results are fixed.
    After the decision only ``assignment``, when it is a seat of an objection whose
    re-evaluation is open (``app.review.reevaluation``), may still change. A stage's panels
    and sheets (``stage``, or the assignment's) change only while it runs: after the stage
    before it is confirmed, until it is confirmed itself.
    """
    db.session.execute(
        select(Call).where(Call.id == call.id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()
    stage = stage if stage is not None else (assignment.stage if assignment is not None else None)
    if call.status() in ASSIGNING_STATUSES:
        if stage is None:
            return True
        db.session.refresh(stage, ["confirmed_at"])
        return stage.confirmed_at is None and stage_scope.has_started(stage)
    return assignment is not None and assignment.objection_id is not None and db.session.scalar(
        select(Objection.reevaluation_status).where(Objection.id == assignment.objection_id)
    ) == ReevaluationStatus.OPEN


def lock_assignment(assignment: ReviewAssignment) -> ReviewAssignment:
    """The assignment and its sheet read again under the row lock (two tabs, a double click)."""
    return db.session.execute(
        select(ReviewAssignment).where(ReviewAssignment.id == assignment.id).with_for_update()
        .options(selectinload(ReviewAssignment.sheet)).execution_options(populate_existing=True)
    ).scalar_one()


def ensure_assigning(call, stage: EvaluationStage | None = None) -> None:
    """Panels are formed after the call closes, stage by stage, and settle when the stage is confirmed."""
    stage = stage or stage_scope.current_stage(call)
    if not lock_panel(call, stage=stage):
        if call.status() in ASSIGNING_STATUSES:
            raise AssignmentError(_l("이 평가 단계는 이미 확정되었거나 아직 시작되지 않아 평가위원을 배정할 수 없습니다."))
        raise AssignmentError(_l("평가위원 배정은 접수 마감 후 결과 확정 전까지만 할 수 있습니다."))


def assign(call, proposal, reviewer_id: int, actor, *, due_at: datetime | None = None,
           distinct_organisations: bool = False) -> ReviewAssignment:
    """Manual assignment; the same exclusions hold, and an officer cannot override 제척."""
    stage = stage_scope.current_stage(call)
    ensure_assigning(call, stage)
    if proposal.call_id != call.id:
        raise AssignmentError(_l("이 공모의 신청서가 아닙니다."))
    if proposal.id not in stage_scope.proposal_ids_in(stage):
        raise AssignmentError(_l("이 평가 단계의 평가 대상인 신청서에만 평가위원을 배정할 수 있습니다."))
    ctx = PanelContext(call, stage)
    entry = ctx.by_user.get(reviewer_id)
    if entry is None:
        raise AssignmentError(_l("이 공모의 평가위원 풀에 없는 사람입니다."))
    if reviewer_id in ctx.active_reviewers(proposal):
        raise AssignmentError(_l("이미 이 신청서에 배정된 평가위원입니다."))
    excluded = ctx.excluded(proposal, entry, distinct_organisations)
    if excluded is not None:
        raise AssignmentError(excluded.reason)
    return _create(ctx, proposal, entry, actor, automatic=False, due_at=due_at, trigger="manual")


def auto_assign(call, actor, *, distinct_organisations: bool = False, due_at: datetime | None = None) -> AutoResult:
    """Fill every proposal of the current stage up to the stage's panel size."""
    stage = stage_scope.current_stage(call)
    ensure_assigning(call, stage)
    ctx = PanelContext(call, stage)
    k = stage_scope.panel_size(stage)
    result = AutoResult()
    for proposal in assignable_proposals(call, stage):
        result.created += _fill(ctx, proposal, k, actor, distinct_organisations=distinct_organisations,
                                due_at=due_at, trigger="auto", result=result)
    audit.record(actor, "review.auto_assigned", call, created=len(result.created),
                 shortfall={str(k): v for k, v in result.shortfall.items()},
                 distinct_organisations=distinct_organisations, stage=stage.position)
    return result


def _fill(ctx: PanelContext, proposal, k: int, actor, *, distinct_organisations: bool, due_at, trigger: str,
          result: AutoResult | None = None) -> list[ReviewAssignment]:
    created = []
    while len(ctx.active_reviewers(proposal)) < k:
        # Recomputed each time: the load and the same-organisation rule change with every pick.
        candidates = ctx.candidates(proposal, distinct_organisations)
        if not candidates:
            break
        created.append(_create(ctx, proposal, candidates[0], actor, automatic=True, due_at=due_at, trigger=trigger))
    missing = k - len(ctx.active_reviewers(proposal))
    if missing > 0 and result is not None:
        result.shortfall[proposal.id] = missing
    return created


def refill(proposal, actor, *, trigger: str, stage: EvaluationStage | None = None) -> list[ReviewAssignment]:
    """Replace reviewers who left a proposal (recusal, upheld challenge, removal).

    Prefers a reviewer of an organisation not yet on the proposal; falls back to
    anyone eligible rather than leave the seat empty. Never once the results are decided
    (callers refuse before changing anything; this is the last guard).
    """
    call = proposal.call
    stage = stage or stage_scope.current_stage(call)
    ensure_assigning(call, stage)
    if proposal.id not in stage_scope.proposal_ids_in(stage):
        return []
    ctx = PanelContext(call, stage)
    k = stage_scope.panel_size(stage)
    created = _fill(ctx, proposal, k, actor, distinct_organisations=True, due_at=None, trigger=trigger)
    created += _fill(ctx, proposal, k, actor, distinct_organisations=False, due_at=None, trigger=trigger)
    missing = k - len(ctx.active_reviewers(proposal))
    if missing > 0:
        panel_notices.seat_unfilled(proposal, missing, trigger)
    return created


def remove(assignment: ReviewAssignment, actor, reason: str, *, replace: bool = True) -> list[ReviewAssignment]:
    """An officer takes a reviewer off a proposal; the row stays, with the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise AssignmentError(_l("배정 해제 사유를 입력하십시오."))
    ensure_assigning(assignment.call, assignment.stage)
    lock_assignment(assignment)
    if not assignment.active:
        raise AssignmentError(_l("이미 해제되었거나 회피한 배정입니다."))
    if assignment.sheet is not None and assignment.sheet.locked:
        raise AssignmentError(_l("제출된 평가표가 있는 배정은 해제할 수 없습니다. 먼저 평가표를 재개하십시오."))
    assignment.coi_status = CoiStatus.REMOVED
    assignment.removed_reason = reason
    audit.record(actor, "review.unassigned", assignment, proposal_id=assignment.proposal_id,
                 reviewer_id=assignment.reviewer_id, reason=reason)
    return refill(assignment.proposal, actor, trigger="removal", stage=assignment.stage) if replace else []


def set_due(assignment: ReviewAssignment, actor, due_at: datetime | None) -> None:
    ensure_assigning(assignment.call, assignment.stage)
    before = {"due_at": assignment.due_at.isoformat() if assignment.due_at else None}
    assignment.due_at = due_at
    audit.record(actor, "review.due_changed", assignment, proposal_id=assignment.proposal_id,
                 reviewer_id=assignment.reviewer_id,
                 changes=audit.changes(before, {"due_at": due_at.isoformat() if due_at else None}))
