"""Results of a call: the scoring engine run over database rows, the selection and its announcement.

The engine (``scoring``) knows nothing of the database; ``engine_run`` builds its input in
the contract's form (shared/spec/scoring.md) from a stage's proposals and submitted review
sheets; this module stores what comes back: a stage's results (``stage_results``) and, at
the last stage, the call's ranking, then the selection and its announcement.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Call, CallOutcome, Consortium, IndustrialComplex, Proposal, Result
from app.models.calls import CallPhase
from app.models.decisions import figures_of
from app.models.stages import StageResult
from app import audit
from app.core import clock
from app.core.errors import SelectionError
from app.notifications import outbox
from app.review import stage_scope
from app.selection import engine_run, readiness, stage_results
# The engine's input from database rows lives in engine_run; these names are read from here too.
from app.selection.engine_run import (  # noqa: F401
    SheetData, build_input, counted_sheet_dicts, facts_of, proposal_key, submitted_sheets,
)
from app.notifications.contacts import consortium_contacts
from app.core.links import portal_url


class ResultsError(SelectionError):
    pass


def may_compute(call: Call) -> bool:
    """Results are computed while the call is in review, and only then."""
    return call.phase == CallPhase.IN_REVIEW


def may_override(call: Call) -> bool:
    """A selection may be changed until the results are announced."""
    return call.phase in (CallPhase.IN_REVIEW, CallPhase.DECIDED)


def check_computable(call: Call, *, acknowledge_short: bool = False) -> None:
    """``compute``'s refusals, from the counted sheets of the database, before a job is started."""
    if not may_compute(call):
        raise ResultsError(_("평가 중인 공모에서만 결과를 산출할 수 있습니다."))
    _refuse_unready(readiness.check(call), acknowledge_short)


def _refuse_unready(ready: readiness.Readiness, acknowledge_short: bool) -> None:
    if ready.missing:
        raise ResultsError(_("제출되지 않은 평가표가 있어 결과를 산출할 수 없습니다. 제출을 기다리거나 사유를 적어 "
                             "제외하십시오: %(list)s", list=", ".join(f"{m.receipt_no} {m.reviewer} ({m.status_label})"
                                                               for m in ready.missing)))
    if ready.short and not acknowledge_short:
        raise ResultsError(_("평가위원 수가 부족한 신청서가 있습니다. 확인하고 산출하려면 확인란을 선택하십시오: %(list)s",
                             list=", ".join(f"{p.receipt_no} ({p.counted}/{p.size})" for p in ready.short)),
                           field="acknowledge_short")


def compute(call: Call, actor, sheets: Iterable[SheetData] | None = None, *,
            acknowledge_short: bool = False) -> list[Result] | list[StageResult]:
    """Run the engine for the call's current stage and store its results.

    Refused while any of the stage's assigned sheets is neither submitted nor left out with
    a reason, and, unless ``acknowledge_short``, while any panel counts fewer sheets than
    the stage's panel size (``app.selection.readiness``). Before the last stage the results
    are the stage's (``StageResult``, with the shortlist the officer then confirms); the
    last stage's make the call's ranking (``Result``, a row per eligible proposal). Earlier
    overrides survive a recomputation: the officer's written decision stands until the
    officer changes it.
    """
    if not may_compute(call):
        raise ResultsError(_("평가 중인 공모에서만 결과를 산출할 수 있습니다."))
    stage = stage_scope.current_stage(call)
    sheets = list(submitted_sheets(call, stage) if sheets is None else sheets)
    ready = readiness.check(call, Counter(s.proposal_id for s in sheets), stage)
    _refuse_unready(ready, acknowledge_short)
    # Judge what was submitted: drafts typed after the last submission do not count.
    try:
        run = engine_run.run(call, stage, sheets)
    except engine_run.EngineRunError as error:
        raise ResultsError(error.message) from None
    now = clock.now()
    stage_rows = stage_results.store(run, ready.digest, now)
    if ready.short:
        audit.record(actor, "results.short_panels_acknowledged", call, stage=stage.position,
                     panels=[{"proposal_id": p.proposal_id, "counted": p.counted, "size": p.size} for p in ready.short])
    if not stage_scope.is_last(stage):
        audit.record(actor, "results.stage_computed", call, stage=stage.position, proposals=len(stage_rows),
                     sheets=len(sheets), advancing=[r.proposal_id for r in stage_rows
                                                    if r.breakdown.get("shortlist", {}).get("advances")])
        return stage_rows
    entries = ranking_entries(call, run)

    previous = {r.proposal_id: r for r in db.session.scalars(select(Result).where(Result.call_id == call.id))}
    db.session.execute(delete(Result).where(Result.call_id == call.id))
    rows = []
    for entry in entries:
        row = Result(
            call_id=call.id, proposal_id=entry["proposal_id"], rank=entry["rank"], total=entry["total"],
            passed=entry["passed"], engine_selected=entry["selected"], selected=entry["selected"],
            reason=entry["reason"], breakdown=entry["breakdown"], computed_at=now,
        )
        old = previous.get(row.proposal_id)
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
    outcome.reviewer_stats = run.stats
    outcome.inputs_digest = ready.digest
    audit.record(actor, "results.computed", call, proposals=len(rows), sheets=len(sheets),
                 selected=[r.breakdown.get("id") for r in rows if r.engine_selected], stage=stage.position)
    return rows


