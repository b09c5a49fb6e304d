"""The review sheet's running total counts a grade picked before its script had loaded."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from app.review import conflicts
from tests.browser import scenario


def test_a_grade_picked_while_the_script_loads_counts_in_the_total(open_journey, db_session):
    call = scenario.open_call()
    officer = scenario.officer_of(call)
    proposal, _applicant = scenario.submitted(call, "창원", lead="경남테크노파크", applicant="홍길동")
    scenario.close(call)
    seat = scenario.reviewer_assigned(call, proposal, officer, name="이평가", email="lee@pusan.ac.kr")
    conflicts.declare_no_conflict(seat, seat.reviewer)
    db_session.commit()
    j = open_journey("reviewer")
    page = j.page
    j.goto("/")
    j.log_in("lee@pusan.ac.kr")

    # On a slow network the page is usable before its deferred script arrives: hold the script
    # until the reviewer has picked a grade, as a reviewer on a government line may well do.
    held = []

    def hold(route):
        held.append(route)

    page.route("**/js/review.js", hold)
    page.goto(f"/review/a/{seat.id}/sheet", wait_until="commit")
    page.get_by_label(re.compile(r"^AX 인프라 구축 계획 \(\d+점\)")).select_option("S")
    total = page.locator("[data-sheet-total]")
    expect(total).to_have_text("0")  # the server's total; nothing has counted the pick yet
    assert len(held) == 1
    held[0].continue_()

    expect(total).to_have_text("30")  # S: 30 of 30
