"""Full validation of a proposal before submission.

``validate(proposal)`` returns a ``Report``: every problem with the section and
field it belongs to, so the section pages can show each message next to its field
and the submit page can list them all with links. The same rules run again at
eligibility screening, so nothing here may depend on the clock or the request.

Field keys follow the section forms (forms/proposal.py): FieldList rows are
``items-<i>-type_key``, ``plans-<i>-kpis-<j>-target`` (0-based), budget cells are
``<source>-<year>``, column totals ``total-<source>``, and a whole table or list is
``table``, ``items`` or ``plans``.
"""
from __future__ import annotations

import hashlib
import json

from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import get_locale
from flask_babel import gettext as _

from app.models.calls import SectionKind
from app.models.consortia import MemberStatus
from app.proposals import sections
from app.models.proposals import BUDGET_SOURCES
from app.core import money
from app.accounts import org_types

# Not a page of the proposal: problems fixed on the consortium's page, listed first.
CONSORTIUM = "consortium"


@dataclass(frozen=True)
class Problem:
    section: str  # a page of the call's form (app/proposals/sections.py), or CONSORTIUM
    field: str  # the form field name on that section's page ("" for the section as a whole)
    message: str  # already translated


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def for_section(self, section: str) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for p in self.problems:
            if p.section == section:
                out.setdefault(p.field, []).append(p.message)
        return out

    def by_section(self) -> list[tuple[str, list[Problem]]]:
        """The problems grouped by section, in the order they were found (page order), leaving
        out sections without any."""
        order = list(dict.fromkeys(p.section for p in self.problems))
        return [(s, [p for p in self.problems if p.section == s]) for s in order]


# Bump when a rule changes, so versions submitted under the old rules are checked again.
RULES_VERSION = 2


def rules_fingerprint(call) -> str:
    """Everything of the call that the rules below read: equal fingerprints, equal verdicts."""
    facts = [
        RULES_VERSION, sorted(c.id for c in call.complexes), sorted(t.key for t in call.infra_types),
        sorted((k.key, k.required) for k in call.attachment_kinds), call.per_award_cap,
        # Normalised: the column gives Decimal("0.4000") where a fresh object holds Decimal("0.4").
        format(Decimal(call.min_local_ratio or 0).normalize(), "f"), call.first_year, call.last_year, call.max_proposal_bytes,
        [(s.key, s.kind, s.required) for s in call.sections], sorted(call.lead_org_types or []),
    ]
    return hashlib.sha256(json.dumps(facts).encode()).hexdigest()


def validate(proposal) -> Report:
    problems: list[Problem] = []
    problems.extend(_overview(proposal))
    for section in proposal.call.sections:
        problems.extend(_SECTION_CHECKS[section.kind](proposal, section))
    problems.extend(_budget(proposal))
    problems.extend(_attachments(proposal))
    return Report(problems)


def validate_for_submission(proposal) -> Report:
    """``validate`` plus what only submission asks: every listed member has accepted.

    Kept out of ``validate`` because screening re-runs that on the submitted version,
    whose consortium was complete when it was submitted."""
    report = validate(proposal)
    report.problems[:0] = consortium_problems(proposal)
    return report


def lead_problems(proposal) -> list[Problem]:
    """The call may admit only some kinds of lead (광역지자체, say): checked when the draft is
    started and again at submission, since the rule or the lead's registered type may change
    in between."""
    refusal = lead_refusal(proposal.call, proposal.consortium)
    return [Problem(CONSORTIUM, "", str(refusal))] if refusal else []


def lead_refusal(call, consortium) -> str | None:
    """Why this consortium's lead may not apply to the call, or None when it may."""
    allowed = list(call.lead_org_types or [])
    lead = consortium.lead_org
    if not allowed or lead.type in allowed:
        return None
    return _("이 공모는 %(types)s이(가) 주관기관인 컨소시엄만 신청할 수 있습니다. 주관기관 %(org)s은(는) %(type)s입니다.",
              types=", ".join(org_types.label(t) for t in allowed), org=lead.name, type=org_types.label(lead.type))


def consortium_problems(proposal) -> list[Problem]:
    """A member the lead listed counts only once the organisation itself accepted; one that
    has not (or declined) must answer or be taken off the list before the proposal goes in."""
    out = lead_problems(proposal)
    for m in proposal.consortium.members:
        if m.status == MemberStatus.PENDING:
            out.append(Problem(CONSORTIUM, "", _(
                "참여기관 %(name)s 이(가) 아직 컨소시엄 참여를 확인하지 않았습니다. 그 기관이 확인하거나 "
                "컨소시엄에서 빼야 제출할 수 있습니다.", name=m.organisation.name)))
        elif m.status == MemberStatus.DECLINED:
            out.append(Problem(CONSORTIUM, "", _(
                "참여기관 %(name)s 이(가) 컨소시엄 참여를 거절했습니다. 컨소시엄에서 빼야 제출할 수 있습니다.",
                name=m.organisation.name)))
    return out


