"""Needs and research groups in a real browser: a firm publishes a need (1280 px), refused first for
a budget range the wrong way round; the group's coordinator, on a phone (390 px), adds the firm to
the group and makes a task candidate of its need; axe-core finds nothing serious on those pages."""
from __future__ import annotations

import pytest

from app.models.marketplace import Need, TaskCandidate
from tests.app.market_builders import alliance_with_group, firm
from tests.browser.test_accessibility import assert_no_blocking, audit, axe_path  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser


def test_a_firm_publishes_a_need_and_the_coordinator_curates_it(open_journey, db_session, axe_path):
    _alliance, group, coordinator = alliance_with_group()
    user = firm(name="(주)브라우저사출")
    db_session.commit()
    findings: list[dict] = []
    checked: list[str] = []

    journey = open_journey("market-need", bypass_csp=True)
    page = journey.page
    journey.goto("/")
    journey.log_in(user.email)
    journey.goto("/market/needs")
    audit(journey, axe_path, [], findings, checked, current="/market/needs")
    page.get_by_role("link", name="새로 게시").click()
    page.get_by_label("제목").fill("사출성형 불량 검출")
    page.get_by_label("현장 문제").fill("야간조 불량 유출")
    page.get_by_label("예산 하한 (원)").fill("90,000,000")
    page.get_by_label("예산 상한 (원)").fill("10,000,000")
    journey.watch.expect_console(r"status of 422")
    page.get_by_role("button", name="저장").click()
    page.locator("#budget_max-error").wait_for()
    audit(journey, axe_path, [], findings, checked, current="/market/needs/new (sent back with errors)")
    journey.step("need-refused")
    page.get_by_label("예산 상한 (원)").fill("150,000,000")
    page.get_by_role("button", name="저장").click()
    page.get_by_text("게시했습니다.").wait_for()
    audit(journey, axe_path, [], findings, checked, current="/market/needs/<id>")
    journey.step("need-published")
    need = db_session.query(Need).one()
    assert (need.budget_min, need.budget_max) == (90_000_000, 150_000_000)

    journey = open_journey("market-coordinator", viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = journey.page
    journey.goto("/")
    journey.log_in(coordinator.email)
    journey.goto(f"/market/groups/{group.id}")
    page.get_by_label("사업자등록번호").fill(user.organisation.brn)
    page.get_by_role("button", name="회원 기관 추가").click()
    page.get_by_text("회원 기관을 추가했습니다.").wait_for()
    audit(journey, axe_path, [], findings, checked, current="/market/groups/<id>")
    journey.step("member-added")
    page.get_by_role("link", name="과제 후보 만들기").click()
    page.get_by_label("제목").fill("사출 품질 AI 과제")
    page.get_by_label("사출성형 불량 검출 · (주)브라우저사출").check()
    page.get_by_role("button", name="저장").click()
    page.get_by_text("저장했습니다.").wait_for()
    audit(journey, axe_path, [], findings, checked, current="/market/tasks/<id>")
    journey.step("task-created")
    task = db_session.query(TaskCandidate).one()
    assert [tn.need_id for tn in task.needs] == [need.id]
    assert_no_blocking("market-listings", findings, checked)
