"""Figures about one call for the officer's dashboard; the charts module draws them."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select

from app.extensions import db
from app.models import Call, EligibilityDecision, Proposal, Result, User
from app.models.decisions import EligibilityStatus
from app.models.proposals import ProposalStatus
from app.models.review import ACTIVE_COI, ReviewAssignment, ReviewSheet, SheetStatus


def counts_by_status(call: Call) -> dict[str, int]:
    """Proposals by status, and the screened ones by verdict."""
    rows = db.session.execute(
        select(Proposal.status, func.count(Proposal.id)).where(Proposal.call_id == call.id).group_by(Proposal.status)
    ).all()
    counts = dict.fromkeys(ProposalStatus, 0)
    counts.update({status: n for status, n in rows})
    screened = db.session.execute(
        select(EligibilityDecision.status, func.count(EligibilityDecision.id))
        .join(Proposal, Proposal.id == EligibilityDecision.proposal_id)
        .where(Proposal.call_id == call.id).group_by(EligibilityDecision.status)
    ).all()
    counts.update(dict.fromkeys(EligibilityStatus, 0))
    counts.update({status: n for status, n in screened})
    return counts


def _cumulative(instants: list[datetime]) -> list[tuple[datetime, int]]:
    return [(t, i + 1) for i, t in enumerate(sorted(instants))]


def timeline(call: Call) -> dict[str, list[tuple[datetime, int]]]:
    """Cumulative counts of proposals started and of proposals submitted (now) over time."""
    rows = db.session.execute(
        select(Proposal.created_at, Proposal.submitted_at, Proposal.status).where(Proposal.call_id == call.id)
    ).all()
    return {
        "started": _cumulative([r.created_at for r in rows]),
        "submitted": _cumulative([r.submitted_at for r in rows if r.status == ProposalStatus.SUBMITTED and r.submitted_at]),
    }


@dataclass
class ReviewerProgress:
    name: str
    pseudonym: str
    assigned: int
    submitted: int


def review_progress(call: Call) -> list[ReviewerProgress]:
    """Per reviewer: live assignments and submitted sheets ."""
    rows = db.session.execute(
        select(ReviewAssignment.reviewer_id, User.name, ReviewSheet.status)
        .join(User, User.id == ReviewAssignment.reviewer_id)
        .outerjoin(ReviewSheet, ReviewSheet.assignment_id == ReviewAssignment.id)
        .where(ReviewAssignment.call_id == call.id, ReviewAssignment.coi_status.in_(ACTIVE_COI))
    ).all()
    assigned: Counter = Counter()
    done: Counter = Counter()
    names = {}
    for reviewer_id, name, status in rows:
        names[reviewer_id] = name
        assigned[reviewer_id] += 1
        if status == SheetStatus.SUBMITTED:
            done[reviewer_id] += 1
    return sorted(
        (ReviewerProgress(names[r], f"R{r}", assigned[r], done[r]) for r in assigned),
        key=lambda p: (p.name, p.pseudonym),
    )


def score_totals(call: Call) -> list[Decimal]:
    return list(db.session.scalars(select(Result.total).where(Result.call_id == call.id).order_by(Result.rank)))
