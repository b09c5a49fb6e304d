"""Each submission rule, broken one at a time on an otherwise complete proposal."""
from __future__ import annotations

from decimal import Decimal

import pytest

from app.extensions import db
from app.models import BudgetLine, IndustrialComplex, InfraItem, Kpi
from app.proposals import validation
from tests.app.builders import SECTION_TEXTS, complete_proposal, set_text
from tests.factories import CallFactory

pytestmark = pytest.mark.usefixtures("isolated_dirs")


def problems(proposal) -> list[tuple[str, str]]:
    db.session.flush()
    db.session.expire_all()
    return [(p.section, p.field) for p in validation.validate(proposal).problems]


def only_problem(proposal) -> validation.Problem:
    db.session.flush()
    db.session.expire_all()
    report = validation.validate(proposal)
    assert len(report.problems) == 1, report.problems
    return report.problems[0]


def line(proposal, year, source) -> BudgetLine:
    return next(l for l in proposal.budget_lines if l.year == year and l.source == source)


def test_a_complete_proposal_passes(app):
    report = validation.validate(complete_proposal())
    assert report.ok, report.problems


@pytest.mark.parametrize("column, field, section", [
    ("title", "title", "overview"),
    ("summary", "summary", "overview"),
    ("strategic_industries", "strategic_industries", "overview"),
    ("master_plan", "body", "master_plan"),
    ("alliance", "body", "alliance"),
    ("aidc", "body", "aidc"),
])
def test_required_texts(app, column, field, section):
    p = complete_proposal()
    if column in SECTION_TEXTS:
        set_text(p, column, "   ")  # blank after trimming is still blank
    else:
        setattr(p, column, "   ")
    problem = only_problem(p)
    assert (problem.section, problem.field) == (section, field)
    assert "입력하십시오" in problem.message


def test_target_complex_is_required(app):
    p = complete_proposal()
    p.complex_id = None
    assert problems(p) == [("overview", "complex_id")]


def test_target_complex_must_be_eligible_for_the_call(app):
    p = complete_proposal()
    asan = IndustrialComplex(name="아산부곡", region="충남", designated_year=2025)
    db.session.add(asan)
    db.session.flush()
    p.complex_id = asan.id
    problem = only_problem(p)
    assert problem.field == "complex_id" and "이 공모의 대상 산업단지가 아닙니다" in problem.message


def test_any_complex_is_eligible_when_the_call_lists_none(app):
    call = CallFactory()
    p = complete_proposal(call=call)
    call.complexes = []
    assert problems(p) == []


def test_at_least_one_infra_item(app):
    p = complete_proposal()
    moved = sum(i.budget for i in p.infra_items)
    p.infra_items = []
    p.poc_plans[0].budget += moved  # keep the totals equal: only the missing list is wrong
    assert problems(p) == [("infra", "items")]


@pytest.mark.parametrize("column, value, field", [
    ("type_key", "", "items-0-type_key"),
    ("description", "", "items-0-description"),
])
def test_infra_item_fields(app, column, value, field):
    p = complete_proposal()
    setattr(p.infra_items[0], column, value)
    assert problems(p) == [("infra", field)]


def test_infra_item_budget_must_be_positive(app):
    p = complete_proposal()
    p.infra_items[1].budget += p.infra_items[0].budget
    p.infra_items[0].budget = 0
    assert problems(p) == [("infra", "items-0-budget")]


def test_infra_type_must_be_one_the_call_offers(app):
    p = complete_proposal()
    p.infra_items.append(InfraItem(type_key="quantum", description="양자컴퓨터", budget=0, position=2))
    p.infra_items[2].budget, p.infra_items[0].budget = 1, p.infra_items[0].budget - 1
    problem = only_problem(p)
    assert problem.field == "items-2-type_key" and "지원하지 않는" in problem.message


def test_at_least_one_poc_plan(app):
    p = complete_proposal()
    moved = sum(pl.budget for pl in p.poc_plans)
    p.poc_plans = []
    p.infra_items[0].budget += moved
    assert problems(p) == [("poc", "plans")]


@pytest.mark.parametrize("column", ["tenant_firm", "problem", "ai_solution"])
def test_poc_plan_fields(app, column):
    p = complete_proposal()
    setattr(p.poc_plans[1], column, "")
    assert problems(p) == [("poc", f"plans-1-{column}")]


