"""One run of the scoring engine over one evaluation stage, from database rows.

The engine (``scoring``) knows nothing of the database; this module builds its input in the
contract's form (shared/spec/scoring.md) from the stage's proposals (their submitted
versions), its rubric and policy (``stage_scope``) and its counted sheets, and hands back
the typed results with their JSON form, explanations and reviewer statistics. Results,
stage results and final rankings (``results``, ``stage_results``) are stored from it.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import load_only, selectinload

import scoring
from scoring.output import reviewer_stats_to_json
from app.core import clock
from app.core.errors import SelectionError
from app.extensions import db
from app.models import Call, Proposal
from app.models.stages import EvaluationStage
from app.proposals import snapshot
from app.review import review_sheets, stage_scope
from app.selection import readiness

RATIO_PLACES = Decimal("0.000001")
ENGINE_INPUT_BATCH = 100


class EngineRunError(SelectionError):
    pass


@dataclass(frozen=True)
class SheetData:
    """What the engine needs of one submitted review sheet."""

    proposal_id: int
    reviewer: str  # pseudonymous: never the reviewer's name
    points: Mapping[str, object]


def counted_sheet_dicts(call: Call, stage: EvaluationStage | None = None) -> list[dict]:
    """The stage's submitted sheets that count, with their comments: none the officer left out."""
    stage = stage or stage_scope.current_stage(call)
    left_out = readiness.left_out_keys(call, stage)
    return [s for s in review_sheets.submitted_sheets(call, stage)
            if (s["proposal_id"], s["reviewer"]) not in left_out]


def submitted_sheets(call: Call, stage: EvaluationStage | None = None) -> list[SheetData]:
    """The stage's counted review sheets, as the engine reads them."""
    return [SheetData(int(sheet["proposal_id"]), str(sheet["reviewer"]), dict(sheet["points"] or {}))
            for sheet in counted_sheet_dicts(call, stage)]


def proposal_key(proposal: Proposal) -> str:
    return proposal.receipt_no or f"P{proposal.id}"


def facts_of(proposal: Proposal) -> dict[str, object]:
    """The structured facts automatic criteria read (rule ``fact`` names)."""
    total = proposal.total_budget
    private = proposal.total_by_source("private_cash") + proposal.total_by_source("private_inkind")
    ratio = (Decimal(private) / Decimal(total)).quantize(RATIO_PLACES, rounding=ROUND_DOWN) if total else Decimal(0)
    return {
        "infrastructure_types": [item.type_key for item in proposal.infra_items],
        "complete_poc_plans": sum(1 for plan in proposal.poc_plans if plan.is_complete),
        "private_matching_ratio": format(ratio, "f"),
    }


def _decimal_text(value: object) -> object:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def build_input(call: Call, proposals: Iterable[Proposal], sheets: Iterable[SheetData],
                rubric: dict | None = None, policy: dict | None = None) -> dict:
    """The contract's input document: the call's rubric and policy unless a stage's are given."""
    rubric = call.rubric if rubric is None else rubric
    policy = call.policy if policy is None else policy
    by_proposal: dict[int, list[SheetData]] = {}
    for sheet in sheets:
        by_proposal.setdefault(sheet.proposal_id, []).append(sheet)
    # The call's own one_per field too: a later stage's final ranking applies the call's policy.
    one_per = {name for name in ((policy or {}).get("one_per"), (call.policy or {}).get("one_per")) if name}
    items = []
    for p in proposals:
        item = {
            "id": proposal_key(p),
            "complex": p.complex.name if p.complex else f"-{p.id}",
            "budget": str(p.total_by_source("national")),
            "submitted_at": (p.submitted_at or clock.now()).isoformat(),
            "facts": facts_of(p),
            "bonus": "0",
            "deduction": "0",
            "reviews": [
                {"reviewer": s.reviewer, "points": {k: _decimal_text(v) for k, v in s.points.items()}}
                for s in sorted(by_proposal.get(p.id, []), key=lambda s: s.reviewer)
            ],
        }
        for name in sorted(one_per - item.keys()):
            item[name] = str(getattr(p, name, "") or f"-{p.id}")
        items.append(item)
    return {"rubric": rubric, "policy": policy, "proposals": items}


