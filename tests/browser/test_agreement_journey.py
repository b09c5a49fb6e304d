"""The agreement in real Chromium (issue 13): the officer opens it, the lead revises the plan and
submits it, the officer accepts, sets the terms and issues the document, the lead, the member and
the agency sign in turn, and the project exists. axe-core finds nothing serious on the pages.

Screenshots land in test-output/browser/agreement-<width>/NN-step.png.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models.agreements import AgreementStatus
from app.agreements import opening
from tests.app.agreement_flow import complete, with_member
from tests.factories import PASSWORD
from tests.browser.test_accessibility import assert_no_blocking, audit, axe_path  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_an_agreement_is_opened_revised_issued_and_signed_in_order(open_journey, db_session, axe_path, width):
    call, officer, proposal, applicant, member = with_member()
    complete(proposal)
    findings: list[dict] = []
    checked: list[str] = []
    viewport = {"viewport": {"width": width, "height": 900}, "bypass_csp": True}

    desk = open_journey(f"agreement-officer-{width}", **viewport)
    desk.goto("/")
    desk.log_in(officer.email)
    desk.goto(f"/officer/calls/{call.id}/agreements")
    audit(desk, axe_path, [], findings, checked, current="/officer/calls/<id>/agreements")
    desk.page.get_by_role("link", name="협약 시작").click()
    desk.page.get_by_label("보완할 사항 (평가위원 의견 반영)").fill("PoC 성과지표의 목표값 근거를 보완할 것.")
    audit(desk, axe_path, [], findings, checked, current="/officer/proposals/<id>/agreement")
    desk.page.get_by_role("button", name="협약 시작 및 보완 요청").click()
    expect(desk.page.get_by_role("heading", level=1)).to_contain_text("협약")
    desk.step("opened")
    agreement = opening.of_proposal(proposal)

    lead = open_journey(f"agreement-lead-{width}", **viewport)
    page = lead.page
    lead.goto("/")
    lead.log_in(applicant.email)
    lead.goto("/")
    page.get_by_role("link", name=re.compile("협약 사업계획 보완 제출")).click()
    page.get_by_role("link", name="사업계획 고치기").click()
    lead.goto(f"/proposals/{proposal.id}/overview")
    expect(page.locator("main")).to_contain_text("협약을 위해 사업계획을 보완하는 중입니다")
    page.get_by_label("사업명", exact=True).fill("창원 AX 실증산단 (보완)")
    page.get_by_role("button", name="임시 저장").first.click()
    lead.goto(f"/agreements/{agreement.id}")
    expect(page.locator("#diff")).to_be_visible()
    audit(lead, axe_path, [], findings, checked, current="/agreements/<id> (revising)")
    page.get_by_label("보완 내용 설명").fill("사업명과 성과지표 목표의 근거를 보완했습니다.")
    page.get_by_role("button", name="보완 계획 제출").click()
    expect(page.locator("main")).to_contain_text("보완 계획 검토 중")
    lead.step("revision-submitted")

    desk.goto(f"/agreements/{agreement.id}")
    audit(desk, axe_path, [], findings, checked, current="/agreements/<id> (review)")
    desk.page.get_by_label("승인").check()
    desk.page.get_by_role("button", name="검토 결과 저장").click()
    desk.page.get_by_label("협약 시작일").fill("2025-07-01")
    desk.page.get_by_label("특수조건").fill("실증 결과는 매년 공개 발표회에서 공유한다.")
    desk.page.get_by_role("button", name="협약 조건 저장").click()
    audit(desk, axe_path, [], findings, checked, current="/agreements/<id> (drafting)")
    desk.page.get_by_role("button", name="협약서 발급").click()
    expect(desk.page.locator("code.hash").first).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    desk.step("issued")

    lead.goto(f"/agreements/{agreement.id}")
    page.get_by_role("link", name="협약서에 서명하기").click()
    audit(lead, axe_path, [], findings, checked, current="/agreements/<id>/sign")
    lead.watch.expect_console("422")  # the refused password answers 422, on purpose
    page.get_by_label("비밀번호", exact=True).fill("wrong-password-1")
    page.get_by_label(re.compile("협약서를 확인했으며")).check()
    page.get_by_role("button", name="서명", exact=True).click()
    expect(page.locator("#password-error")).to_have_text("비밀번호가 맞지 않습니다.")
    lead.step("wrong-password")
    page.get_by_label("비밀번호", exact=True).fill(PASSWORD)
    page.get_by_label(re.compile("협약서를 확인했으며")).check()
    page.get_by_role("button", name="서명", exact=True).click()
    expect(page.locator("main")).to_contain_text("서명했습니다")
    lead.step("lead-signed")

    other = open_journey(f"agreement-member-{width}", **viewport)
    other.goto("/")
    other.log_in(member.email)
    other.goto(f"/agreements/{agreement.id}/sign")
    other.page.get_by_label("비밀번호", exact=True).fill(PASSWORD)
    other.page.get_by_label(re.compile("협약서를 확인했으며")).check()
    other.page.get_by_role("button", name="서명", exact=True).click()
    expect(other.page.locator("main")).to_contain_text("서명했습니다")

    desk.goto(f"/agreements/{agreement.id}/sign")
    desk.page.get_by_label("비밀번호", exact=True).fill(PASSWORD)
    desk.page.get_by_label(re.compile("협약서를 확인했으며")).check()
    desk.page.get_by_role("button", name="서명", exact=True).click()
    expect(desk.page.locator("main")).to_contain_text("협약이 체결되었습니다")
    audit(desk, axe_path, [], findings, checked, current="/agreements/<id> (signed)")
    desk.page.get_by_role("link", name="과제 페이지").click()
    expect(desk.page).to_have_url(re.compile(r"/projects/\d+$"))
    desk.step("project")

    db.session.expire_all()
    assert agreement.status == AgreementStatus.SIGNED
    assert_no_blocking(f"agreement-{width}", findings, checked)
