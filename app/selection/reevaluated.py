"""Re-evaluation after an upheld objection: opening it, and applying its result to the call.

On 인용 or 일부인용 the officer may open a re-evaluation: a new panel of reviewers who never
sat on the proposal (``app.review.reevaluation``). When every sheet of that panel is in, the
officer applies it: the proposal's score becomes the engine's result over the re-evaluation
sheets only (same stage, rubric and policy: the stage the proposal reached), every other
proposal keeps the sheets that counted for it (or its own applied re-evaluation), and the
ranking and selection are recomputed with the call's awards and rules. Every proposal whose final outcome changes is updated, audited with
its old and new values, re-announced to its consortium and marked on its result page.
"""
from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from app import audit
from app.core import clock
from app.core.links import portal_url
from app.extensions import db
from app.models import Objection, Proposal, Result
from app.models.calls import CallPhase
from app.models.decisions import ObjectionStatus, ReevaluationStatus
from app.notifications import outbox
from app.notifications.contacts import consortium_contacts
from app.review import assignment, reevaluation, stage_scope
from app.review.reevaluation import ReevaluationError
from app.selection import engine_run, objections, outcomes, results, stage_results
from app.selection.objections import ObjectionError

FIELDS = ("rank", "total", "passed", "engine_selected", "selected", "reason")


def _lock(objection: Objection) -> None:
    """The call's row lock first, as for every panel write, then the objection read again under it:
    two officers pressing the same button do not both seat a panel or apply a result."""
    assignment.lock_panel(objection.proposal.call)
    db.session.execute(select(Objection).where(Objection.id == objection.id).with_for_update()
                       .execution_options(populate_existing=True)).scalar_one()


def may_open(objection: Objection) -> bool:
    return (objection.status == ObjectionStatus.ANSWERED and objection.decision in objections.REEVALUATING
            and objection.reevaluation_status == ReevaluationStatus.NONE
            and objection.proposal.call.phase == CallPhase.ANNOUNCED)


def open_reevaluation(objection: Objection, actor) -> list:
    """Seat the re-evaluation panel of an objection upheld in whole or in part."""
    _lock(objection)
    if not may_open(objection):
        raise ObjectionError(_("인용 또는 일부인용한 이의신청에 대해 한 번만 재평가를 시작할 수 있습니다."))
    try:
        seats = reevaluation.seat_panel(objection, actor)
    except ReevaluationError as exc:
        raise ObjectionError(exc.message) from None
    before = {"reevaluation_status": objection.reevaluation_status}
    objection.reevaluation_status = ReevaluationStatus.OPEN
    objection.reevaluation_opened_at = clock.now()
    audit.record(actor, "objection.reevaluation_opened", objection, proposal_id=objection.proposal_id,
                 reviewer_ids=[a.reviewer_id for a in seats],
                 changes=audit.changes(before, {"reevaluation_status": objection.reevaluation_status}))
    return seats


def may_apply(objection: Objection) -> bool:
    return (objection.reevaluation_status == ReevaluationStatus.OPEN and not reevaluation.outstanding(objection)
            and bool(reevaluation.submitted_sheets(objection)))


def _sheet_data(objection: Objection) -> list[results.SheetData]:
    return [results.SheetData(s["proposal_id"], s["reviewer"], s["points"])
            for s in reevaluation.sheet_dicts(objection)]


def _sheets(call, stage, current: Objection) -> list[results.SheetData]:
    """The stage's counted sheets, each proposal re-evaluated in it replaced by its latest re-evaluation's."""
    applied = list(db.session.scalars(
        select(Objection).join(Proposal, Proposal.id == Objection.proposal_id)
        .where(Proposal.call_id == call.id, Objection.reevaluation_status == ReevaluationStatus.APPLIED)
        .order_by(Objection.reevaluation_applied_at, Objection.id)))
    latest = {o.proposal_id: o for o in [*applied, current] if reevaluation.stage_of(o).id == stage.id}
    replaced = [s for o in latest.values() for s in _sheet_data(o)]
    return [s for s in results.submitted_sheets(call, stage) if s.proposal_id not in latest] + replaced


