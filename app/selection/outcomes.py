"""A proposal's final outcome and who scored it: one reading for every page and export.

``Result.selected`` is the decision of record; ``engine_selected`` what the scores gave.
They differ only through an officer's override with a written reason. Every page reads
``final_outcome``, so none says "selected" where another says "not selected": the
engine's own verdict sentence is shown apart from its explanation steps, labelled as the
result by the scores, beside the final outcome and the reason it was changed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core import particles
from app.extensions import db
from app.models import Call, Proposal, Result, ReviewAssignment, ReviewerPoolEntry, User
from app.models.calls import CallPhase
from app.calls.calls import fact_label, field_label
from app.calls.stages import kind_label
from app.models.stages import EvaluationStage
from app.review import reevaluation, stage_scope
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
    # The infrastructure types a coverage rule requires are named by their keys ("openlab").
    types = {t.key: (t.label_en if locale == "en" and t.label_en else t.label_ko)
             for t in result.proposal.call.infra_types} if result.proposal is not None else {}
    lines = [_worded(line, locale, types) for line in
             (breakdown.get("explanation") or {}).get("en" if locale == "en" else "ko") or []]
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


_KEY = re.compile(r"(?<![A-Za-z_])[a-z]+(?:_[a-z]+)+(?![A-Za-z_])")


_WORD = re.compile(r"(?<![A-Za-z0-9_])[a-z][a-z0-9_]*(?![A-Za-z0-9_])")
_FIELD = re.compile(r"(?<![A-Za-z_])complex(?![A-Za-z_])")  # "complex당": Hangul is a word character too


def _worded(line: str, locale: str = "ko", types: dict[str, str] | None = None) -> str:
    """The engine's sentence as a person reads it: its fact keys (``private_matching_ratio``),
    the infrastructure ``types`` it names by key and, in Korean, its one-per field (``complex``)
    in words, and the particles after its values resolved (stored explanations keep them all)."""
    line = _KEY.sub(lambda m: fact_label(m.group()) or m.group(), line)
    if types:
        line = _WORD.sub(lambda m: types.get(m.group(), m.group()), line)
    if locale != "en":
        line = _FIELD.sub(lambda m: field_label(m.group()), line)
    return particles.resolve(line)


_PSEUDONYM = re.compile(r"\bR\d+\b")


def reviewer_names(call: Call) -> dict[str, str]:
    """The engine's pseudonyms (``R12``) of the call's reviewers with their names, for the
    officers' pages only (statistics, the explanation of a trimmed sheet): applicants never."""
    rows = db.session.execute(select(ReviewAssignment.reviewer_id, User.name).distinct()
                              .join(User, User.id == ReviewAssignment.reviewer_id)
                              .where(ReviewAssignment.call_id == call.id))
    return {f"R{reviewer_id}": name for reviewer_id, name in rows}


def named_for_officer(outcome: Outcome, call: Call) -> Outcome:
    """``outcome`` with the reviewers its explanation names by pseudonym named by name."""
    names = reviewer_names(call)
    return replace(outcome, steps=[particles.resolve(_PSEUDONYM.sub(lambda m: names.get(m.group(), m.group()), line))
                                   for line in outcome.steps])


def stages_of(call: Call, proposal: Proposal) -> list[EvaluationStage]:
    """The evaluation stages the proposal was evaluated in, in order."""
    reached = stage_scope.stage_for_proposal(call, proposal.id)
    stages = stage_scope.evaluation_stages(call)
    return stages[:stages.index(reached) + 1]


def sheets_by_stage(call: Call, proposal: Proposal) -> list[tuple[EvaluationStage, list[dict]]]:
    """The sheets that count for the proposal, stage by stage: after an applied re-evaluation
    (이의신청) the re-evaluated stage's are its new panel's alone."""
    redone = reevaluation.latest_applied(proposal.id)
    redone_stage = reevaluation.stage_of(redone) if redone is not None else None
    out = []
    for stage in stages_of(call, proposal):
        if redone_stage is not None and redone_stage.id == stage.id:
            sheets = reevaluation.sheet_dicts(redone)
        else:
            sheets = [s for s in results.counted_sheet_dicts(call, stage) if s.get("proposal_id") == proposal.id]
        out.append((stage, sheets))
    return out


