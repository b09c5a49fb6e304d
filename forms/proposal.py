"""Forms of a proposal's section pages, and of starting a proposal.

Field names are a contract with ``app.proposals.validation``: a ``Problem(section, field,
message)`` whose ``field`` is one of the names below is shown next to that input when
the page is opened with ``?check=1``; any other name (or "") is shown at the top of
the section page. Row indexes ``<i>``/``<j>`` are 0-based positions in the stored
order (``proposal.infra_items``, ``proposal.poc_plans``, ``plan.kpis``), which is the
order the page lists them in.

=============  ==================================================================
section        field names
=============  ==================================================================
overview       title, summary, complex_id, strategic_industries
<items key>    items (the list as a whole);
               items-<i>-type_key, items-<i>-description, items-<i>-budget
<plans key>    plans (the list as a whole);
               plans-<i>-tenant_firm, plans-<i>-problem, plans-<i>-ai_solution,
               plans-<i>-budget, plans-<i>-kpis (the plan's KPI list as a whole);
               plans-<i>-kpis-<j>-name, -unit, -baseline, -target
<text key>     body (each text section the call defines)
budget         <source>-<year> for one cell, e.g. national-2025, local-2026,
               private_cash-2027, private_inkind-2028 (sources: BUDGET_SOURCES);
               total-<source> for a column total, e.g. total-national (shown
               under that column); table for the table as a whole
=============  ==================================================================

Drafts save partial data, so no field is required here; a field only refuses a
value that cannot be parsed, and keeps what was typed so the page can show it again.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, FieldList, Form, FormField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField,
)
from wtforms.validators import DataRequired, Length

from app.models.proposals import BUDGET_SOURCES
from app.core import money
from app.core.money import MAX_WON
from app.core.romanise import place_for_reader as place
from app.proposals.drafts import KPI_LIMIT, KPI_PLACES, SOURCE_LABELS, TEXT_MAX

MAX_INFRA_ROWS = 200
MAX_PLANS = 100
MAX_KPIS = 50
MAX_BLANK_ROWS = 20


def _length(limit: int) -> Length:
    return Length(max=limit, message=_l("%(max)d자 이내로 입력하십시오."))


# ----- fields --------------------------------------------------------------------------------

class WonField(StringField):
    """An amount in won, typed with or without commas (and an optional 원).

    A value that cannot be parsed leaves ``data`` None and an error, and the typed
    text stays in ``raw_data`` so the page shows it again unchanged.
    """

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            return
        try:
            amount = money.parse_won(text)
        except ValueError:
            try:
                money.parse_won(text.removeprefix("-"))
                negative = text.startswith("-")
            except ValueError:
                negative = False
            if negative:
                raise ValueError(_l("금액은 0원 이상이어야 합니다.")) from None
            raise ValueError(_l("금액은 원 단위 숫자로 입력하십시오 (예: 1,500,000,000).")) from None
        if amount > MAX_WON:
            raise ValueError(_l("금액이 너무 큽니다. 1,000조원 이하로 입력하십시오."))
        self.data = amount

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return f"{self.data:,}" if isinstance(self.data, int) else ""


class QuantityField(StringField):
    """A KPI value: a decimal number (commas allowed), kept exactly as Decimal."""

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "").strip().replace(",", "")
        if not text:
            return
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(_l("숫자로 입력하십시오 (예: 12.5).")) from None
        if not number.is_finite():
            raise ValueError(_l("숫자로 입력하십시오 (예: 12.5)."))
        if abs(number) >= KPI_LIMIT:
            raise ValueError(_l("값이 너무 큽니다."))
        if number.as_tuple().exponent < -KPI_PLACES:
            raise ValueError(_l("소수점 아래 넷째 자리까지 입력할 수 있습니다."))
        self.data = number

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if isinstance(self.data, Decimal):
            # 12.5000 from Numeric(18, 4) reads back as typed: 12.5
            return format(self.data.normalize(), "f")
        return ""


def optional_id(value) -> int | None:
    text = str(value or "").strip()
    if not text:
        return None
    # ASCII digits only ("²" is a digit to isdigit, not to int) and within an integer column.
    if text.isascii() and text.isdigit() and len(text) <= 9:
        return int(text)
    return -1  # never eligible, so the service says so


def _typed(field) -> str:
    return (field.raw_data[0] if field.raw_data else "").strip()


def _blank(form) -> bool:
    """Nothing typed in this row (a delete tick or a button alone does not count)."""
    for f in form:
        if f.type in ("SubmitField", "BooleanField", "CSRFTokenField"):
            continue
        if f.type == "FieldList":
            if not all(_blank(entry.form) for entry in f):
                return False
        elif _typed(f):
            return False
    return True


def kept_rows(field_list):
    """The rows to save, as (entry, subform): deleted and blank rows dropped."""
    return [(entry, entry.form) for entry in field_list if not entry.form.delete.data and not _blank(entry.form)]


def leaf_fields(form):
    """Every input field of a form, nested rows included, in page order."""
    for f in form:
        if f.type == "FieldList":
            yield f
            for entry in f:
                yield from leaf_fields(entry.form)
        elif f.type == "FormField":
            yield from leaf_fields(f.form)
        else:
            yield f


def has_errors(form, ignore_deleted: bool = True) -> bool:
    """Errors anywhere, except in rows ticked for deletion (their values do not matter)."""
    found = False
    for f in form:
        if f.type == "FieldList":
            for entry in f:
                if ignore_deleted and entry.form.delete.data:
                    for leaf in leaf_fields(entry.form):
                        leaf.errors = []
                elif has_errors(entry.form, ignore_deleted):
                    found = True
        elif f.errors:
            found = True
    return found


# ----- starting ------------------------------------------------------------------------------

class StartForm(FlaskForm):
    consortium_id = SelectField(_l("신청 컨소시엄"), choices=[], validate_choice=False,
                                validators=[DataRequired(_l("컨소시엄을 선택하십시오."))])
    complex_id = SelectField(_l("신청 대상"), choices=[], validate_choice=False)
    submit = SubmitField(_l("신청서 작성 시작"))

    def configure(self, consortia, complexes, site_label: str) -> StartForm:
        self.consortium_id.choices = [SelectChoice(str(c.id), c.name) for c in consortia]
        _name_site(self.complex_id, site_label, required=True)
        self.complex_id.choices = [SelectChoice("", _("선택하십시오"))] + [
            SelectChoice(str(c.id), f"{place(c.name)} ({place(c.region)})") for c in complexes
        ]
        return self


def _name_site(field, site_label: str, required: bool = False) -> None:
    """The site choice is called what the call calls it (대상 산업단지, 조성 입지 …)."""
    if site_label:
        field.label.text = site_label
    if required:
        field.validators = [DataRequired(_("%(site)s을(를) 선택하십시오.", site=field.label.text))]


# ----- sections ------------------------------------------------------------------------------

class SectionForm(FlaskForm):
    save = SubmitField(_l("임시 저장"))

    def configure(self, proposal, **context) -> SectionForm:
        return self

    def blank_rows(self) -> int:
        return 0


class OverviewForm(SectionForm):
    title = StringField(_l("사업명"), validators=[_length(300)])
    summary = TextAreaField(_l("사업 요약"), validators=[_length(TEXT_MAX)])
    complex_id = SelectField(_l("신청 대상"), choices=[], validate_choice=False)
    strategic_industries = StringField(_l("대상 전략산업"), validators=[_length(300)])

    @classmethod
    def stored(cls, proposal, **_opts) -> OverviewForm:
        return cls(formdata=None, data={
            "title": proposal.title, "summary": proposal.summary,
            "complex_id": str(proposal.complex_id or ""), "strategic_industries": proposal.strategic_industries,
        })

    def configure(self, proposal, complexes=(), site_label: str = "", **context) -> OverviewForm:
        _name_site(self.complex_id, site_label)
        choices = [SelectChoice("", _("선택하십시오"))]
        choices += [SelectChoice(str(c.id), f"{place(c.name)} ({place(c.region)})") for c in complexes]
        current = proposal.complex
        if current is not None and current not in complexes:
            # Still shown so the page tells the truth; saving it again is refused.
            choices.append(SelectChoice(str(current.id), _("%(name)s (신청 대상 아님)", name=place(current.name))))
        self.complex_id.choices = choices
        return self

    def draft_data(self) -> dict:
        return {
            "title": self.title.data or "", "summary": self.summary.data or "",
            "complex_id": optional_id(self.complex_id.data),
            "strategic_industries": self.strategic_industries.data or "",
        }


class InfraItemForm(Form):
    type_key = SelectField(_l("지원유형"), choices=[], validate_choice=False)
    description = TextAreaField(_l("구축 내용 (GPU·데이터 장비·네트워크·공간 등)"), validators=[_length(TEXT_MAX)])
    budget = WonField(_l("사업비 (원)"))
    delete = BooleanField(_l("이 항목 삭제"))


class InfraForm(SectionForm):
    items = FieldList(FormField(InfraItemForm), max_entries=MAX_INFRA_ROWS)
    add_row = SubmitField(_l("행 추가"))

    @classmethod
    def stored(cls, proposal, blank: int = 1, **_opts) -> InfraForm:
        rows = [{"type_key": i.type_key, "description": i.description, "budget": i.budget or None}
                for i in proposal.infra_items]
        rows += [{}] * blank
        return cls(formdata=None, data={"items": rows})

    def configure(self, proposal, locale: str = "ko", **context) -> InfraForm:
        choices = [SelectChoice("", _("선택하십시오"))] + [
            SelectChoice(t.key, t.label_en if locale == "en" else t.label_ko) for t in proposal.call.infra_types
        ]
        offered = {choice.value for choice in choices}
        for entry in self.items:
            mine = list(choices)
            if entry.form.type_key.data and entry.form.type_key.data not in offered:
                mine.append(SelectChoice(entry.form.type_key.data))
            entry.form.type_key.choices = mine
        return self

    def kept(self):
        return kept_rows(self.items)

    def draft_data(self) -> list[dict]:
        return [{"type_key": f.type_key.data or "", "description": f.description.data or "", "budget": f.budget.data}
                for _entry, f in self.kept()]

    def blank_rows(self) -> int:
        return sum(1 for e in self.items if not e.form.delete.data and _blank(e.form))


class KpiForm(Form):
    name = StringField(_l("성과지표명"), validators=[_length(200)])
    unit = StringField(_l("단위"), validators=[_length(32)])
    baseline = QuantityField(_l("현재 수준"))
    target = QuantityField(_l("목표"))
    delete = BooleanField(_l("삭제"))


class PocPlanForm(Form):
    tenant_firm = StringField(_l("참여 기업"), validators=[_length(200)])
    problem = TextAreaField(_l("해결할 문제"), validators=[_length(TEXT_MAX)])
    ai_solution = TextAreaField(_l("해결 방안 (적용 기술·솔루션)"), validators=[_length(TEXT_MAX)])
    budget = WonField(_l("사업비 (원)"))
    kpis = FieldList(FormField(KpiForm), max_entries=MAX_KPIS)
    add_kpi = SubmitField(_l("성과지표 행 추가"))
    delete = BooleanField(_l("이 계획 삭제"))


class PocForm(SectionForm):
    plans = FieldList(FormField(PocPlanForm), max_entries=MAX_PLANS)
    add_row = SubmitField(_l("계획 추가"))

    @classmethod
    def stored(cls, proposal, blank: int = 1, more_kpis: int | None = None, **_opts) -> PocForm:
        plans = []
        for i, plan in enumerate(proposal.poc_plans):
            kpis = [{"name": k.name, "unit": k.unit, "baseline": k.baseline, "target": k.target} for k in plan.kpis]
            kpis += [{}] * (2 if i == more_kpis else 1)
            plans.append({"tenant_firm": plan.tenant_firm, "problem": plan.problem, "ai_solution": plan.ai_solution,
                          "budget": plan.budget or None, "kpis": kpis})
        plans += [{"kpis": [{}]}] * blank
        return cls(formdata=None, data={"plans": plans})

    def kept(self):
        return kept_rows(self.plans)

    def draft_data(self) -> list[dict]:
        out = []
        for _entry, f in self.kept():
            out.append({
                "tenant_firm": f.tenant_firm.data or "", "problem": f.problem.data or "",
                "ai_solution": f.ai_solution.data or "", "budget": f.budget.data,
                "kpis": [{"name": k.name.data or "", "unit": k.unit.data or "",
                          "baseline": k.baseline.data, "target": k.target.data} for _e, k in kept_rows(f.kpis)],
            })
        return out

    def blank_rows(self) -> int:
        return sum(1 for e in self.plans if not e.form.delete.data and _blank(e.form))

    def kpi_requested(self) -> int | None:
        """The saved position of the plan whose "add KPI row" button was pressed."""
        for position, (_entry, f) in enumerate(self.kept()):
            if f.add_kpi.data:
                return position
        return None


class TextSectionForm(SectionForm):
    """One long text section of the call: its label and guide are the call's."""

    body = TextAreaField(_l("내용"), validators=[_length(TEXT_MAX)])
    hint = ""

    @classmethod
    def stored(cls, proposal, section_key: str = "", **_opts) -> TextSectionForm:
        return cls(formdata=None, data={"body": proposal.text(section_key)})

    def configure(self, proposal, section=None, locale: str = "ko", **context) -> TextSectionForm:
        if section is not None:
            self.body.label.text = section.label(locale)
            self.hint = section.guide(locale)
        return self

    def draft_data(self) -> str:
        return self.body.data or ""


class BudgetForm(SectionForm):
    """Built per call by ``budget_form``: one WonField per year × source, named ``<source>-<year>``."""

    years: list[int] = []

    @classmethod
    def stored(cls, proposal, **_opts) -> BudgetForm:
        amounts = {(line.year, line.source): line.amount for line in proposal.budget_lines}
        return cls(formdata=None, data={f"{s}-{y}": amounts.get((y, s)) for y in cls.years for s in BUDGET_SOURCES})

    def cell(self, year: int, source: str):
        return self[f"{source}-{year}"]

    def draft_data(self) -> dict[tuple[int, str], int | None]:
        return {(y, s): self.cell(y, s).data for y in self.years for s in BUDGET_SOURCES}


def budget_form(years: list[int]) -> type[BudgetForm]:
    attrs = {"years": list(years)}
    for year in years:
        for source in BUDGET_SOURCES:
            attrs[f"{source}-{year}"] = WonField(_l("%(year)s년 %(source)s", year=year, source=SOURCE_LABELS[source]))
    return type("BudgetForm", (BudgetForm,), attrs)