def _entries(call, objection: Objection) -> list[dict]:
    """The call's ranking again, the re-evaluated stage read with the re-evaluations' sheets.

    A proposal that stopped at an earlier stage gets that stage's score anew (its stage result
    follows); who went on to the next stage stays as confirmed.
    """
    stage = reevaluation.stage_of(objection)
    try:
        run = engine_run.run(call, stage, _sheets(call, stage, objection))
        if stage_scope.is_last(stage):
            return results.ranking_entries(call, run)
        typed = next(t for t in run.ranked if run.proposal_ids[t.id] == objection.proposal_id)
        doc = next(d for d in run.output["results"] if d["id"] == typed.id)
        row = stage_scope.result_in(stage, objection.proposal_id)
        row.total, row.passed, row.reason = typed.total, typed.passed, typed.reason
        row.breakdown = {**doc, "explanation": run.explanation(typed), "shortlist": row.breakdown.get("shortlist")}
        db.session.flush()
        return results.ranking_entries(call, engine_run.run(call, stage_scope.evaluation_stages(call)[-1]))
    except (engine_run.EngineRunError, stage_results.StageResultsError) as error:
        raise ObjectionError(error.message) from None


def _values(result: Result) -> dict:
    return {"rank": result.rank, "total": format(Decimal(result.total).normalize(), "f"), "passed": result.passed,
            "engine_selected": result.engine_selected, "selected": result.selected, "reason": result.reason}


def apply(objection: Objection, actor) -> list[Result]:
    """Apply the finished re-evaluation; returns the results whose final outcome changed."""
    call = objection.proposal.call
    _lock(objection)
    if call.phase != CallPhase.ANNOUNCED or objection.reevaluation_status != ReevaluationStatus.OPEN:
        raise ObjectionError(_("진행 중인 재평가만 반영할 수 있습니다."))
    if not may_apply(objection):
        raise ObjectionError(_("재평가 평가표가 모두 제출된 뒤에 반영할 수 있습니다."))
    rows = {r.proposal_id: r for r in db.session.scalars(select(Result).where(Result.call_id == call.id))}
    now = clock.now()
    changed = []
    for entry in _entries(call, objection):
        row = rows.get(entry["proposal_id"])
        if row is None:
            continue
        before, was = _values(row), outcomes.final_outcome(row).selected
        row.rank, row.total, row.passed = entry["rank"], entry["total"], entry["passed"]
        row.engine_selected, row.reason = entry["selected"], entry["reason"]
        if row.overridden_by_id is None:  # an officer's written override stands, as in results.compute
            row.selected = entry["selected"]
        if row.proposal_id == objection.proposal_id or before != _values(row):
            # The re-evaluated score, or a rank that moved: the explanation's verdict follows it
            # (and the ranking table, which is kept per computation: app/web/selection/ranking_cache.py).
            row.breakdown = entry["breakdown"]
            row.computed_at = now
        after = _values(row)
        if after != before:
            if outcomes.final_outcome(row).selected != was:
                row.reevaluated_at = now
                changed.append(row)
            audit.record(actor, "results.reevaluated", row, proposal_id=row.proposal_id, objection_id=objection.id,
                         outcome_changed=row in changed, changes=audit.changes(before, after))
    objection.reevaluation_status = ReevaluationStatus.APPLIED
    objection.reevaluation_applied_at = now
    objection.reevaluation_changed = bool(changed)
    mine = rows.get(objection.proposal_id)
    audit.record(actor, "objection.reevaluation_applied", objection, proposal_id=objection.proposal_id,
                 total=format(Decimal(mine.total).normalize(), "f") if mine else None, sheets=len(_sheet_data(objection)),
                 changed=[r.proposal_id for r in changed],
                 changes=audit.changes({"reevaluation_status": ReevaluationStatus.OPEN},
                                       {"reevaluation_status": ReevaluationStatus.APPLIED}))
    _notify(objection, changed)
    return changed


def _notify(objection: Objection, changed: list[Result]) -> None:
    call = objection.proposal.call
    told = [(r.proposal, r) for r in changed] or [(objection.proposal, None)]
    for proposal, row in told:
        url = portal_url("proposals.result", proposal_id=proposal.id)
        recipients = {u.id: u for u in consortium_contacts(proposal.consortium)}
        if row is None:
            recipients.setdefault(objection.filed_by.id, objection.filed_by)
        for user in recipients.values():
            outbox.queue(
                f"result_changed:{objection.id}:{proposal.id}:{user.id}", "result_changed", user,
                {"call_title": call.title, "proposal_title": proposal.title, "receipt_no": proposal.receipt_no or "",
                 "user_name": user.name, "changed": row is not None,
                 "selected": outcomes.final_outcome(row).selected if row is not None else None, "url": url},
                in_app=(outbox.notice("[%(call)s] 이의신청에 따른 재평가로 선정 결과가 변경되었습니다.", call=call.title)
                        if row is not None else
                        outbox.notice("[%(call)s] 이의신청에 따른 재평가 결과, 선정 결과는 변경되지 않았습니다.",
                                      call=call.title)),
                url=url,
            )
