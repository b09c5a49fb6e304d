"""The workbench in a real browser, at 1280 px and at 390 px: an officer's home tasks lead to the
screening page, whose wide table scrolls inside its own box and remembers a hidden column; a
reviewer scores beside the proposal, the draft saves itself and the sheet stays in view while
the proposal scrolls. axe-core finds nothing serious on the pages this changed."""
from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.models import ReviewAssignment
from app.review import assignment, conflicts
from tests.app.builders import pool_of, submitted_proposal
from tests.browser.support import VIEWPORTS
from tests.browser.test_accessibility import assert_no_blocking, audit, axe_path  # noqa: F401 - the fixture
from tests.factories import closed_call, officer_for

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_the_officer_goes_from_the_home_tasks_to_screening_and_the_table_keeps_its_columns(
        open_journey, db_session, axe_path, size):
    call = closed_call(title="AX 실증산단 조성 공모", code=f"AX-20{40 + len(size)}")
    officer = officer_for(call)
    a = submitted_proposal(call, "창원", title="창원 국가산단 AX 실증산단 구축 사업")
    submitted_proposal(call, "구미", title="구미 국가산단 AX 실증산단 구축 사업")
    db_session.commit()
    findings: list[dict] = []
    checked: list[str] = []

    journey = open_journey(f"workbench-officer-{size}", viewport=VIEWPORTS[size], bypass_csp=True)
    page = journey.page
    journey.goto("/")
    journey.log_in(officer.email)
    journey.goto("/")
    tasks = page.locator(".home-tasks")
    task = tasks.get_by_role("link", name="적격성 검토할 신청서 2건 · AX 실증산단 조성 공모")
    task.wait_for()
    audit(journey, axe_path, [], findings, checked, current="/ (officer's tasks)")
    journey.step("home-tasks")
    task.click()
    page.wait_for_url(re.compile(rf"/officer/calls/{call.id}/screening$"))
    wrapper = page.get_by_role("region", name="제출된 신청서")
    assert wrapper.get_attribute("tabindex") == "0"
    assert page.get_by_role("link", name="제출본 v1").count() == 2
    assert page.get_by_role("link", name="제출 서류 전체 내려받기 (ZIP)").is_visible()

    # The column menu: hide 산업단지, and it stays hidden after a reload.
    menu = page.locator("details.table-columns")
    menu.locator("summary").click()
    menu.get_by_label("산업단지").uncheck()
    header = page.locator("#screening-table thead th", has_text="산업단지")
    assert header.is_hidden()
    audit(journey, axe_path, [], findings, checked, current=f"/officer/calls/{call.id}/screening (column hidden)")
    journey.step("screening-column-hidden")
    page.reload()
    assert page.locator("#screening-table thead th", has_text="산업단지").is_hidden()
    assert page.locator("#screening-table thead th", has_text="컨소시엄").is_visible()
    assert not page.locator("details.table-columns").get_by_label("산업단지").is_checked()

    if size == "phone":
        # The table is wider than the phone: it scrolls inside its box, the page does not.
        box = page.locator(".table-scroll").first
        widths = box.evaluate("el => [el.scrollWidth, el.clientWidth]")
        assert widths[0] > widths[1], widths
        assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
        box.evaluate("el => { el.scrollLeft = 120; }")
        assert box.evaluate("el => el.scrollLeft") > 0
        # The first column stays put while the rest slides under it.
        first = page.locator("#screening-table tbody tr").first.locator("td").first
        assert abs(first.bounding_box()["x"] - box.bounding_box()["x"]) < 3
        journey.step("screening-scrolled-inside")

    page.get_by_role("link", name=a.receipt_no).click()
    page.get_by_text("제출본 v1 (", exact=False).wait_for()
    audit(journey, axe_path, [], findings, checked, current=f"/officer/proposals/{a.id}/screening")
    journey.step("screen-proposal")
    assert_no_blocking(f"workbench-officer-{size}", findings, checked)


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_the_reviewer_scores_beside_the_proposal_and_the_draft_saves_itself(open_journey, db_session, axe_path, size):
    call = closed_call(title="AX 실증산단 조성 공모", code=f"AX-20{50 + len(size)}")
    officer = officer_for(call)
    p = submitted_proposal(call, "창원", title="창원 국가산단 AX 실증산단 구축 사업", pocs=10)
    (reviewer,) = pool_of(call, officer, 1)
    seat = assignment.assign(call, p, reviewer.id, officer)
    conflicts.declare_no_conflict(seat, reviewer)
    db_session.commit()
    findings: list[dict] = []
    checked: list[str] = []

    journey = open_journey(f"workbench-reviewer-{size}", viewport=VIEWPORTS[size], bypass_csp=True)
    page = journey.page
    journey.goto("/")
    journey.log_in(reviewer.email)
    journey.goto("/")
    page.locator(".home-tasks").get_by_role("link", name="제출할 평가표 1건 · AX 실증산단 조성 공모").click()
    page.wait_for_url(re.compile(rf"/review/a/{seat.id}/sheet$"))
    page.locator(".review-proposal").get_by_text("비밀 요약 내용").wait_for()
    audit(journey, axe_path, [], findings, checked, current=f"/review/a/{seat.id}/sheet")
    journey.step("side-by-side")

    sheet = page.locator(".review-sheet")
    proposal = page.locator(".review-proposal")
    if size == "wide":
        # Side by side; scrolling the page down the long proposal leaves the sheet in view.
        assert sheet.bounding_box()["x"] > proposal.bounding_box()["x"] + 300
        page.mouse.wheel(0, 2500)
        page.wait_for_function("window.scrollY > 1500")
        box = sheet.bounding_box()
        assert -1 <= box["y"] <= 5, box  # stuck to the top of the window
        assert page.locator("#points_infra").is_visible()
        journey.step("proposal-scrolled-sheet-stays")
        page.mouse.wheel(0, -5000)
    else:
        # One column on a phone: the sheet comes after the proposal.
        assert abs(sheet.bounding_box()["x"] - proposal.bounding_box()["x"]) < 2
        assert sheet.bounding_box()["y"] >= proposal.bounding_box()["y"] + proposal.bounding_box()["height"] - 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1

    page.locator("#points_infra").select_option("A")
    page.get_by_label("평가의견").first.fill("인프라 구성이 구체적임")
    status = page.locator("[data-autosave-status]")
    status.filter(has_text=re.compile(r"저장됨 \d\d:\d\d:\d\d")).wait_for(timeout=15_000)
    journey.step("autosaved")
    db.session.expire_all()
    saved = db.session.get(ReviewAssignment, seat.id).sheet
    assert saved.status == "draft" and saved.points == {"infra": "A"}
    assert saved.comments["infra"] == "인프라 구성이 구체적임"

    page.reload()
    assert page.locator("#points_infra").input_value() == "A"
    assert "저장됨" in status.inner_text()
    journey.step("reloaded-draft")
    assert_no_blocking(f"workbench-reviewer-{size}", findings, checked)
