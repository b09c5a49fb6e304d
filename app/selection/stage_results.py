"""Results stage by stage (SPEC §6): each stage's ranking, its shortlist, and the final ranking.

A stage's results are computed like a one-stage call's (``results.compute`` runs the engine
on the stage, ``engine_run``) and stored per proposal (``StageResult``) with the shortlist
the stage's rule would draw. Confirming the stage fixes that shortlist: those proposals go
on to the next stage, whose panels then form; the others are told they do not. Confirming
is refused while the results are stale (a sheet changed since they were computed).

The last stage's computation makes the call's ranking (``Result``): the final score of
each proposal in the last stage (the last stage's score, or the stages' weighted sum,
``scoring.stages``), ranked and selected by the call's policy; after them the proposals
that stopped at an earlier stage, later stages first, each with its stage's explanation.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.orm import load_only, selectinload

import scoring
from scoring.stage_text import stage_name
from app import audit
from app.core import clock, particles
from app.core.errors import SelectionError
from app.extensions import db
from app.calls.stages import KIND_KO, kind_label
from app.core.links import portal_url
from app.models import Call, Consortium, Proposal
from app.models.calls import CallPhase
from app.models.stages import EvaluationStage, StageResult
from app.notifications import outbox
from app.notifications.contacts import contacts_by_lead
from app.review import presentation_day, stage_scope
from app.selection import engine_run, readiness
from app.selection.engine_run import EngineRun


class StageResultsError(SelectionError):
    pass


def label(stage: EvaluationStage) -> str:
    """The stage's name in the engine's explanations: its kind, numbered only when two share it."""
    kinds = Counter(s.kind for s in stage_scope.evaluation_stages(stage.call))
    return stage.kind if kinds[stage.kind] == 1 else f"{stage.kind} {stage.position}"


def store(run: EngineRun, digest: str, now: datetime) -> list[StageResult]:
    """Keep the stage's results and, before the last stage, the shortlist its rule draws."""
    stage = run.stage
    call = stage.call
    following = stage_scope.next_stage(stage)
    shortlist = None
    if following is not None:
        try:
            shortlist = scoring.shortlist(run.ranked, stage.shortlist_rule, stage.shortlist_value, call.awards,
                                          policy=run.policy, stage=label(stage), next_stage=label(following))
        except scoring.ScoringInputError as error:
            raise StageResultsError(_("다음 단계 대상을 정할 수 없습니다: %(e)s", e=str(error))) from None
    db.session.execute(delete(StageResult).where(StageResult.stage_id == stage.id))
    rows = []
    for typed, doc in zip(run.ranked, run.output["results"]):
        breakdown = {**doc, "explanation": run.explanation(typed)}
        if shortlist is not None:
            breakdown["shortlist"] = {"advances": typed.id in shortlist.advancing,
                                      "explanation": {"ko": shortlist.explain(typed.id, "ko"),
                                                      "en": shortlist.explain(typed.id, "en")}}
        rows.append(StageResult(stage_id=stage.id, proposal_id=run.proposal_ids[typed.id], rank=typed.rank,
                                total=typed.total, passed=typed.passed, reason=typed.reason, advanced=None,
                                breakdown=breakdown, computed_at=now))
    rows += _no_show_rows(stage, len(rows), now)
    db.session.add_all(rows)
    stage.computed_at = now
    stage.inputs_digest = digest
    stage.reviewer_stats = run.stats
    return rows


NO_SHOW = "no-show"


def _no_show_rows(stage: EvaluationStage, ranked: int, now: datetime) -> list[StageResult]:
    """Those left out for not presenting: not evaluated, failing the stage, ranked after the others."""
    absent = presentation_day.no_shows(stage)
    if not absent:
        return []
    with force_locale("ko"):
        ko = presentation_day.no_shows(stage)
    with force_locale("en"):
        en = presentation_day.no_shows(stage)
    return [StageResult(stage_id=stage.id, proposal_id=pid, rank=ranked + n, total=0, passed=False, reason=NO_SHOW,
                        advanced=None, computed_at=now,
                        breakdown={"id": str(pid), "total": "0", "passed": False, "selected": False, "reason": NO_SHOW,
                                   "explanation": {"ko": [ko[pid]], "en": [en[pid]]},
                                   "shortlist": {"advances": False, "explanation": {"ko": [], "en": []}}})
            for n, pid in enumerate(sorted(absent), start=1)]


