"""Re-evaluation panels (재평가) after an upheld objection.

Once the results are decided the original panels are frozen (``assignment.lock_panel``).
An objection upheld in whole or in part may open a re-evaluation of its proposal: a new
panel of the stage's panel size from the call's pool, on the stage the proposal reached
(``stage_scope.stage_for_proposal``: the last one for a finalist), none of whom had any
assignment on that proposal in that stage (whatever its status: a reviewer who recused or was removed
stays off too), and none excluded by the usual conflict rules (``assignment.PanelContext``).
Its seats carry the objection's id; only they may change after the decision, and only while
that objection's re-evaluation is open.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import audit
from app.core.clock import now
from app.extensions import db
from app.models import Objection, ReviewAssignment, ReviewSheet
from app.models.decisions import ReevaluationStatus
from app.models.review import CoiStatus, SheetStatus
from app.review import panel_notices, stage_scope
from app.review.assignment import AssignmentError, PanelContext, lock_panel


class ReevaluationError(AssignmentError):
    pass


def stage_of(objection: Objection):
    """The stage re-evaluated: the one the proposal reached, whose score made its result."""
    proposal = objection.proposal
    return stage_scope.stage_for_proposal(proposal.call, proposal.id)


def panel_size(objection: Objection) -> int:
    return stage_scope.panel_size(stage_of(objection))


def seats_of(objection: Objection) -> list[ReviewAssignment]:
    """Every assignment of the objection's re-evaluation, in the order they were seated."""
    return list(db.session.scalars(
        select(ReviewAssignment).where(ReviewAssignment.objection_id == objection.id)
        .options(selectinload(ReviewAssignment.sheet), selectinload(ReviewAssignment.reviewer))
        .order_by(ReviewAssignment.id)))


def _candidates(ctx: PanelContext, proposal) -> list:
    # Anyone with any row on the proposal, in whatever state, sat on (or was kept off) a panel of it.
    seen = set(ctx.rows.get(proposal.id, {}))
    out = [e for e in ctx.pool if e.user_id not in seen and ctx.excluded(proposal, e, False) is None]
    return sorted(out, key=lambda e: (ctx.load.get(e.user_id, 0), e.user_id))


def eligible_count(objection: Objection) -> int:
    proposal = objection.proposal
    return len(_candidates(PanelContext(proposal.call, stage_of(objection)), proposal))


def _seat(ctx: PanelContext, objection: Objection, entry, actor, trigger: str) -> ReviewAssignment:
    proposal = objection.proposal
    a = ReviewAssignment(
        call_id=ctx.call.id, proposal_id=proposal.id, reviewer_id=entry.user_id, objection_id=objection.id,
        stage_id=ctx.stage.id,
        due_at=None, coi_status=CoiStatus.PENDING, assigned_by_id=getattr(actor, "id", None),
        automatic=True, created_at=now(),
    )
    db.session.add(a)
    db.session.flush()
    ctx.rows.setdefault(proposal.id, {})[entry.user_id] = a
    ctx.load[entry.user_id] = ctx.load.get(entry.user_id, 0) + 1
    audit.record(actor, "review.assigned", a, call_id=ctx.call.id, proposal_id=proposal.id,
                 reviewer_id=entry.user_id, automatic=True, trigger=trigger, objection_id=objection.id)
    panel_notices.assigned(a, proposal, entry.user)
    return a


def seat_panel(objection: Objection, actor) -> list[ReviewAssignment]:
    """Seat the whole re-evaluation panel, or nobody: a panel short of its size is refused."""
    proposal = objection.proposal
    call = proposal.call
    lock_panel(call)  # the call's row lock first, as for every panel write
    ctx = PanelContext(call, stage_of(objection))
    k = stage_scope.panel_size(ctx.stage)
    candidates = _candidates(ctx, proposal)
    if len(candidates) < k:
        raise ReevaluationError(_l(
            "재평가에 배정할 수 있는 평가위원이 부족합니다 (필요 %(k)d명, 가능 %(n)d명). 원 평가에 참여하지 않은 "
            "평가위원을 풀에 초대한 뒤 다시 시도하십시오.", k=k, n=len(candidates)))
    return [_seat(ctx, objection, entry, actor, "reevaluation") for entry in candidates[:k]]


def refill(objection: Objection, actor, *, trigger: str) -> list[ReviewAssignment]:
    """A re-evaluation seat left by a recusal is filled the same way; officers hear of an empty one."""
    proposal = objection.proposal
    ctx = PanelContext(proposal.call, stage_of(objection))
    k = stage_scope.panel_size(ctx.stage)
    live = [a for a in seats_of(objection) if a.active]
    created = []
    for entry in _candidates(ctx, proposal)[:max(k - len(live), 0)]:
        created.append(_seat(ctx, objection, entry, actor, trigger))
    missing = k - len(live) - len(created)
    if missing > 0:
        panel_notices.seat_unfilled(proposal, missing, trigger)
    return created


def reevaluating(assignment: ReviewAssignment) -> bool:
    """Whether the assignment is a seat of an objection whose re-evaluation is open."""
    if assignment.objection_id is None:
        return False
    status = db.session.scalar(select(Objection.reevaluation_status).where(Objection.id == assignment.objection_id))
    return status == ReevaluationStatus.OPEN


def submitted_sheets(objection: Objection) -> list[ReviewSheet]:
    """The re-evaluation's submitted sheets of declared seats, by reviewer."""
    return list(db.session.scalars(
        select(ReviewSheet).join(ReviewAssignment, ReviewSheet.assignment_id == ReviewAssignment.id)
        .where(ReviewAssignment.objection_id == objection.id, ReviewAssignment.coi_status == CoiStatus.DECLARED,
               ReviewSheet.status == SheetStatus.SUBMITTED)
        .options(selectinload(ReviewSheet.assignment))
        .order_by(ReviewAssignment.reviewer_id)))


def outstanding(objection: Objection) -> list[ReviewAssignment]:
    """Live seats whose sheet is not in yet."""
    return [a for a in seats_of(objection) if a.active and not (
        a.coi_status == CoiStatus.DECLARED and a.sheet is not None and a.sheet.status == SheetStatus.SUBMITTED)]


def latest_applied(proposal_id: int) -> Objection | None:
    """The proposal's last applied re-evaluation: from then on its sheets are the ones that count."""
    return db.session.scalar(
        select(Objection).where(Objection.proposal_id == proposal_id,
                                Objection.reevaluation_status == ReevaluationStatus.APPLIED)
        .order_by(Objection.reevaluation_applied_at.desc(), Objection.id.desc()).limit(1))


def sheet_dicts(objection: Objection) -> list[dict]:
    """The re-evaluation's sheets in the form of ``review_sheets.submitted_sheets``."""
    return [{
        "proposal_id": s.assignment.proposal_id,
        "reviewer": s.assignment.pseudonym,
        "reviewer_id": s.assignment.reviewer_id,
        "points": {k: str(v) for k, v in (s.points or {}).items()},
        "comments": dict(s.comments or {}),
        "overall_opinion": s.overall_opinion,
        "submitted_at": s.submitted_at.isoformat() if s.submitted_at else None,
    } for s in submitted_sheets(objection)]
