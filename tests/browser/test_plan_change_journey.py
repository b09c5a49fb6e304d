"""A plan change, an inspection and the portfolio in real Chromium (issue 13), at 1280 px and 390 px:
the lead asks to move national money from the first year to the last, a refused amount first; the
officer approves it and the plan table shows the new amounts; the officer records an inspection
with an action the lead then reads; the portfolio shows the project. axe-core finds nothing serious.

Screenshots land in test-output/browser/plan-change-<width>/NN-step.png.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.core import clock
from app.extensions import db
from app.proposals.drafts import SOURCE_LABELS
from tests.app.award_builders import signed_project
from tests.browser.test_accessibility import assert_no_blocking, audit, axe_path  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_a_budget_change_is_approved_an_inspection_recorded_and_the_portfolio_shows_it(
        open_journey, db_session, axe_path, width):
    project, officer, applicant = signed_project()
    first, last = project.years[0], project.years[-1]
    have = project.planned(first, "national")
    today = clock.to_kst(clock.now()).date()
    findings: list[dict] = []
    checked: list[str] = []
    viewport = {"viewport": {"width": width, "height": 900}, "bypass_csp": True}

    lead = open_journey(f"plan-change-{width}", **viewport)
    page = lead.page
    lead.goto("/")
    lead.log_in(applicant.email)
    lead.goto(f"/projects/{project.id}")
    page.get_by_role("link", name="사업비 변경").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("사업비 변경")
    audit(lead, axe_path, [], findings, checked, current="change form")
    move = page.get_by_role("group", name="이동 1")
    move.get_by_label("옮겨 올 연도").fill(str(first))
    move.get_by_label("옮겨 갈 연도").fill(str(last))
    move.get_by_label("금액(원)").fill(str(have + 1))
    lead.watch.expect_console(r"status of 422")
    page.get_by_label("변경 사유").fill("수요기업 설비 도입 일정이 늦어져 국비를 마지막 연도로 옮깁니다.")
    page.get_by_role("button", name="변경 요청").click()
    expect(move.locator(".error")).to_contain_text("계획액")
    audit(lead, axe_path, [], findings, checked, current="change form (refused)")
    lead.step("refused")
    move.get_by_label("금액(원)").fill("1,000,000")
    page.get_by_role("button", name="변경 요청").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("사업계획 변경")
    lead.step("requested")

    desk = open_journey(f"plan-change-officer-{width}", **viewport)
    desk.goto("/")
    desk.log_in(officer.email)
    desk.page.get_by_role("link", name=f"결정할 사업계획 변경 1건 · {project.title}").click()
    desk.page.get_by_role("link", name="사업비 변경").click()
    audit(desk, axe_path, [], findings, checked, current="change decision")
    desk.page.get_by_label("승인", exact=True).check()
    desk.page.get_by_role("button", name="결정 등록").click()
    expect(desk.page.locator(".facts")).to_contain_text("승인")
    desk.step("approved")
    desk.goto(f"/projects/{project.id}")
    budget = desk.page.locator("#plan-budget").locator("xpath=..")
    expect(budget.get_by_role("row", name=str(first))).to_contain_text(f"{have - 1_000_000:,}")

    desk.page.get_by_role("link", name="현장점검 결과 기록").click()
    desk.page.get_by_label("점검일").fill(today.isoformat())
    desk.page.get_by_label("점검자").fill("감독관 김")
    desk.page.get_by_label("점검 결과").fill("실증 설비 설치를 확인했습니다.")
    action = desk.page.get_by_role("group", name="조치 1")
    action.get_by_label("조치 사항").fill("안전 표지 부착")
    action.get_by_label("조치 기한").fill(today.isoformat())
    audit(desk, axe_path, [], findings, checked, current="inspection form")
    desk.page.get_by_role("button", name="기록").click()
    expect(desk.page.get_by_role("heading", level=1)).to_contain_text("현장점검")
    audit(desk, axe_path, [], findings, checked, current="inspection (officer)")
    desk.step("inspection")

    lead.goto(f"/projects/{project.id}")
    page.locator("#inspections").locator("xpath=..").get_by_role("link", name=today.isoformat()).click()
    expect(page.locator("main")).to_contain_text("안전 표지 부착")
    expect(page.get_by_role("button", name="완료로 기록")).to_have_count(0)
    lead.step("inspection-read")

    desk.goto(f"/projects/portfolio/{project.call.programme_id}")
    expect(desk.page.get_by_role("heading", level=1)).to_contain_text("사업 현황")
    expect(desk.page.locator("main")).to_contain_text(project.title)
    expect(desk.page.locator("main")).to_contain_text(str(SOURCE_LABELS["national"]))
    audit(desk, axe_path, [], findings, checked, current="portfolio")
    desk.step("portfolio")

    db.session.expire_all()
    assert project.planned(first, "national") == have - 1_000_000
    assert_no_blocking(f"plan-change-{width}", findings, checked)