def may_confirm(stage: EvaluationStage) -> bool:
    return (stage.call.phase == CallPhase.IN_REVIEW and stage.confirmed_at is None
            and stage.computed_at is not None and not stage_scope.is_last(stage)
            and stage_scope.has_started(stage))


def confirm(call: Call, stage: EvaluationStage, actor) -> list[int]:
    """Fix the stage's shortlist: who goes on to the next stage (their proposal ids, returned).
    Irreversible; audited; each consortium of the stage is told whether it goes on."""
    db.session.execute(select(Call).where(Call.id == call.id).with_for_update()
                       .execution_options(populate_existing=True)).scalar_one()
    db.session.refresh(stage)
    if stage.call_id != call.id or not stage.evaluates:
        raise StageResultsError(_l("이 공모의 평가 단계가 아닙니다."))
    if stage.confirmed_at is not None:
        raise StageResultsError(_l("이미 확정된 평가 단계입니다."))
    if stage_scope.is_last(stage):
        raise StageResultsError(_l("마지막 평가 단계의 결과는 선정 결과로 확정합니다."))
    if not may_confirm(stage):
        raise StageResultsError(_l("평가 중인 공모에서 결과를 산출한 단계만 확정할 수 있습니다."))
    if readiness.is_stale(call, stage=stage):
        raise StageResultsError(_l("결과 산출 뒤 평가표나 제외 처리가 바뀌었습니다. 결과를 다시 산출한 뒤 확정하십시오."))
    shortlist = drawn_shortlist(stage)
    advancing = [pid for pid, goes_on in shortlist if goes_on]
    db.session.execute(update(StageResult).where(StageResult.stage_id == stage.id)
                       .values(advanced=StageResult.proposal_id.in_(advancing)))
    stage.confirmed_at = clock.now()
    stage.confirmed_by_id = actor.id
    following = stage_scope.next_stage(stage)
    audit.record(actor, "results.stage_confirmed", stage, call_id=call.id, stage=stage.position,
                 advancing=advancing, not_advancing=[pid for pid, goes_on in shortlist if not goes_on])
    _notify(call, stage, following, shortlist)
    return advancing


def drawn_shortlist(stage: EvaluationStage) -> list[tuple[int, bool]]:
    """(proposal id, goes on) for each of the stage's results in rank order: the shortlist drawn
    when they were computed. Only the flag is read, not the breakdowns: a thousand of those,
    explanations in two languages each, took ~20 MiB of a web worker to confirm a stage."""
    advances = StageResult.breakdown["shortlist"]["advances"].as_boolean()
    return [(pid, bool(goes_on)) for pid, goes_on in db.session.execute(
        select(StageResult.proposal_id, advances).where(StageResult.stage_id == stage.id)
        .order_by(StageResult.rank, StageResult.id))]


def _notify(call: Call, stage: EvaluationStage, following: EvaluationStage,
            shortlist: list[tuple[int, bool]]) -> None:
    """Each consortium of the stage told whether it goes on. Stage names inside a stored notice
    stay Korean, like the call's title; the sentence is translated when read."""
    # Read at once, not per proposal: a stage of a thousand proposals tells a thousand consortia.
    proposals = {p.id: p for p in db.session.scalars(
        select(Proposal).where(Proposal.id.in_([pid for pid, _goes_on in shortlist]))
        .options(load_only(Proposal.id, Proposal.consortium_id), selectinload(Proposal.consortium)))}
    contacts = contacts_by_lead(p.consortium.lead_org_id for p in proposals.values())
    for pid, goes_on in shortlist:
        proposal = proposals[pid]
        url = portal_url("proposals.show", proposal_id=proposal.id)
        if goes_on:
            notice = outbox.notice("[%(call)s] %(stage)s 결과 다음 단계(%(next)s) 평가 대상이 되었습니다.",
                                   call=call.title, stage=KIND_KO[stage.kind], next=KIND_KO[following.kind])
        else:
            notice = outbox.notice("[%(call)s] %(stage)s 결과 다음 단계(%(next)s) 평가 대상이 되지 않았습니다.",
                                   call=call.title, stage=KIND_KO[stage.kind], next=KIND_KO[following.kind])
        for user in contacts[proposal.consortium.lead_org_id]:
            outbox.post(user.id, "stage_confirmed", notice, url)


