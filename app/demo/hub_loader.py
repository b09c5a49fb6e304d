"""Loading the demo's second programme (app/demo/digital_hub.py) through the real services.

Idempotent like the rest of the demo: the programme is found by name and agency, its call by the
programme (whatever year it was first loaded in), sites by name, consortia by name and lead, each
draft by call and consortium; only what is missing is created, and what exists stays as it is.
The call opens a few days before the first load and closes four weeks after it: 충청북도 has
submitted, 경상남도 is still writing.
"""
from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.models import Call, Consortium, IndustrialComplex, Organisation, Programme, Proposal, User
from app.core import clock
from app.demo import digital_hub as hub
from app.demo import pdf, review_call
from app.demo.stage_work import name_committee
from app.calls import call_admin, lifecycle, stages
from app.proposals import attachments, drafts, submission

Count = Callable[[str], None]


@dataclass
class Loaded:
    call: Call | None = None
    users: dict[str, User] = field(default_factory=dict)
    proposals: dict[str, Proposal] = field(default_factory=dict)  # by applicant key (chungbuk, gyeongnam)


def window(now: datetime) -> dict[str, datetime]:
    """Opened at 09:00 KST five days ago, closes at 18:00 KST in 28 days; reviews due two weeks later."""
    today = clock.to_kst(now).date()

    def at(offset: int, hour: int) -> datetime:
        d = today + timedelta(days=offset)
        return clock.kst(d.year, d.month, d.day, hour)

    closes_at = at(28, 18)
    return {"opens_at": at(-5, 9), "closes_at": closes_at, "info_session_at": at(-1, 14),
            "review_due_at": closes_at + timedelta(days=14)}


def load(count: Count, *, orgs: dict[str, Organisation], make_org, make_account, now: datetime) -> Loaded:
    """The programme, its call, sites, accounts, consortia and drafts: whatever is missing."""
    orgs = {**orgs, **{key: make_org(*spec) for key, spec in hub.ORGANISATIONS.items()}}
    loaded = Loaded(users={email: make_account(email, name, orgs[org], dept, roles)
                           for email, name, org, dept, roles in hub.ACCOUNTS})
    sites = _sites(count)
    programme = _programme(count, orgs["nipa"], orgs["msit"])
    loaded.call = _call(count, programme, sites, loaded.users[hub.OFFICER], now)
    for key, spec in hub.CONSORTIA.items():
        applicant = loaded.users[spec["applicant"]]
        consortium = _consortium(count, applicant, orgs, spec)
        proposal = _proposal(count, loaded.call, consortium, applicant, sites[spec["site"]], key)
        if proposal is not None:
            loaded.proposals[key] = proposal
    return loaded


def _sites(count: Count) -> dict[str, IndustrialComplex]:
    names = [name for name, _region, _year in hub.SITES]
    found = db.session.scalars(select(IndustrialComplex).where(IndustrialComplex.name.in_(names)))
    existing = {c.name: c for c in found}
    for name, region, year in hub.SITES:
        if name not in existing:
            existing[name] = IndustrialComplex(name=name, region=region, designated_year=year)
            db.session.add(existing[name])
            count("industrial_complexes")
    db.session.flush()
    return existing


def _programme(count: Count, agency: Organisation, ministry: Organisation) -> Programme:
    programme = db.session.scalar(
        select(Programme).where(Programme.name == hub.PROGRAMME, Programme.agency_id == agency.id))
    if programme is None:
        programme = Programme(name=hub.PROGRAMME, ministry=hub.MINISTRY, agency=agency, ministry_org=ministry)
        db.session.add(programme)
        db.session.flush()
        count("programmes")
    return programme


def _call(count: Count, programme: Programme, sites: dict, officer: User, now: datetime) -> Call:
    call = db.session.scalar(select(Call).where(Call.programme_id == programme.id,
                                                Call.code.startswith(hub.CODE_PREFIX)).order_by(Call.id))
    if call is not None:
        return call
    dates = window(now)
    first_year = clock.to_kst(now).year + 1
    # Through the officer's own services, so the call passes the same checks a real one does.
    call = call_admin.create_call(officer, programme, {
        "code": f"{hub.CODE_PREFIX}{first_year}", "title": hub.TITLE.format(year=first_year),
        "description_md": hub.DESCRIPTION_MD, **dates,
        "awards": hub.AWARDS, "per_award_cap": hub.PER_AWARD_CAP, "total_cap": hub.TOTAL_CAP,
        "first_year": first_year, "last_year": first_year + hub.YEARS - 1,
        "min_local_ratio": Decimal(hub.MIN_LOCAL_RATIO), "reviewers_per_proposal": 5,
        "complex_ids": [sites[name].id for name, _region, _year in hub.SITES],
        "infra_types": hub.INFRA_TYPES, "attachment_kinds": hub.ATTACHMENT_KINDS, "sections": hub.SECTIONS,
        "site_label_ko": hub.SITE_LABEL[0], "site_label_en": hub.SITE_LABEL[1], "lead_org_types": hub.LEAD_ORG_TYPES,
    }, rubric=hub.rubric(), policy=hub.policy())
    due = dates["review_due_at"]
    stages.set_stages(call, officer, hub.stages(due, due + timedelta(days=14)), hub.FINAL_SCORE)
    name_committee(call, officer)
    lifecycle.publish(call, officer)
    db.session.flush()
    count("calls")
    return call


def _consortium(count: Count, applicant: User, orgs: dict[str, Organisation], spec: dict) -> Consortium:
    return review_call.consortium_of(count, applicant, orgs, spec)


def _proposal(count: Count, call: Call, consortium: Consortium, applicant: User, site: IndustrialComplex,
              key: str) -> Proposal | None:
    spec = hub.PROPOSALS[key]
    proposal = drafts.existing(call, consortium)
    if proposal is not None or not call.is_open():
        return proposal  # what has been written since stays; a closed call takes no new draft
    proposal = drafts.start(call, consortium, applicant, site.id)
    drafts.save_overview(proposal, applicant, spec["overview"])
    items = call.section_of_kind("items")
    plans = call.section_of_kind("plans")
    drafts.replace_infra_items(proposal, applicant, spec[items.key])
    if spec[plans.key]:
        drafts.replace_poc_plans(proposal, applicant, spec[plans.key])
    for section in call.sections:
        if section.kind == "text" and spec.get(section.key):
            drafts.save_text_section(proposal, applicant, section.key, spec[section.key])
    years = call.years[:spec.get("budget_years", len(call.years))]
    drafts.save_budget(proposal, applicant, {(year, source): amount for year in years
                                             for source, amount in spec["budget"].items()})
    count("proposals")
    if spec["complete"]:
        for kind, label, _en, _required in hub.ATTACHMENT_KINDS:
            text = f"{call.code} demo - {key} - {kind}"  # the one-page PDF writes ASCII
            attachments.store(proposal, applicant, kind, io.BytesIO(pdf.one_page(text)), f"{label}.pdf")
        submission.submit(proposal, applicant)
        count("submissions")
    db.session.flush()
    return proposal
