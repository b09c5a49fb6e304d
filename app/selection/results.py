"""Results of a call: the scoring engine run over database rows, the selection and its announcement.

The engine (``scoring``) knows nothing of the database; this module builds its input in
the contract's form (shared/spec/scoring.md) from the call, the eligible proposals and
the submitted review sheets, and stores what comes back.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload, load_only, selectinload

import scoring
from scoring.output import reviewer_stats_to_json
from app.extensions import db
from app.models import Call, CallOutcome, Consortium, IndustrialComplex, Proposal, Result
from app.models.calls import CallPhase
from app import audit
from app.core import clock
from app.core.errors import SelectionError
from app.notifications import outbox
from app.selection import readiness, screening
from app.proposals import snapshot
from app.review import review_sheets
from app.notifications.contacts import consortium_contacts
from app.core.links import portal_url

RATIO_PLACES = Decimal("0.000001")


class ResultsError(SelectionError):
    pass


@dataclass(frozen=True)
class SheetData:
    """What the engine needs of one submitted review sheet."""

    proposal_id: int
    reviewer: str  # pseudonymous: never the reviewer's name
    points: Mapping[str, object]


def counted_sheet_dicts(call: Call) -> list[dict]:
    """The submitted sheets that count, with their comments: none the officer left out."""
    left_out = readiness.left_out_keys(call)
    return [s for s in review_sheets.submitted_sheets(call) if (s["proposal_id"], s["reviewer"]) not in left_out]


def submitted_sheets(call: Call) -> list[SheetData]:
    """The counted review sheets of the call, as the engine reads them."""
    return [SheetData(int(sheet["proposal_id"]), str(sheet["reviewer"]), dict(sheet["points"] or {}))
            for sheet in counted_sheet_dicts(call)]


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


def build_input(call: Call, proposals: Iterable[Proposal], sheets: Iterable[SheetData]) -> dict:
    by_proposal: dict[int, list[SheetData]] = {}
    for sheet in sheets:
        by_proposal.setdefault(sheet.proposal_id, []).append(sheet)
    one_per = (call.policy or {}).get("one_per")
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
        if one_per and one_per not in item:
            item[one_per] = str(getattr(p, one_per, "") or f"-{p.id}")
        items.append(item)
    return {"rubric": call.rubric, "policy": call.policy, "proposals": items}


def _eligible_with_facts(call: Call) -> list[Proposal]:
    ids = [p.id for p in screening.eligible_proposals(call)]
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


ENGINE_INPUT_BATCH = 100


def _engine_input(call: Call, live: list[Proposal], sheets: list[SheetData]) -> tuple[dict, dict[str, int]]:
    """``build_input`` over the submitted versions, and each engine id's proposal id.

    The versions are read a hundred at a time and let go: a thousand snapshots and the
    proposals rebuilt from them, held at once, took the web worker past 240 MB for good.
    """
    items, ids = [], {}
    for start in range(0, len(live), ENGINE_INPUT_BATCH):
        batch = live[start:start + ENGINE_INPUT_BATCH]
        versions = snapshot.latest_versions(p.id for p in batch)
        judged = [snapshot.as_proposal(versions[p.id], p) for p in batch if p.id in versions]
        items += build_input(call, judged, sheets)["proposals"]
        ids.update({proposal_key(p): p.id for p in judged})
        for version in versions.values():
            db.session.expunge(version)
    return {"rubric": call.rubric, "policy": call.policy, "proposals": items}, ids


def may_compute(call: Call) -> bool:
    """Results are computed while the call is in review, and only then."""
    return call.phase == CallPhase.IN_REVIEW


def may_override(call: Call) -> bool:
    """A selection may be changed until the results are announced."""
    return call.phase in (CallPhase.IN_REVIEW, CallPhase.DECIDED)


def compute(call: Call, actor, sheets: Iterable[SheetData] | None = None, *,
            acknowledge_short: bool = False) -> list[Result]:
    """Run the engine for the call and store a Result per eligible proposal.

    Refused while any assigned sheet is neither submitted nor left out with a reason, and,
    unless ``acknowledge_short``, while any panel counts fewer sheets than the call's
    panel size (``app.selection.readiness``). Earlier overrides survive a recomputation:
    the officer's written decision stands until the officer changes it.
    """
    if not may_compute(call):
        raise ResultsError(_("평가 중인 공모에서만 결과를 산출할 수 있습니다."))
    sheets = list(submitted_sheets(call) if sheets is None else sheets)
    ready = readiness.check(call, Counter(s.proposal_id for s in sheets))
    if ready.missing:
        raise ResultsError(_("제출되지 않은 평가표가 있어 결과를 산출할 수 없습니다. 제출을 기다리거나 사유를 적어 "
                             "제외하십시오: %(list)s", list=", ".join(f"{m.receipt_no} {m.reviewer} ({m.status_label})"
                                                               for m in ready.missing)))
    if ready.short and not acknowledge_short:
        raise ResultsError(_("평가위원 수가 부족한 신청서가 있습니다. 확인하고 산출하려면 확인란을 선택하십시오: %(list)s",
                             list=", ".join(f"{p.receipt_no} ({p.counted}/{p.size})" for p in ready.short)),
                           field="acknowledge_short")
    # Judge what was submitted: drafts typed after the last submission do not count.
    document, proposal_ids = _engine_input(call, _eligible_with_facts(call), sheets)
    if not proposal_ids:
        raise ResultsError(_("적격으로 확인된 신청서가 없습니다."))
    try:
        rubric, policy, inputs = scoring.parse_input(document)
        ranked = scoring.evaluate(rubric, policy, inputs)
    except scoring.ScoringInputError as error:
        raise ResultsError(_("평가 점수를 계산할 수 없습니다: %(e)s", e=str(error))) from None
    output = scoring.results_to_json(ranked, policy)
    stats = reviewer_stats_to_json(scoring.reviewer_stats(ranked), policy.decimals)
    # The English explanation names the criteria by their English labels, where the rubric has them.
    rubric_en = scoring.parse_input({**document, "proposals": [], "rubric": _english_labels(document["rubric"])})[0]

    previous = {r.proposal_id: r for r in db.session.scalars(select(Result).where(Result.call_id == call.id))}
    db.session.execute(delete(Result).where(Result.call_id == call.id))
    now = clock.now()
    rows = []
    for typed, doc in zip(ranked, output["results"]):
        proposal_id = proposal_ids[typed.id]
        breakdown = dict(doc)
        breakdown["explanation"] = {
            "ko": scoring.explain(typed, rubric, policy, "ko"),
            "en": scoring.explain(typed, rubric_en, policy, "en"),
        }
        row = Result(
            call_id=call.id, proposal_id=proposal_id, rank=typed.rank, total=typed.total,
            passed=typed.passed, engine_selected=typed.selected, selected=typed.selected,
            reason=typed.reason, breakdown=breakdown, computed_at=now,
        )
        old = previous.get(proposal_id)
        if old is not None and old.overridden_by_id is not None:
            row.selected = old.selected
            row.override_reason = old.override_reason
            row.overridden_by_id = old.overridden_by_id
            row.overridden_at = old.overridden_at
        rows.append(row)
    db.session.add_all(rows)
    outcome = CallOutcome.of(call)
    outcome.computed_at = now
    outcome.computed_by_id = actor.id
    outcome.reviewer_stats = stats
    outcome.inputs_digest = ready.digest
    if ready.short:
        audit.record(actor, "results.short_panels_acknowledged", call,
                     panels=[{"proposal_id": p.proposal_id, "counted": p.counted, "size": p.size} for p in ready.short])
    audit.record(actor, "results.computed", call, proposals=len(rows), sheets=len(sheets),
                 selected=list(output["selected"]))
    return rows


def _english_labels(rubric: dict) -> dict:
    return {**rubric, "criteria": [{**c, "label": c.get("label_en") or c["label"]} for c in rubric.get("criteria", [])]}


def ranking(call: Call) -> list[Result]:
    """The stored ranking with each proposal, consortium and complex loaded in the same query.

    Only the proposal columns the ranking's readers use are loaded, not the long texts
    of every proposal: with a thousand proposals they made the query several MB.
    """
    return list(
        db.session.scalars(
            select(Result)
            .where(Result.call_id == call.id)
            .options(
                joinedload(Result.proposal)
                .load_only(Proposal.id, Proposal.call_id, Proposal.consortium_id, Proposal.complex_id,
                           Proposal.title, Proposal.status, Proposal.receipt_no)
                .joinedload(Proposal.consortium).joinedload(Consortium.lead_org),
                joinedload(Result.proposal).joinedload(Proposal.complex),
            )
            .order_by(Result.rank)
        ).unique()
    )


@dataclass(frozen=True, slots=True)
class RankingRow:
    """One line of the ranking as the officer's pages show it: plain values, no ORM objects.

    With a thousand proposals, Result objects with their proposals and full breakdowns
    (each carrying its explanation in two languages) were most of the ranking page's
    time and about 14 MB per request; these rows are one small query.
    """

    id: int
    rank: int
    receipt_no: str | None
    consortium: str
    complex: str | None
    total: str
    bonus: str
    criteria: dict
    passed: bool
    selected: bool
    engine_selected: bool
    reason: str | None
    override_reason: str

    @property
    def overridden(self) -> bool:
        return self.selected != self.engine_selected


def ranking_rows(call: Call) -> list[RankingRow]:
    """The stored ranking for the officer's tables, in one query.

    The whole breakdown is read and picked apart here: PostgreSQL re-parses a ``json``
    column for every ``->``, and three of them over a thousand rows cost twice as much.
    """
    query = (
        select(Result.id, Result.rank, Proposal.receipt_no, Consortium.name, IndustrialComplex.name,
               Result.breakdown, Result.passed, Result.selected, Result.engine_selected, Result.reason,
               Result.override_reason)
        .join(Proposal, Proposal.id == Result.proposal_id)
        .join(Consortium, Consortium.id == Proposal.consortium_id)
        .outerjoin(IndustrialComplex, IndustrialComplex.id == Proposal.complex_id)
        .where(Result.call_id == call.id)
        .order_by(Result.rank)
    )
    rows = []
    for id_, rank, receipt_no, consortium, complex_, breakdown, *rest in db.session.execute(query):
        b = breakdown or {}
        rows.append(RankingRow(id_, rank, receipt_no, consortium, complex_, b.get("total"), b.get("bonus"),
                               b.get("criteria") or {}, *rest))
    return rows


def result_of(proposal: Proposal) -> Result | None:
    return db.session.scalar(select(Result).where(Result.proposal_id == proposal.id))


def override(result: Result, actor, selected: bool, reason: str) -> Result:
    """Change the engine's selection for one proposal; only with a written reason."""
    call = db.session.get(Call, result.call_id)
    if not may_override(call):
        raise ResultsError(_("발표된 결과의 선정 여부는 변경할 수 없습니다."))
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ResultsError(_("선정 변경 사유를 5자 이상 구체적으로 입력하십시오."))
    before = result.selected
    result.selected = bool(selected)
    result.override_reason = reason
    result.overridden_by_id = actor.id
    result.overridden_at = clock.now()
    audit.record(actor, "results.override", result, proposal_id=result.proposal_id, before=before,
                 after=result.selected, engine=result.engine_selected, reason=reason,
                 changes=audit.changes({"selected": before}, {"selected": result.selected}))
    return result