def earlier_runs(call: Call, last: EvaluationStage) -> list[EngineRun]:
    """The engine run again on each confirmed stage before ``last``: their sheets are frozen, so the
    runs are the ones confirmed, with the typed results the final ranking reads."""
    return [engine_run.run(call, stage) for stage in stage_scope.evaluation_stages(call) if stage is not last]


def final_entries(call: Call, last_run: EngineRun) -> list[dict]:
    """The call's ranking over several stages, one entry per proposal in rank order:
    ``{"proposal_id", "rank", "total", "passed", "selected", "reason", "breakdown"}``."""
    stages = stage_scope.evaluation_stages(call)
    runs = [*earlier_runs(call, last_run.stage), last_run]
    by_key = [{x.id: x for x in r.ranked} for r in runs]
    last_docs = {d["id"]: d for d in last_run.output["results"]}
    try:
        # The last stage's proposals read with the call's policy: its one_per field and budget.
        _, policy, inputs = scoring.parse_input({"rubric": call.rubric, "policy": call.policy,
                                                 "proposals": last_run.document["proposals"]})
        inputs_by_id = {p.id: p for p in inputs}
        finals = scoring.final_scores({label(r.stage): r.ranked for r in runs}, call.final_score,
                                      {label(s): s.weight for s in stages}, policy.decimals)
        finals = {key: replace(final, proposal=inputs_by_id[key]) for key, final in finals.items()}
        ranked = scoring.final_ranking(finals, policy)
    except scoring.ScoringInputError as error:
        raise StageResultsError(_("최종 점수를 계산할 수 없습니다: %(e)s", e=str(error))) from None
    entries = []
    for r in ranked:
        # Every stage's score, whether it weighs in the final one or not (the last stage's only).
        stage_totals = {label(run.stage): str(results[r.id].total)
                        for run, results in zip(runs, by_key) if r.id in results}
        explanation = {locale: [*_stage_lines(runs, by_key, r.id, locale), *r.explain(locale)]
                       for locale in ("ko", "en")}
        entries.append({
            "proposal_id": last_run.proposal_ids[r.id], "rank": r.rank, "total": r.total, "passed": r.passed,
            "selected": r.selected, "reason": r.reason,
            "breakdown": {"id": r.id, "rank": r.rank, "total": str(r.total), "exact": str(r.final.exact),
                          "passed": r.passed, "selected": r.selected, "reason": r.reason,
                          "criteria": {k: str(v) for k, v in r.final.criteria.items()},
                          # The last stage's bonus and deduction: the final score adds none of its own.
                          "bonus": last_docs[r.id].get("bonus"), "deduction": last_docs[r.id].get("deduction"),
                          "stage_totals": stage_totals, "final_mode": call.final_score,
                          "explanation": explanation},
        })
    rank = len(entries)
    finalists = {e["proposal_id"] for e in entries}
    # Those who stopped earlier: the later the stage they reached, the higher they stand (in the
    # last stage, those left out for not presenting).
    for stage in reversed(stages):
        for row in stage_scope.stage_results(stage):
            if row.advanced or row.proposal_id in finalists or (stage is stages[-1] and row.reason != NO_SHOW):
                continue
            rank += 1
            b = row.breakdown or {}
            explanation = {locale: [*b.get("explanation", {}).get(locale, []),
                                    *b.get("shortlist", {}).get("explanation", {}).get(locale, [])]
                           for locale in ("ko", "en")}
            reason = (f"{NO_SHOW} at {label(stage)}" if row.reason == NO_SHOW
                      else f"not passed at {label(stage)}: {row.reason}" if not row.passed
                      else f"not shortlisted at {label(stage)}")
            entries.append({
                "proposal_id": row.proposal_id, "rank": rank, "total": row.total, "passed": row.passed,
                "selected": False, "reason": reason,
                "breakdown": {**b, "rank": rank, "selected": False, "reason": reason,
                              "stage_totals": {label(stage): b.get("total", str(row.total))},
                              "stopped_at": label(stage),
                              "explanation": explanation},
            })
    return entries


