"""A submitted proposal frozen as plain JSON.

A version must read the same years later, whatever happens to the live rows, the
call's configuration or the organisations' names; so everything a reader needs,
labels included, is copied in. Money stays integer won; KPI figures are strings
of their Decimal value.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import defer

from app.extensions import db
from app.models import (
    Attachment, BudgetLine, IndustrialComplex, InfraItem, Kpi, PocPlan, Proposal, ProposalText, ProposalVersion, User,
)
from app.models.calls import SectionKind
from app.models.proposals import BUDGET_SOURCES
from app.proposals import drafts, sections

# 2: the call's sections and their answers (``sections``, ``texts``) and the site's label.
SCHEMA = 2


def frozen_budget(proposal) -> dict:
    """The year × source table with its totals, as JSON (years are the call's)."""
    years = proposal.call.years
    amounts = drafts.budget_amounts(proposal)
    table = drafts.budget_table(amounts, years)
    return {
        "sources": list(BUDGET_SOURCES),
        "rows": [{"year": y, **{s: amounts.get((y, s), 0) for s in BUDGET_SOURCES}, "total": table["rows"][y]}
                 for y in years],
        "totals": {**table["cols"], "total": table["grand"]},
    }


def build(proposal, *, number: int, receipt_no: str, submitted_at: datetime, validated_at: datetime,
          submitted_by) -> dict:
    call = proposal.call
    consortium = proposal.consortium
    labels = {t.key: t for t in call.infra_types}
    kinds = {k.key: k for k in call.attachment_kinds}
    cx = proposal.complex
    return {
        "schema": SCHEMA,
        "version": number,
        "receipt_no": receipt_no,
        "submitted_at": submitted_at.isoformat(),
        "validated_at": validated_at.isoformat(),
        "submitted_by": {"id": submitted_by.id, "name": submitted_by.name},
        "call": {"id": call.id, "code": call.code, "title": call.title,
                 "first_year": call.first_year, "last_year": call.last_year},
        "consortium": {
            "id": consortium.id,
            "name": consortium.name,
            "lead_org_id": consortium.lead_org_id,
            "members": [
                {"organisation_id": m.organisation_id, "name": m.organisation.name, "type": m.organisation.type,
                 "region": m.organisation.region, "brn": m.organisation.brn, "role": m.role}
                for m in consortium.members
            ],
        },
        "complex": {"id": cx.id, "name": cx.name, "region": cx.region, "designated_year": cx.designated_year}
        if cx else None,
        "overview": {"title": proposal.title, "summary": proposal.summary,
                     "strategic_industries": proposal.strategic_industries},
        "infra_items": [
            {"type_key": i.type_key,
             "type_label_ko": labels[i.type_key].label_ko if i.type_key in labels else i.type_key,
             "type_label_en": labels[i.type_key].label_en if i.type_key in labels else i.type_key,
             "description": i.description, "budget": i.budget}
            for i in proposal.infra_items
        ],
        "poc_plans": [
            {"tenant_firm": p.tenant_firm, "problem": p.problem, "ai_solution": p.ai_solution, "budget": p.budget,
             "kpis": [{"name": k.name, "unit": k.unit, "baseline": _decimal(k.baseline), "target": _decimal(k.target)}
                      for k in p.kpis]}
            for p in proposal.poc_plans
        ],
        "sections": sections.frozen(call),
        "site_label": {"ko": call.site_label_ko, "en": call.site_label_en},
        "texts": {s.key: proposal.text(s.key) for s in call.sections if s.kind == SectionKind.TEXT},
        "budget": frozen_budget(proposal),
        "attachments": [
            {"id": a.id, "kind": a.kind,
             "kind_label_ko": kinds[a.kind].label_ko if a.kind in kinds else "기타",
             "kind_label_en": kinds[a.kind].label_en if a.kind in kinds else "Other",
             "filename": a.filename, "size": a.size, "sha256": a.sha256, "detected_type": a.detected_type}
            for a in proposal.attachments
        ],
    }


def _decimal(value) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def _latest(ids: list[int], *columns):
    newest = (select(ProposalVersion.proposal_id, func.max(ProposalVersion.number).label("n"))
              .where(ProposalVersion.proposal_id.in_(ids)).group_by(ProposalVersion.proposal_id).subquery())
    return select(*columns).join(
        newest, (ProposalVersion.proposal_id == newest.c.proposal_id) & (ProposalVersion.number == newest.c.n))


def latest_versions(proposal_ids) -> dict:
    """Each proposal's latest submitted version, in one query."""
    ids = list(proposal_ids)
    if not ids:
        return {}
    return {v.proposal_id: v for v in db.session.scalars(_latest(ids, ProposalVersion))}


def latest_version(proposal) -> ProposalVersion | None:
    """The proposal's latest submitted version."""
    return latest_versions([proposal.id]).get(proposal.id)


def version_of(proposal, number: int) -> ProposalVersion | None:
    """The proposal's submitted version with this number."""
    return db.session.scalar(select(ProposalVersion).where(
        ProposalVersion.proposal_id == proposal.id, ProposalVersion.number == number))


def versions_of(proposal) -> list:
    """Every submitted version, newest first, with who submitted it; snapshots are not read."""
    return db.session.execute(
        select(ProposalVersion, User.name).join(User, User.id == ProposalVersion.submitted_by_id)
        .where(ProposalVersion.proposal_id == proposal.id)
        .options(defer(ProposalVersion.snapshot)).order_by(ProposalVersion.number.desc())
    ).all()


def latest_heads(proposal_ids) -> dict:
    """What the lists need of each latest version, without reading its snapshot."""
    ids = list(proposal_ids)
    if not ids:
        return {}
    rows = db.session.execute(_latest(ids, ProposalVersion.proposal_id, ProposalVersion.rules_fingerprint,
                                      ProposalVersion.national_total))
    return {r.proposal_id: r for r in rows}


def as_submitted(proposals) -> list[Proposal]:
    """The submitted form of each proposal (those never submitted are left out)."""
    versions = latest_versions(p.id for p in proposals)
    return [as_proposal(versions[p.id], p) for p in proposals if p.id in versions]


def as_proposal(version, live: Proposal) -> Proposal:
    """The submitted version as a detached Proposal, for rules written against the models.

    A consortium may keep editing after submitting and never resubmit; screening and
    scoring must judge what was submitted, not those later drafts. The objects built
    here are never added to the session, so nothing of them is ever written.
    """
    snap = version.snapshot
    complex_id = (snap.get("complex") or {}).get("id")
    frozen = Proposal(
        id=live.id, call_id=live.call_id, consortium_id=live.consortium_id, complex_id=complex_id,
        title=snap["overview"]["title"], summary=snap["overview"]["summary"],
        strategic_industries=snap["overview"]["strategic_industries"],
        status=live.status, receipt_no=version.receipt_no, submitted_at=version.submitted_at,
    )
    # Plain attribute sets, not relationship assignment through the session: the
    # call, consortium and complex are read, never cascaded into a flush.
    frozen.call = live.call
    frozen.consortium = live.consortium
    frozen.complex = db.session.get(IndustrialComplex, complex_id) if complex_id else None
    frozen.texts = [ProposalText(section_key=key, body=body) for key, body in snap.get("texts", {}).items()]
    frozen.infra_items = [InfraItem(type_key=i["type_key"], description=i["description"], budget=i["budget"],
                                    position=n) for n, i in enumerate(snap["infra_items"])]
    frozen.poc_plans = [
        PocPlan(tenant_firm=pl["tenant_firm"], problem=pl["problem"], ai_solution=pl["ai_solution"],
                budget=pl["budget"], position=n,
                kpis=[Kpi(name=k["name"], unit=k["unit"], baseline=_number(k["baseline"]),
                          target=_number(k["target"]), position=m) for m, k in enumerate(pl["kpis"])])
        for n, pl in enumerate(snap["poc_plans"])
    ]
    frozen.budget_lines = [BudgetLine(year=row["year"], source=source, amount=row[source])
                           for row in snap["budget"]["rows"] for source in snap["budget"]["sources"] if row[source]]
    frozen.attachments = [Attachment(kind=a["kind"], filename=a["filename"], size=a["size"], sha256=a["sha256"],
                                     detected_type=a["detected_type"], storage_key="")
                          for a in snap["attachments"]]
    return frozen


def _number(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)