def reviewer_statistics(call: Call) -> list[dict]:
    """The engine's reviewer statistics from the last computation (empty before)."""
    stats = db.session.scalar(select(CallOutcome.reviewer_stats).where(CallOutcome.call_id == call.id))
    return list(stats or [])


def criteria_labels(call: Call, locale: str = "ko") -> list[tuple[str, str, str]]:
    """(key, label, max points) for the rubric's criteria, in order."""
    out = []
    for c in (call.rubric or {}).get("criteria", []):
        label = c.get("label_en") if locale == "en" and c.get("label_en") else c.get("label", c["key"])
        out.append((c["key"], label, str(c.get("max_points", ""))))
    return out


def notify_announcement(call: Call) -> None:
    """Tell each ranked consortium that its result is out; the details are on its result page."""
    for result in ranking(call):
        proposal = result.proposal
        url = portal_url("proposals.result", proposal_id=proposal.id)  # on SITE_URL, from the CLI too
        for user in consortium_contacts(proposal.consortium):
            outbox.queue(
                f"results_announced:{proposal.id}:{user.id}", "results_announced", user,
                {"call_title": call.title, "proposal_title": proposal.title, "receipt_no": proposal.receipt_no or "",
                 "selected": result.selected, "user_name": user.name, "url": url},
                in_app=outbox.notice("[%(call)s] 선정평가 결과가 발표되었습니다.", call=call.title),
                url=url,
            )