def _stage_lines(runs: list[EngineRun], by_key: list[dict], key: str, locale: str) -> list[str]:
    """Each stage's own explanation of the proposal, headed by the stage."""
    out = []
    for r, results in zip(runs, by_key):
        found = results.get(key)
        if found is not None:
            out.append(f"[{stage_name(label(r.stage), locale)}]")
            out += scoring.explain(found, r.rubric if locale == "ko" else r.rubric_en, r.policy, locale)
    return out


@dataclass(frozen=True, slots=True)
class StageRow:
    """One line of a stage's ranking for the officer's page: plain values."""

    proposal_id: int
    rank: int
    receipt_no: str | None
    consortium: str
    total: str
    passed: bool
    reason: str | None
    advances: bool | None  # what the rule draws (before confirming) or what was confirmed
    confirmed: bool
    shortlist: list[str]


def stage_rows(stage: EvaluationStage, locale: str = "ko") -> list[StageRow]:
    """The stage's stored results in rank order, in one query."""
    query = (
        select(StageResult.proposal_id, StageResult.rank, Proposal.receipt_no, Consortium.name, StageResult.total,
               StageResult.passed, StageResult.reason, StageResult.advanced, StageResult.figures)
        .join(Proposal, Proposal.id == StageResult.proposal_id)
        .join(Consortium, Consortium.id == Proposal.consortium_id)
        .where(StageResult.stage_id == stage.id)
        .order_by(StageResult.rank, StageResult.id)
    )
    rows = []
    # Core rows: the ORM's per-row handling is no use for plain columns (a thousand of them).
    for pid, rank, receipt_no, consortium, total, passed, reason, advanced, breakdown in \
            db.session.connection().execute(query):
        drawn = (breakdown or {}).get("shortlist") or {}  # the figures: total and shortlist
        rows.append(StageRow(pid, rank, receipt_no, consortium, str((breakdown or {}).get("total", total)), passed,
                             reason, advanced if advanced is not None else drawn.get("advances"),
                             advanced is not None,
                             [particles.resolve(line) for line in drawn.get("explanation", {}).get(locale, [])]))
    return rows


def confirm_preview(call: Call, stage: EvaluationStage) -> list[str]:
    """What confirming the stage will do, one sentence per consequence."""
    shortlist = drawn_shortlist(stage)
    following = stage_scope.next_stage(stage)
    going = sum(1 for _pid, goes_on in shortlist if goes_on)
    return [
        _("%(stage)s 결과에 따라 %(a)d건이 %(next)s 대상이 되고 %(b)d건은 대상이 되지 않습니다.",
          stage=kind_label(stage.kind), next=kind_label(following.kind) if following else "", a=going,
          b=len(shortlist) - going),
        _("각 컨소시엄 담당자에게 다음 단계 대상 여부를 알립니다."),
        _("확정한 뒤에는 %(stage)s의 평가위원 구성과 평가표를 바꿀 수 없고, %(next)s 평가위원을 배정할 수 있습니다.",
          stage=kind_label(stage.kind), next=kind_label(following.kind) if following else ""),
        _("이 단계는 되돌릴 수 없습니다."),
    ]


def confirm_blocker(call: Call, stage: EvaluationStage) -> str | None:
    if not may_confirm(stage) or stage is not stage_scope.current_stage(call):
        return _("결과를 산출한 진행 중 단계만 확정할 수 있습니다.")
    if readiness.is_stale(call, stage=stage):
        return _("결과 산출 뒤 평가표나 제외 처리가 바뀌었습니다. 결과를 다시 산출한 뒤 확정하십시오.")
    return None
