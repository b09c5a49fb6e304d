"""The officer's proposal-sections editor in a real browser: rows, a refusal beside its field, axe."""
from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Call
from tests.browser.test_accessibility import assert_no_blocking, audit, axe_path  # noqa: F401 - the fixture
from tests.factories import CallFactory, officer_for

pytestmark = pytest.mark.browser


def test_the_officer_adds_a_section_and_the_page_passes_axe(open_journey, axe_path, db_session):
    call = CallFactory(phase="draft")
    officer = officer_for(call)
    db.session.commit()
    url = f"/officer/calls/{call.id}/sections"
    journey = open_journey("call-sections")
    page = journey.page
    page.set_viewport_size({"width": 390, "height": 844})
    journey.goto("/")
    journey.log_in(officer.email)
    journey.goto(url)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # nothing wider than the phone
    page.get_by_role("button", name="작성 항목 추가").click()
    row = page.locator("#sections-5")
    row.wait_for()
    row.get_by_label("키", exact=True).fill("budget")
    row.get_by_label("작성 형식", exact=True).select_option("text")
    row.get_by_label("한국어 이름", exact=True).fill("청년 정주 여건")
    journey.watch.expect_console(r"status of 422")
    page.get_by_role("button", name="저장", exact=True).click()
    page.locator("#sections-5-key-error").wait_for()
    journey.step("sections-refused")
    page.locator("#sections-5").get_by_label("키", exact=True).fill("living")
    page.get_by_role("button", name="저장", exact=True).click()
    page.get_by_text("신청서 작성 항목을 저장했습니다.").wait_for()
    journey.step("sections-saved")
    db_session.expire_all()
    assert db_session.get(Call, call.id).sections[-1].key == "living"

    findings: list[dict] = []
    checked: list[str] = []
    axe = open_journey("call-sections-axe", bypass_csp=True)  # axe is injected as a script
    axe.goto("/")
    axe.log_in(officer.email)
    audit(axe, axe_path, [url, f"/officer/calls/{call.id}"], findings, checked)
    assert_no_blocking("call-sections", findings, checked, strict=True)
