"""What the read API answers, as plain values, from the services the portal's own pages use.

Public: published calls (never a draft), their procedure, amendments, FAQ and, once announced,
which proposals were selected (receipt number, lead organisation and site: no title, no score,
and nothing of those not selected). For a token (``app.api.tokens``), by scope: the submitted
proposals' metadata and status (never a text or a file), 요건검토, each stage's scores, the
final ranking and selection, and the awarded projects' KPIs and budget execution.
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.calls import amendments, faq
from app.calls import calls as calls_service
from app.calls.stages import kind_label
from app.extensions import db
from app.models import Call, Consortium, Proposal
from app.models.calls import CallPhase
from app.models.proposals import ProposalStatus
from app.projects import portfolio
from app.proposals import snapshot
from app.selection import results, screening, stage_results


def _text(value) -> str | None:
    return None if value is None else str(value)


def _lead(proposal: Proposal) -> str | None:
    lead = proposal.consortium.lead_org if proposal.consortium is not None else None
    return lead.name if lead is not None else None


# --- public ------------------------------------------------------------------------------

def public_calls() -> list[Call]:
    """Open calls first (closing soonest), then upcoming ones, then past ones (newest first)."""
    groups = calls_service.public_calls()
    return groups.open + groups.upcoming + groups.past


def public_call(code: str) -> Call | None:
    return calls_service.public_call(code)


def call_view(call: Call) -> dict:
    return {
        "code": call.code, "title": call.title, "status": str(call.status()),
        "status_label": calls_service.status_label(call.status()),
        "programme": call.programme.name, "ministry": call.programme.ministry,
        "agency": call.programme.agency.name if call.programme.agency else None,
        "description_md": call.description_md, "opens_at": call.opens_at, "closes_at": call.closes_at,
        "awards": call.awards, "per_award_cap": call.per_award_cap, "total_cap": call.total_cap,
        "first_year": call.first_year, "last_year": call.last_year,
        "min_local_ratio": _text(call.min_local_ratio), "final_score": call.final_score,
    }


def stages(call: Call) -> list[dict]:
    return [{"position": s.position, "kind": s.kind, "label": kind_label(s.kind),
             "panel_size": s.panel_size if s.position > 0 else None, "due_at": s.due_at if s.position > 0 else None,
             "shortlist_rule": s.shortlist_rule, "shortlist_value": s.shortlist_value,
             "weight": _text(s.weight)} for s in call.stages]


def amendment_list(call: Call) -> list[dict]:
    return [{"number": a.number, "reason": a.reason, "published_at": a.created_at,
             "changes": [{"field": label, "old": old, "new": new} for label, old, new in amendments.rows(a.changes)]}
            for a in amendments.history(call)]


def faq_entries(call: Call) -> list[dict]:
    return [{"position": e.position, "question": e.question, "answer": e.answer} for e in faq.entries(call)]


def announced_results(call: Call) -> list[dict]:
    """The selected proposals once the results are announced; nothing before."""
    if call.phase != CallPhase.ANNOUNCED:
        return []
    return [{"rank": r.rank, "receipt_no": r.proposal.receipt_no, "lead_organisation": _lead(r.proposal),
             "consortium": r.proposal.consortium.name, "site": r.proposal.complex.name if r.proposal.complex else None}
            for r in results.ranking(call) if r.selected]


# --- for a token ---------------------------------------------------------------------------

def proposals(call: Call) -> list[dict]:
    """Every proposal that was submitted (withdrawn ones too), in receipt order: metadata only."""
    rows = list(db.session.scalars(
        select(Proposal).where(Proposal.call_id == call.id, Proposal.receipt_no.is_not(None),
                               Proposal.status != ProposalStatus.DRAFT)
        .options(selectinload(Proposal.consortium).selectinload(Consortium.lead_org),
                 selectinload(Proposal.complex))
        .order_by(Proposal.receipt_no, Proposal.id)))
    heads = snapshot.latest_heads(p.id for p in rows)
    return [_proposal(p, heads.get(p.id)) for p in rows]


def proposal(call: Call, proposal_id: int) -> dict | None:
    return next((p for p in proposals(call) if p["id"] == proposal_id), None)


def _proposal(p: Proposal, head) -> dict:
    return {"id": p.id, "receipt_no": p.receipt_no, "title": p.title, "status": p.status,
            "submitted_at": p.submitted_at, "consortium": p.consortium.name, "lead_organisation": _lead(p),
            "site": p.complex.name if p.complex else None,
            "national_total": head.national_total if head is not None else None}


def screening_rows(call: Call) -> list[dict]:
    decisions = screening.decisions_by_proposal(call)
    out = []
    for p in screening.submitted_proposals(call):
        d = decisions.get(p.id)
        out.append({"proposal_id": p.id, "receipt_no": p.receipt_no, "status": d.status if d else "pending",
                    "reason": d.reason if d else "", "decided_at": d.decided_at if d else None})
    return out


def stage_scores(call: Call) -> list[dict]:
    """Each computed evaluation stage's results, stage by stage, in rank order."""
    out = []
    for stage in call.stages:
        if stage.position == 0 or stage.computed_at is None:
            continue
        for row in stage_results.stage_rows(stage):
            out.append({"stage": stage.position, "kind": stage.kind, "proposal_id": row.proposal_id,
                        "receipt_no": row.receipt_no, "rank": row.rank, "total": row.total, "passed": row.passed,
                        "reason": row.reason, "advances": row.advances, "confirmed": row.confirmed})
    return out


def decisions(call: Call) -> list[dict]:
    """The final ranking: the decision of record (``selected``) beside the engine's verdict."""
    return [{"proposal_id": r.proposal_id, "receipt_no": r.proposal.receipt_no, "rank": r.rank,
             "total": (r.breakdown or {}).get("total") or _text(r.total), "passed": r.passed,
             "selected": r.selected, "engine_selected": r.engine_selected,
             "override_reason": r.override_reason if r.selected != r.engine_selected else "",
             "decided": call.phase in (CallPhase.DECIDED, CallPhase.ANNOUNCED),
             "announced": call.phase == CallPhase.ANNOUNCED} for r in results.ranking(call)]


def projects(call: Call) -> list[dict]:
    """The call's awarded projects with their KPIs' progress and budget execution."""
    built = portfolio.build(call.programme)
    return [_project(row) for row in built.rows if row.project.call_id == call.id]


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def _project(row: portfolio.ProjectRow) -> dict:
    p = row.project
    return {"id": p.id, "proposal_id": p.proposal_id, "receipt_no": p.proposal.receipt_no, "title": p.title,
            "status": p.status, "period_start": p.period_start, "period_end": p.period_end,
            "lead_organisation": p.consortium.lead_org.name if p.consortium.lead_org else None,
            "budget_planned": row.planned_total, "budget_executed": row.executed_total,
            "execution_rate": _decimal(row.rate),
            "kpis": [{"poc": k.poc.tenant_firm, "name": k.kpi.name, "unit": k.kpi.unit,
                      "baseline": _decimal(k.kpi.baseline), "target": _decimal(k.kpi.target),
                      "actual": _decimal(k.actual), "progress": _decimal(k.progress), "reached": k.reached}
                     for k in row.kpis]}