def proposals_with_facts(ids: list[int]) -> list[Proposal]:
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Proposal)
            .where(Proposal.id.in_(ids))
            .options(
                # The engine reads the submitted versions; of the live rows only these are used.
                load_only(Proposal.id, Proposal.call_id, Proposal.consortium_id, Proposal.complex_id,
                          Proposal.status, Proposal.receipt_no, Proposal.submitted_at),
                selectinload(Proposal.call), selectinload(Proposal.consortium),
            )
            .order_by(Proposal.id)
        )
    )


def engine_input(call: Call, live: list[Proposal], sheets: list[SheetData], rubric: dict | None = None,
                 policy: dict | None = None) -> tuple[dict, dict[str, int]]:
    """``build_input`` over the submitted versions, and each engine id's proposal id.

    The versions are read a hundred at a time and let go: a thousand snapshots and the
    proposals rebuilt from them, held at once, took the web worker past 240 MB for good.
    """
    items, ids = [], {}
    for start in range(0, len(live), ENGINE_INPUT_BATCH):
        batch = live[start:start + ENGINE_INPUT_BATCH]
        versions = snapshot.latest_versions(p.id for p in batch)
        judged = [snapshot.as_proposal(versions[p.id], p) for p in batch if p.id in versions]
        items += build_input(call, judged, sheets, rubric, policy)["proposals"]
        ids.update({proposal_key(p): p.id for p in judged})
        for version in versions.values():
            db.session.expunge(version)
    return {"rubric": call.rubric if rubric is None else rubric,
            "policy": call.policy if policy is None else policy, "proposals": items}, ids


@dataclass
class EngineRun:
    """The engine's verdict on one stage: typed results in rank order and what is stored of them."""

    stage: EvaluationStage
    ranked: list[scoring.Result]
    output: dict  # the contract's output document
    stats: list  # reviewer statistics, JSON
    proposal_ids: dict[str, int]  # engine id → proposal id
    rubric: scoring.Rubric
    rubric_en: scoring.Rubric
    policy: scoring.Policy
    sheets: int
    document: dict  # the engine's input, for the final ranking's proposal fields

    def explanation(self, result: scoring.Result) -> dict:
        return {"ko": scoring.explain(result, self.rubric, self.policy, "ko"),
                "en": scoring.explain(result, self.rubric_en, self.policy, "en")}


def english_labels(rubric: dict) -> dict:
    return {**rubric, "criteria": [{**c, "label": c.get("label_en") or c["label"]} for c in rubric.get("criteria", [])]}


def run(call: Call, stage: EvaluationStage, sheets: list[SheetData] | None = None) -> EngineRun:
    """The engine over the stage's proposals (submitted versions) and counted sheets."""
    sheets = list(submitted_sheets(call, stage) if sheets is None else sheets)
    live = proposals_with_facts(readiness.stage_proposal_ids(call, stage))
    document, proposal_ids = engine_input(call, live, sheets, stage_scope.rubric_of(stage),
                                          stage_scope.policy_of(stage))
    if not proposal_ids:
        raise EngineRunError(_("적격으로 확인된 신청서가 없습니다."))
    try:
        rubric, policy, inputs = scoring.parse_input(document)
        ranked = scoring.evaluate(rubric, policy, inputs)
        rubric_en = scoring.parse_input({**document, "proposals": [], "rubric": english_labels(document["rubric"])})[0]
    except scoring.ScoringInputError as error:
        raise EngineRunError(_("평가 점수를 계산할 수 없습니다: %(e)s", e=str(error))) from None
    return EngineRun(stage, ranked, scoring.results_to_json(ranked, policy),
                     reviewer_stats_to_json(scoring.reviewer_stats(ranked), policy.decimals),
                     proposal_ids, rubric, rubric_en, policy, len(sheets), document)
