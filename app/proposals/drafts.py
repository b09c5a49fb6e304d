"""Drafting a proposal: starting it for a call and saving its sections.

Drafts accept partial data at any time while the call is open; what a draft must
not hold is a value that cannot be what the user meant (text in a money cell, a
complex the call does not accept). Each save function checks the closing instant,
checks every value before changing anything (raising ``DraftInvalid`` with messages
keyed by the section page's field names, see forms/proposal.py), replaces the
section, and writes the audit entry in the same transaction. The caller commits.
Permission checks are the caller's (app.access).
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import BudgetLine, Call, Consortium, IndustrialComplex, InfraItem, Kpi, PocPlan, Proposal, ProposalText
from app.models.proposals import BUDGET_SOURCES
from app import audit
from app.core import clock
from app.core.errors import ProposalsError
from app.calls import deadline
from app.core.money import MAX_WON
from app.access import consortium_ids_of
from app.proposals import sections
from app.models.calls import SectionKind
from app.proposals import validation

# Numeric(18, 4): fourteen digits before the point, four after.
KPI_LIMIT = Decimal(10) ** 14
KPI_PLACES = 4

TEXT_MAX = 50_000

SOURCE_LABELS = {
    "national": _l("국비"),
    "local": _l("지방비"),
    "private_cash": _l("민간부담금(현금)"),
    "private_inkind": _l("민간부담금(현물)"),
}
STATUS_LABELS = {"draft": _l("작성 중"), "submitted": _l("제출 완료"), "withdrawn": _l("철회")}
PROGRESS_LABELS = {"empty": _l("미작성"), "partial": _l("작성 중"), "complete": _l("작성 완료")}


class DraftInvalid(ProposalsError):
    """Values that cannot be saved; ``errors`` maps field names to translated messages.

    Row fields are named as on the page (``items-<i>-budget``), ``i`` indexing the
    list the caller passed in.
    """

    def __init__(self, errors: dict[str, Any]):
        super().__init__(", ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class AlreadyStarted(ProposalsError):
    """The consortium already has a proposal for this call."""

    def __init__(self, proposal: Proposal):
        super().__init__(f"proposal {proposal.id} exists")
        self.proposal = proposal


# ----- reading -------------------------------------------------------------------------------

def eligible_complexes(call: Call) -> list[IndustrialComplex]:
    """The complexes a proposal may target: the call's list, or every complex when it has none."""
    if call.complexes:
        return list(call.complexes)
    return list(db.session.scalars(select(IndustrialComplex).order_by(IndustrialComplex.name)))


def proposals_of(user) -> list[Proposal]:
    ids = consortium_ids_of(user)
    if not ids:
        return []
    return list(db.session.scalars(
        select(Proposal).where(Proposal.consortium_id.in_(ids))
        .options(selectinload(Proposal.call), selectinload(Proposal.consortium), selectinload(Proposal.complex))
        .order_by(Proposal.updated_at.desc(), Proposal.id.desc())
    ))


def existing(call: Call, consortium: Consortium) -> Proposal | None:
    return db.session.scalar(
        select(Proposal).where(Proposal.call_id == call.id, Proposal.consortium_id == consortium.id)
    )


def section_progress(proposal: Proposal) -> dict[str, str]:
    """How far each section is filled in: "empty", "partial" or "complete" (display only;
    whether the proposal may be submitted is validation's call)."""
    def share(flags: list[bool]) -> str:
        if not any(flags):
            return "empty"
        return "complete" if all(flags) else "partial"

    p = proposal
    out = {"overview": share([bool(p.title.strip()), bool(p.summary.strip()), p.complex_id is not None,
                              bool(p.strategic_industries.strip())])}
    for section in p.call.sections:
        if section.kind == SectionKind.ITEMS:
            out[section.key] = "empty" if not p.infra_items else share(
                [bool(i.type_key and i.description.strip() and i.budget > 0) for i in p.infra_items])
        elif section.kind == SectionKind.PLANS:
            out[section.key] = "empty" if not p.poc_plans else share([plan.is_complete for plan in p.poc_plans])
        else:
            out[section.key] = "complete" if p.text(section.key).strip() else "empty"
    years = p.call.years
    if p.total_budget == 0:
        out["budget"] = "empty"
    else:
        out["budget"] = share([p.total_by_source("national") > 0]
                              + [any(p.budget_amount(y, s) for s in BUDGET_SOURCES) for y in years])
    required = {k.key for k in p.call.attachment_kinds if k.required}
    have = {a.kind for a in p.attachments}
    out["attachments"] = "empty" if not have else ("complete" if required <= have else "partial")
    return out


def budget_table(amounts: dict[tuple[int, str], int | None], years: list[int]) -> dict:
    """Row, column and grand totals of a year × source table (cells may be missing)."""
    rows = {y: sum(amounts.get((y, s)) or 0 for s in BUDGET_SOURCES) for y in years}
    cols = {s: sum(amounts.get((y, s)) or 0 for y in years) for s in BUDGET_SOURCES}
    return {"rows": rows, "cols": cols, "grand": sum(rows.values())}