def _blank(text: str | None) -> bool:
    return not (text or "").strip()


def eok_exact(amount: int | Decimal) -> str:
    """억원 without rounding: a matching-fund requirement of 56.0000004억원 must not read as 56억원."""
    value = (Decimal(amount) / money.EOK).normalize()
    return f"{value:,f}억원"


def _overview(p) -> list[Problem]:
    out = []
    if _blank(p.title):
        out.append(Problem("overview", "title", _("사업명을 입력하십시오.")))
    if _blank(p.summary):
        out.append(Problem("overview", "summary", _("사업 요약을 입력하십시오.")))
    site = sections.site_label(p.call, str(get_locale()))
    if p.complex_id is None:
        out.append(Problem("overview", "complex_id", _("%(site)s을(를) 선택하십시오.", site=site)))
    elif p.call.complexes and p.complex_id not in {c.id for c in p.call.complexes}:
        out.append(Problem("overview", "complex_id", _(
            "선택한 곳은 이 공모의 %(site)s이(가) 아닙니다. 공고문에 있는 곳 중에서 선택하십시오.", site=site)))
    if _blank(p.strategic_industries):
        out.append(Problem("overview", "strategic_industries", _("대상 전략산업을 입력하십시오.")))
    return out


def _label(section) -> str:
    return section.label(str(get_locale()))


def _items(p, section) -> list[Problem]:
    key = section.key
    if not p.infra_items:
        if not section.required:
            return []
        return [Problem(key, "items", _("%(section)s 항목을 하나 이상 입력하십시오.", section=_label(section)))]
    offered = {t.key for t in p.call.infra_types}
    out = []
    for i, item in enumerate(p.infra_items):
        n = i + 1
        if _blank(item.type_key):
            out.append(Problem(key, f"items-{i}-type_key", _("%(n)d번째 항목의 지원유형을 선택하십시오.", n=n)))
        elif item.type_key not in offered:
            out.append(Problem(key, f"items-{i}-type_key",
                               _("%(n)d번째 항목의 지원유형은 이 공모에서 지원하지 않는 유형입니다.", n=n)))
        if _blank(item.description):
            out.append(Problem(key, f"items-{i}-description", _("%(n)d번째 항목의 내용을 입력하십시오.", n=n)))
        if (item.budget or 0) <= 0:
            out.append(Problem(key, f"items-{i}-budget", _("%(n)d번째 항목의 사업비는 0원보다 커야 합니다.", n=n)))
    return out


def _plans(p, section) -> list[Problem]:
    key = section.key
    if not p.poc_plans:
        if not section.required:
            return []
        return [Problem(key, "plans", _("%(section)s 계획을 하나 이상 입력하십시오.", section=_label(section)))]
    out = []
    for i, plan in enumerate(p.poc_plans):
        n = i + 1
        for name, message in (
            ("tenant_firm", _("%(n)d번째 계획의 참여 기업을 입력하십시오.", n=n)),
            ("problem", _("%(n)d번째 계획의 해결할 문제를 입력하십시오.", n=n)),
            ("ai_solution", _("%(n)d번째 계획의 해결 방안(솔루션)을 입력하십시오.", n=n)),
        ):
            if _blank(getattr(plan, name)):
                out.append(Problem(key, f"plans-{i}-{name}", message))
        if (plan.budget or 0) <= 0:
            out.append(Problem(key, f"plans-{i}-budget", _("%(n)d번째 계획의 사업비는 0원보다 커야 합니다.", n=n)))
        if not plan.kpis:
            out.append(Problem(key, f"plans-{i}-kpis",
                               _("%(n)d번째 계획에 기준값과 목표값이 있는 성과지표(KPI)를 하나 이상 입력하십시오.", n=n)))
        for j, kpi in enumerate(plan.kpis):
            m = j + 1
            if _blank(kpi.name):
                out.append(Problem(key, f"plans-{i}-kpis-{j}-name",
                                   _("%(n)d번째 계획의 %(m)d번째 성과지표 이름을 입력하십시오.", n=n, m=m)))
            if kpi.baseline is None:
                out.append(Problem(key, f"plans-{i}-kpis-{j}-baseline",
                                   _("%(n)d번째 계획의 %(m)d번째 성과지표 기준값을 입력하십시오.", n=n, m=m)))
            if kpi.target is None:
                out.append(Problem(key, f"plans-{i}-kpis-{j}-target",
                                   _("%(n)d번째 계획의 %(m)d번째 성과지표 목표값을 입력하십시오.", n=n, m=m)))
    return out


