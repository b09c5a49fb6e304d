"""A 사업 설명회 in a real browser: the officer creates it (1280 px), an applicant registers from the
call's page on a phone (390 px) and lands on the waiting list when it is full; axe-core finds
nothing serious on the officer's and the public pages."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.calls import session_seats
from app.core import clock
from app.models import InfoSession
from tests.browser.test_accessibility import assert_no_blocking, audit, axe_path  # noqa: F401 - the fixture
from tests.factories import CallFactory, UserFactory, officer_for

pytestmark = pytest.mark.browser


def _wall(value) -> str:
    return clock.to_kst(value).strftime("%Y-%m-%dT%H:%M")


def test_an_officer_creates_a_session_and_applicants_register_on_a_phone(open_journey, db_session, axe_path):
    call = CallFactory(title="설명회 시험 공모")
    officer = officer_for(call)
    first = UserFactory(name="김신청")
    second = UserFactory(name="박대기")
    db_session.commit()
    findings: list[dict] = []
    checked: list[str] = []
    start = (clock.now() + timedelta(days=14)).replace(second=0, microsecond=0)

    journey = open_journey("info-session-officer", bypass_csp=True)
    page = journey.page
    journey.goto("/")
    journey.log_in(officer.email)
    journey.goto(f"/officer/calls/{call.id}/sessions")
    page.get_by_label("설명회 제목").fill("AX 사업 설명회")
    page.get_by_label("시작 일시 (KST)").fill(_wall(start))
    page.get_by_label("종료 일시 (KST)").fill(_wall(start - timedelta(hours=1)))
    page.get_by_label("장소", exact=True).fill("본사 대강당")
    page.get_by_label("정원 (명)").fill("1")
    page.get_by_label("신청 마감 (KST)").fill(_wall(start - timedelta(days=2)))
    journey.watch.expect_console(r"status of 422")
    page.get_by_role("button", name="설명회 만들기").click()
    page.get_by_text("종료 일시는 시작 일시보다 뒤여야 합니다.").wait_for()
    audit(journey, axe_path, [], findings, checked, current="/officer/calls/<id>/sessions (sent back with errors)")
    journey.step("session-refused")
    page.get_by_label("종료 일시 (KST)").fill(_wall(start + timedelta(hours=2)))
    page.get_by_role("button", name="설명회 만들기").click()
    page.get_by_text("설명회를 만들었습니다.").wait_for()
    audit(journey, axe_path, [], findings, checked, current="/officer/sessions/<id>")
    journey.step("session-created")
    session = db_session.query(InfoSession).one()

    for user, expected in ((first, "설명회에 등록했습니다."), (second, "대기자 명단에 올렸습니다")):
        journey = open_journey(f"info-session-{user.name}", viewport={"width": 390, "height": 844}, bypass_csp=True)
        page = journey.page
        journey.goto("/")
        journey.log_in(user.email)
        journey.goto(f"/calls/{call.code}")
        page.get_by_role("link", name="AX 사업 설명회").click()
        page.get_by_label("소속 기관").fill("경남테크노파크")
        page.get_by_role("button", name="설명회 신청").click()
        page.get_by_text(expected).wait_for()
        audit(journey, axe_path, [], findings, checked, current=f"/calls/<code>/sessions/<id> ({user.name})")
        journey.step("registered")
    db_session.expire_all()
    assert [r.user.name for r in session_seats.seated(session)] == ["김신청"]
    assert [r.user.name for r in session_seats.waiting(session)] == ["박대기"]
    assert_no_blocking("info-sessions", findings, checked)