def budget_amounts(proposal: Proposal) -> dict[tuple[int, str], int]:
    return {(line.year, line.source): line.amount for line in proposal.budget_lines}


def budget_summary(proposal: Proposal) -> dict:
    """The running totals shown on the proposal's hub."""
    call = proposal.call
    table = budget_table(budget_amounts(proposal), call.years)
    national = table["cols"]["national"]
    private = table["cols"]["private_cash"] + table["cols"]["private_inkind"]
    return {
        **table,
        "national": national,
        "over_cap": national > call.per_award_cap,
        "local_ratio": (Decimal(table["cols"]["local"]) / national) if national else None,
        "private_ratio": (Decimal(private) / table["grand"]) if table["grand"] else None,
    }


# ----- writing -------------------------------------------------------------------------------

def start(call: Call, consortium: Consortium, user, complex_id: int | None) -> Proposal:
    """Open a draft for the consortium; refused outside the call's window."""
    found = existing(call, consortium)
    if found is not None:
        raise AlreadyStarted(found)
    proposal = Proposal(call=call, consortium=consortium, created_by_id=user.id)
    deadline.ensure_writable(proposal)
    errors = {}
    refusal = validation.lead_refusal(call, consortium)
    if refusal:
        errors["consortium_id"] = refusal
    if complex_id is None or complex_id not in {c.id for c in eligible_complexes(call)}:
        errors["complex_id"] = _site_message(call)
    if errors:
        raise DraftInvalid(errors)
    proposal.complex_id = complex_id
    try:
        # Two colleagues pressing "start" together: the unique key decides, the loser joins the winner.
        with db.session.begin_nested():
            db.session.add(proposal)
            db.session.flush()
    except IntegrityError:
        found = existing(call, consortium)
        if found is None:
            raise
        raise AlreadyStarted(found) from None
    audit.record(user, "proposal.started", proposal, call_id=call.id, consortium_id=consortium.id,
                 complex_id=complex_id)
    return proposal


def _site_message(call: Call):
    return _l("%(site)s은(는) 이 공모의 신청 대상 중에서 선택하십시오.", site=sections.site_label(call))


def _section_of(proposal: Proposal, kind: str, field: str):
    """The call's section of this kind; a call without one takes no such rows."""
    section = proposal.call.section_of_kind(kind)
    if section is None:
        raise DraftInvalid({field: _l("이 공모의 신청서에는 이 항목이 없습니다.")})
    return section


AUDIT_TEXT = 500


def _saved(proposal: Proposal, user, section: str, before: dict | None = None, after: dict | None = None) -> None:
    # Changes to child rows do not touch the proposal row, so "last change" is set by hand.
    proposal.updated_at = clock.now()
    changed = audit.changes(before, after) if before is not None and after is not None else {}
    # A section of 50,000 characters saved many times over would swell the log; the entry keeps
    # the start of a long text, and the submitted versions keep every word.
    changed = {k: [_clip(old), _clip(new)] for k, (old, new) in changed.items()}
    audit.record(user, "proposal.draft_saved", proposal, section=section, **({"changes": changed} if changed else {}))


def _clip(value):
    return value[:AUDIT_TEXT] + "…" if isinstance(value, str) and len(value) > AUDIT_TEXT else value


def _text(value, limit: int, name: str, errors: dict) -> str:
    text = "" if value is None else str(value).strip()
    if len(text) > limit:
        errors[name] = _l("%(max)d자 이내로 입력하십시오.", max=limit)
    return text


def _won(value, name: str, errors: dict) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        errors[name] = _l("금액은 원 단위 숫자로 입력하십시오.")
        return None
    if value < 0:
        errors[name] = _l("금액은 0원 이상이어야 합니다.")
    elif value > MAX_WON:
        errors[name] = _l("금액이 너무 큽니다. 1,000조원 이하로 입력하십시오.")
    return value


def _quantity(value, name: str, errors: dict) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        errors[name] = _l("숫자로 입력하십시오 (예: 12.5).")
        return None
    if not number.is_finite():
        errors[name] = _l("숫자로 입력하십시오 (예: 12.5).")
    elif abs(number) >= KPI_LIMIT:
        errors[name] = _l("값이 너무 큽니다.")
    elif number.as_tuple().exponent < -KPI_PLACES:
        errors[name] = _l("소수점 아래 넷째 자리까지 입력할 수 있습니다.")
    return number


def save_overview(proposal: Proposal, user, data: dict) -> None:
    """Keys: title, summary, complex_id (int or None), strategic_industries; missing keys stay as they are."""
    deadline.ensure_plan_writable(proposal)
    errors: dict = {}
    changes: dict = {}
    for key, limit in (("title", 300), ("summary", TEXT_MAX), ("strategic_industries", 300)):
        if key in data:
            changes[key] = _text(data[key], limit, key, errors)
    if "complex_id" in data:
        complex_id = data["complex_id"]
        if complex_id is not None and complex_id not in {c.id for c in eligible_complexes(proposal.call)}:
            errors["complex_id"] = _site_message(proposal.call)
        changes["complex_id"] = complex_id
    if errors:
        raise DraftInvalid(errors)
    before = {key: getattr(proposal, key) for key in changes}
    for key, value in changes.items():
        setattr(proposal, key, value)
    _saved(proposal, user, "overview", before, changes)