def _text(p, section) -> list[Problem]:
    if section.required and _blank(p.text(section.key)):
        return [Problem(section.key, "body", _("%(section)s을(를) 입력하십시오.", section=_label(section)))]
    return []


_SECTION_CHECKS = {SectionKind.ITEMS: _items, SectionKind.PLANS: _plans, SectionKind.TEXT: _text}


def _budget(p) -> list[Problem]:
    call = p.call
    years = set(call.years)
    out = []
    national_by_year = {y: 0 for y in call.years}
    for line in p.budget_lines:
        if line.year not in years or line.source not in BUDGET_SOURCES:
            if line.amount:
                out.append(Problem("budget", "table", _(
                    "%(year)d년 예산 %(amount)s은 공모의 사업 기간(%(first)d–%(last)d년)이나 재원 구분 밖에 있습니다. "
                    "사업비 표를 다시 저장하여 정리하십시오.",
                    year=line.year, amount=money.won(line.amount), first=call.first_year, last=call.last_year)))
        elif line.source == "national":
            national_by_year[line.year] += line.amount
    for year in call.years:
        if national_by_year[year] <= 0:
            out.append(Problem("budget", f"national-{year}",
                               _("%(year)d년 국비를 입력하십시오. 사업 기간의 모든 연도에 국비가 있어야 합니다.", year=year)))

    national = p.total_by_source("national")
    local = p.total_by_source("local")
    if national > call.per_award_cap:
        out.append(Problem("budget", "total-national", _(
            "국비 합계 %(total)s(%(total_won)s)가 과제당 국비 상한 %(cap)s(%(cap_won)s)을 넘습니다.",
            total=eok_exact(national), total_won=money.won(national),
            cap=eok_exact(call.per_award_cap), cap_won=money.won(call.per_award_cap))))
    required = required_local(p)
    if local < required:
        out.append(Problem("budget", "total-local", _(
            "지방비 합계는 국비의 %(pct)s%% 이상인 %(required)s 이상이어야 합니다. 현재 지방비 합계는 %(local)s입니다.",
            pct=local_ratio_percent(call), required=eok_exact(required), local=eok_exact(local))))

    # The rows that carry money must add up to the table; which pages those are is the call's.
    priced = [s for s in call.sections if s.kind in (SectionKind.ITEMS, SectionKind.PLANS)]
    if priced:
        items = sum(i.budget or 0 for i in p.infra_items) + sum(pl.budget or 0 for pl in p.poc_plans)
        grand = p.total_budget
        if items != grand:
            out.append(Problem("budget", "table", _(
                "%(sections)s의 사업비 합계(%(items)s)가 예산표 총액(%(grand)s)과 다릅니다.",
                sections="·".join(_label(s) for s in priced), items=money.won(items), grand=money.won(grand))))
    return out


def required_local(proposal) -> Decimal:
    """The least local-government money the national amount calls for, exact to the fraction of a won."""
    return Decimal(proposal.call.min_local_ratio or 0) * proposal.total_by_source("national")


def local_ratio_percent(call) -> str:
    return f"{(Decimal(call.min_local_ratio or 0) * 100).normalize():f}"


def _attachments(p) -> list[Problem]:
    out = []
    present = {a.kind for a in p.attachments}
    for kind in p.call.attachment_kinds:
        if kind.required and kind.key not in present:
            out.append(Problem("attachments", kind.key, _("필수 첨부서류 '%(label)s'을(를) 올리십시오.", label=localised(kind))))
    total = sum(a.size for a in p.attachments)
    if total > p.call.max_proposal_bytes:
        out.append(Problem("attachments", "", _(
            "첨부파일 총용량 %(total)s이 신청서당 한도 %(limit)s을 넘습니다. 일부 파일을 삭제하십시오.",
            total=human_bytes(total), limit=human_bytes(p.call.max_proposal_bytes))))
    return out


def human_bytes(n: int) -> str:
    """1.5MB, 200MB: sizes as applicants read them in limits and lists."""
    for unit, size in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= size:
            text = f"{Decimal(n) / size:,.1f}".removesuffix(".0")
            return f"{text}{unit}"
    return f"{n}B"


def localised(row) -> str:
    """The label of a configured row (attachment kind, infra type) in the reader's language."""
    return row.label_en if str(get_locale()) == "en" else row.label_ko


