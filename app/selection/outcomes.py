"""A proposal's final outcome and who scored it: one reading for every page and export.

``Result.selected`` is the decision of record; ``engine_selected`` what the scores gave.
They differ only through an officer's override with a written reason. Every page reads
``final_outcome``, so none says "selected" where another says "not selected": the
engine's own verdict sentence is shown apart from its explanation steps, labelled as the
result by the scores, beside the final outcome and the reason it was changed.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Call, Proposal, Result, ReviewerPoolEntry
from app.models.calls import CallPhase
from app.review import reevaluation
from app.selection import readiness, results


@dataclass(frozen=True)
class Outcome:
    selected: bool  # the final decision
    rank: int
    passed: bool
    total: str
    engine_selected: bool
    engine_reason: str | None
    overridden: bool
    override_reason: str  # empty unless overridden
    overridden_at: datetime | None
    steps: list[str] = field(default_factory=list)  # the engine's explanation, without its verdict
    engine_verdict: str = ""  # the engine's last sentence: its rank and its selection
    reevaluated_at: datetime | None = None  # when a re-evaluation after an objection changed the outcome


def final_outcome(result: Result, locale: str = "ko") -> Outcome:
    breakdown = result.breakdown or {}
    lines = list((breakdown.get("explanation") or {}).get("en" if locale == "en" else "ko") or [])
    overridden = result.selected != result.engine_selected
    return Outcome(
        selected=result.selected, rank=result.rank, passed=result.passed,
        total=breakdown.get("total") or str(result.total), engine_selected=result.engine_selected,
        engine_reason=result.reason, overridden=overridden,
        override_reason=result.override_reason if overridden else "",
        overridden_at=result.overridden_at if overridden else None,
        steps=lines[:-1], engine_verdict=lines[-1] if lines else "",
        reevaluated_at=result.reevaluated_at,
    )


def evaluators_of(call: Call, proposal: Proposal | None = None) -> list[dict]:
    """Exactly who scored the proposal (or any proposal of the call): the reviewers whose
    submitted sheets count for it, not those recused, removed, left out or on other panels."""
    redone = reevaluation.latest_applied(proposal.id) if proposal is not None else None
    # After an applied re-evaluation (이의신청) the proposal's score is its new panel's alone.
    ids = ({s["reviewer_id"] for s in reevaluation.sheet_dicts(redone)} if redone is not None
           else readiness.counted_reviewer_ids(call, proposal))
    if not ids:
        return []
    entries = db.session.scalars(
        select(ReviewerPoolEntry).where(ReviewerPoolEntry.call_id == call.id,
                                        ReviewerPoolEntry.user_id.in_(ids))
        .options(selectinload(ReviewerPoolEntry.user)))
    out = [{"name": e.user.name, "organisation": e.organisation_name, "department": e.department} for e in entries]
    return sorted(out, key=lambda r: (r["name"], r["organisation"]))


@dataclass
class ConsortiumView:
    """What a consortium may see of its own result, and nothing of anyone else's."""

    result: Result
    outcome: Outcome
    criteria: list[tuple[str, str, str, str]]  # key, label, max points, points
    comments: dict[str, list[str]]  # criterion key -> comments, in no reviewer's order
    opinions: list[str]
    evaluators: list[dict]


def consortium_view(proposal: Proposal, locale: str = "ko") -> ConsortiumView | None:
    """The announced result of the proposal, or None before the announcement."""
    call = proposal.call
    if call.phase != CallPhase.ANNOUNCED:
        return None
    result = results.result_of(proposal)
    if result is None:
        return None
    breakdown = result.breakdown or {}
    points = breakdown.get("criteria") or {}
    criteria = [(key, label, mx, points.get(key, "")) for key, label, mx in results.criteria_labels(call, locale)]
    outcome = final_outcome(result, locale)
    steps = outcome.steps
    # The first sentence names the reviewers whose sheets were set aside; the applicant
    # learns how many sheets counted, never whose.
    redone = reevaluation.latest_applied(proposal.id)
    sheets = (reevaluation.sheet_dicts(redone) if redone is not None
              else [s for s in results.counted_sheet_dicts(call) if s.get("proposal_id") == proposal.id])
    if steps:
        dropped = len(breakdown.get("dropped_reviewers") or [])
        if locale == "en":
            first = (f"{len(sheets)} review sheets were received; the highest and the lowest totals were set aside."
                     if dropped else f"{len(sheets)} review sheet(s) were received and all were averaged.")
        else:
            first = (f"평가표 {len(sheets)}건 중 최고점과 최저점 평가표를 각 1건 제외하고 평균했습니다."
                     if dropped else f"평가표 {len(sheets)}건을 모두 평균했습니다.")
        outcome = replace(outcome, steps=[first, *steps[1:]])
    comments: dict[str, list[str]] = {}
    for s in sheets:
        for key, text in (s.get("comments") or {}).items():
            if text and text.strip():
                comments.setdefault(key, []).append(text.strip())
    # Sorted by text, so the order says nothing about who wrote what.
    comments = {k: sorted(v) for k, v in comments.items()}
    opinions = sorted(s.get("overall_opinion", "").strip() for s in sheets if (s.get("overall_opinion") or "").strip())
    return ConsortiumView(result, outcome, criteria, comments, opinions, evaluators_of(call, proposal))