def ranking_entries(call: Call, last: engine_run.EngineRun) -> list[dict]:
    """The call's ranking from the last stage's run: the engine's own for one stage, the final
    scores over the stages for several (``stage_results.final_entries``); one entry per
    proposal, ``{"proposal_id", "rank", "total", "passed", "selected", "reason", "breakdown"}``."""
    if stage_scope.is_multi_stage(call):
        return stage_results.final_entries(call, last)
    return [{"proposal_id": last.proposal_ids[typed.id], "rank": typed.rank, "total": typed.total,
             "passed": typed.passed, "selected": typed.selected, "reason": typed.reason,
             "breakdown": {**doc, "explanation": last.explanation(typed)}}
            for typed, doc in zip(last.ranked, last.output["results"])]


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
    stage_totals: tuple  # several stages: each stage's score in the final one, in the stages' order

    @property
    def overridden(self) -> bool:
        return self.selected != self.engine_selected


def ranking_rows(call: Call, stages: list[str] = ()) -> list[RankingRow]:
    """The stored ranking for the officer's tables, in one query; ``stages`` names the stage
    scores each row carries, in order.

    Only the small ``figures`` are read; rows computed before they existed fall back to
    their whole breakdown.
    """
    query = (
        select(Result.id, Result.rank, Proposal.receipt_no, Consortium.name, IndustrialComplex.name,
               Result.figures, Result.passed, Result.selected, Result.engine_selected, Result.reason,
               Result.override_reason)
        .join(Proposal, Proposal.id == Result.proposal_id)
        .join(Consortium, Consortium.id == Proposal.consortium_id)
        .outerjoin(IndustrialComplex, IndustrialComplex.id == Proposal.complex_id)
        .where(Result.call_id == call.id)
        .order_by(Result.rank)
    )
    rows = []
    for id_, rank, receipt_no, consortium, complex_, figures, *rest in db.session.connection().execute(query):
        b = figures if figures is not None else figures_of(db.session.get(Result, id_).breakdown)
        totals = b.get("stage_totals") or {}
        rows.append(RankingRow(id_, rank, receipt_no, consortium, complex_, b.get("total"), b.get("bonus"),
                               b.get("criteria") or {}, *rest, tuple(totals.get(name, "") for name in stages)))
    return rows


def ranking_version(call: Call) -> str | None:
    """A fingerprint of what the ranking table shows of the call's results (None before any):
    every row's rank, total, verdicts, reasons and when it was computed or overridden, each of
    which a computation, an override or an applied re-evaluation writes."""
    rows = db.session.connection().execute(
        select(Result.id, Result.rank, Result.total, Result.passed, Result.selected, Result.engine_selected,
               Result.reason, Result.override_reason, Result.computed_at, Result.overridden_at)
        .where(Result.call_id == call.id).order_by(Result.rank, Result.id)).all()
    if not rows:
        return None
    return hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()


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