def evaluators_of(call: Call, proposal: Proposal | None = None) -> list[dict]:
    """Exactly who scored the proposal (or any proposal of the call's current stage): the
    reviewers whose submitted sheets count for it, in every stage it was evaluated in, not
    those recused, removed, left out or on other panels."""
    if proposal is None:
        ids = readiness.counted_reviewer_ids(call)
    else:
        ids = {s["reviewer_id"] for _stage, sheets in sheets_by_stage(call, proposal) for s in sheets}
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
    by_stage = sheets_by_stage(call, proposal)
    multi = stage_scope.is_multi_stage(call)
    criteria = [(key, label, mx, points.get(key, "")) for key, label, mx in criteria_of(call, proposal, locale)]
    outcome = final_outcome(result, locale)
    # Each stage's explanation opens with the reviewers whose sheets were set aside; the
    # applicant learns how many sheets counted, never whose. Several stages head each part "[stage]".
    steps = list(outcome.steps)
    starts = [i + 1 for i, line in enumerate(steps) if line.startswith("[") and line.endswith("]")] if multi else [0]
    for (stage, sheets), at in zip(by_stage, starts):
        if at < len(steps):
            steps[at] = _sheets_sentence(len(sheets), _trimmed(stage, len(sheets), breakdown, multi), locale)
    outcome = replace(outcome, steps=steps)
    sheets = [sheet for _stage, stage_sheets in by_stage for sheet in stage_sheets]
    comments: dict[str, list[str]] = {}
    for s in sheets:
        for key, text in (s.get("comments") or {}).items():
            if text and text.strip():
                comments.setdefault(key, []).append(text.strip())
    # Sorted by text, so the order says nothing about who wrote what.
    comments = {k: sorted(v) for k, v in comments.items()}
    opinions = sorted(s.get("overall_opinion", "").strip() for s in sheets if (s.get("overall_opinion") or "").strip())
    return ConsortiumView(result, outcome, criteria, comments, opinions, evaluators_of(call, proposal))


def criteria_of(call: Call, proposal: Proposal, locale: str = "ko") -> list[tuple[str, str, str]]:
    """(key, label, max points) of every criterion the proposal was scored on, stage by stage;
    with several stages each label is headed by its stage."""
    multi = stage_scope.is_multi_stage(call)
    return [(key, f"{kind_label(stage.kind)} · {label}" if multi else label, mx)
            for stage in stages_of(call, proposal) for key, label, mx in _criteria(stage, locale)]


def _criteria(stage: EvaluationStage, locale: str) -> list[tuple[str, str, str]]:
    out = []
    for c in stage_scope.rubric_of(stage).get("criteria", []):
        label = c.get("label_en") if locale == "en" and c.get("label_en") else c.get("label", c["key"])
        out.append((c["key"], label, str(c.get("max_points", ""))))
    return out


def _trimmed(stage: EvaluationStage, count: int, breakdown: dict, multi: bool) -> bool:
    if not multi:
        return bool(breakdown.get("dropped_reviewers"))
    trim_from = stage_scope.policy_of(stage).get("trim_from")
    return isinstance(trim_from, int) and count >= trim_from


def _sheets_sentence(count: int, trimmed: bool, locale: str) -> str:
    if locale == "en":
        return (f"{count} review sheets were received; the highest and the lowest totals were set aside."
                if trimmed else f"{count} review sheet(s) were received and all were averaged.")
    return (f"평가표 {count}건 중 최고점과 최저점 평가표를 각 1건 제외하고 평균했습니다."
            if trimmed else f"평가표 {count}건을 모두 평균했습니다.")