def replace_infra_items(proposal: Proposal, user, items: list[dict]) -> None:
    """The whole list, in order; each item: type_key ("" while undecided), description, budget (won or None)."""
    deadline.ensure_plan_writable(proposal)
    section = _section_of(proposal, SectionKind.ITEMS, "items")
    offered = {t.key for t in proposal.call.infra_types}
    errors: dict = {}
    rows = []
    for i, item in enumerate(items):
        type_key = (item.get("type_key") or "").strip()
        if type_key and type_key not in offered:
            errors[f"items-{i}-type_key"] = _l("이 공모에서 지원하는 인프라 유형 중에서 선택하십시오.")
        rows.append(InfraItem(
            type_key=type_key,
            description=_text(item.get("description"), TEXT_MAX, f"items-{i}-description", errors),
            budget=_won(item.get("budget"), f"items-{i}-budget", errors) or 0,
            position=i,
        ))
    if errors:
        raise DraftInvalid(errors)
    proposal.infra_items = rows
    _saved(proposal, user, section.key)


def replace_poc_plans(proposal: Proposal, user, plans: list[dict]) -> None:
    """The whole list, in order; each plan: tenant_firm, problem, ai_solution, budget,
    kpis (list of name, unit, baseline, target — Decimal, int, numeric text or None)."""
    deadline.ensure_plan_writable(proposal)
    section = _section_of(proposal, SectionKind.PLANS, "plans")
    errors: dict = {}
    rows = []
    for i, plan in enumerate(plans):
        p = f"plans-{i}-"
        kpis = []
        for j, kpi in enumerate(plan.get("kpis") or []):
            k = f"{p}kpis-{j}-"
            kpis.append(Kpi(
                name=_text(kpi.get("name"), 200, k + "name", errors),
                unit=_text(kpi.get("unit"), 32, k + "unit", errors),
                baseline=_quantity(kpi.get("baseline"), k + "baseline", errors),
                target=_quantity(kpi.get("target"), k + "target", errors),
                position=j,
            ))
        rows.append(PocPlan(
            tenant_firm=_text(plan.get("tenant_firm"), 200, p + "tenant_firm", errors),
            problem=_text(plan.get("problem"), TEXT_MAX, p + "problem", errors),
            ai_solution=_text(plan.get("ai_solution"), TEXT_MAX, p + "ai_solution", errors),
            budget=_won(plan.get("budget"), p + "budget", errors) or 0,
            position=i,
            kpis=kpis,
        ))
    if errors:
        raise DraftInvalid(errors)
    proposal.poc_plans = rows
    _saved(proposal, user, section.key)


def save_text_section(proposal: Proposal, user, section_key: str, text: str | None) -> None:
    """The answer to one of the call's text sections."""
    deadline.ensure_plan_writable(proposal)
    section = proposal.call.section(section_key)
    if section is None or section.kind != SectionKind.TEXT:
        raise DraftInvalid({"body": _l("이 공모의 신청서에는 이 항목이 없습니다.")})
    errors: dict = {}
    value = _text(text, TEXT_MAX, "body", errors)
    if errors:
        raise DraftInvalid(errors)
    row = next((t for t in proposal.texts if t.section_key == section_key), None)
    before = {section_key: row.body if row else ""}
    if row is None:
        proposal.texts.append(ProposalText(section_key=section_key, body=value))
    else:
        row.body = value
    _saved(proposal, user, section_key, before, {section_key: value})


def save_budget(proposal: Proposal, user, amounts: dict[tuple[int, str], int | None]) -> None:
    """Replace the year × source table: cells not given, or given as None, are emptied."""
    deadline.ensure_plan_writable(proposal)
    years = set(proposal.call.years)
    errors: dict = {}
    wanted: dict[tuple[int, str], int] = {}
    for (year, source), amount in amounts.items():
        if year not in years or source not in BUDGET_SOURCES:
            errors["table"] = _l("공모의 사업 연도와 재원 구분에 없는 칸입니다.")
            continue
        value = _won(amount, f"{source}-{year}", errors)
        if value is not None:
            wanted[(year, source)] = value
    if errors:
        raise DraftInvalid(errors)
    before = {f"{line.year}/{line.source}": line.amount for line in proposal.budget_lines}
    after = {f"{year}/{source}": amount for (year, source), amount in wanted.items()}
    # Update lines in place: deleting and re-inserting the same (year, source) in one flush
    # would trip the unique key, since the unit of work inserts before it deletes.
    for line in list(proposal.budget_lines):
        key = (line.year, line.source)
        if key in wanted:
            line.amount = wanted.pop(key)
        else:
            proposal.budget_lines.remove(line)
    for (year, source), amount in sorted(wanted.items()):
        proposal.budget_lines.append(BudgetLine(year=year, source=source, amount=amount))
    _saved(proposal, user, "budget", before, after)