def test_poc_plan_budget_must_be_positive(app):
    p = complete_proposal()
    p.poc_plans[0].budget += p.poc_plans[1].budget
    p.poc_plans[1].budget = 0
    assert problems(p) == [("poc", "plans-1-budget")]


def test_poc_plan_needs_a_kpi(app):
    p = complete_proposal()
    p.poc_plans[0].kpis = []
    problem = only_problem(p)
    assert problem.field == "plans-0-kpis" and "성과지표" in problem.message


@pytest.mark.parametrize("column, value", [("baseline", None), ("target", None), ("name", " ")])
def test_kpi_needs_name_baseline_and_target(app, column, value):
    p = complete_proposal()
    p.poc_plans[0].kpis.append(Kpi(name="리드타임", unit="일", baseline=Decimal(5), target=Decimal(3), position=1))
    setattr(p.poc_plans[0].kpis[1], column, value)
    assert problems(p) == [("poc", f"plans-0-kpis-1-{column}")]


def test_national_total_within_the_per_award_cap(app):
    p = complete_proposal()
    line(p, 2025, "national").amount += 1
    line(p, 2025, "local").amount += 1  # keeps the 40 % match
    p.infra_items[0].budget += 2
    problem = only_problem(p)
    assert problem.field == "total-national"
    assert "14,000,000,001원" in problem.message and "140억원" in problem.message


def test_every_year_of_the_call_has_national_money(app):
    p = complete_proposal()
    line(p, 2025, "national").amount += line(p, 2027, "national").amount
    line(p, 2027, "national").amount = 0
    problem = only_problem(p)
    assert problem.field == "national-2027" and "2027" in problem.message


def test_no_budget_outside_the_call_years(app):
    p = complete_proposal()
    p.budget_lines.append(BudgetLine(year=2029, source="private_cash", amount=1_000_000))
    p.infra_items[0].budget += 1_000_000
    problem = only_problem(p)
    assert problem.field == "table" and "2029" in problem.message


def test_local_match_at_least_the_ratio_of_national(app):
    p = complete_proposal()
    line(p, 2026, "local").amount -= 1
    line(p, 2026, "private_cash").amount += 1
    problem = only_problem(p)
    assert problem.field == "total-local"
    assert "40%" in problem.message and "56억원" in problem.message


def test_local_match_is_exact_to_the_fraction_of_a_won(app):
    # 40 % of 13,999,999,999 won is 5,599,999,999.6 won: 5,599,999,999 is not enough.
    p = complete_proposal()
    line(p, 2025, "national").amount -= 1
    line(p, 2025, "local").amount -= 1
    line(p, 2025, "private_cash").amount += 2
    problem = only_problem(p)
    assert problem.field == "total-local" and "55.999999996억원" in problem.message
    line(p, 2025, "local").amount += 1
    line(p, 2025, "private_cash").amount -= 1
    assert problems(p) == []


def test_item_budgets_add_up_to_the_budget_table(app):
    p = complete_proposal()
    p.infra_items[0].budget += 1
    problem = only_problem(p)
    assert problem.section == "budget" and problem.field == "table"
    assert "23,600,000,001원" in problem.message and "23,600,000,000원" in problem.message


def test_every_required_attachment(app):
    p = complete_proposal()
    plan = next(a for a in p.attachments if a.kind == "local_matching_letter")
    p.attachments.remove(plan)
    problem = only_problem(p)
    assert (problem.section, problem.field) == ("attachments", "local_matching_letter")
    assert "지방비 부담 확약서" in problem.message


def test_attachments_within_the_proposal_total(app):
    p = complete_proposal()
    p.call.max_proposal_bytes = sum(a.size for a in p.attachments) - 1
    problem = only_problem(p)
    assert (problem.section, problem.field) == ("attachments", "")


def test_report_groups_problems_for_section_pages(app):
    p = complete_proposal()
    p.title = ""
    p.infra_items[0].description = ""
    report = validation.validate(p)
    assert [s for s, _ in report.by_section()] == ["overview", "infra"]
    assert list(report.for_section("infra")) == ["items-0-description"]
