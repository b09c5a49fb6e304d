"""Around the call in real Chromium (issue 14): a firm posts a need, a supplier finds it suggested on
its capability's page and writes, the firm answers, and the firm starts a consortium from the task
candidate its research group made of the two. axe-core finds nothing serious on the pages.

Screenshots land in test-output/browser/market-<who>-<width>/NN-step.png.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Consortium
from app.models.marketplace import Need, TaskCandidate
from tests.browser.test_accessibility import assert_no_blocking, audit, axe_path  # noqa: F401 - the fixture
from tests.factories import CallFactory, OrganisationFactory, UserFactory
from tests.market.market_world import capability_row, task_for

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_a_need_is_matched_answered_and_becomes_a_consortium(open_journey, db_session, axe_path, width):
    call = CallFactory()  # open, taking the 21 complexes of the AX call (창원 among them)
    changwon = next(c for c in call.complexes if c.name == "창원")
    firm = UserFactory(organisation=OrganisationFactory(name="㈜경남사출", type="tenant_company"))
    supplier = UserFactory(organisation=OrganisationFactory(name="㈜비전에이아이", type="ai_supplier"))
    capability = capability_row(supplier)
    db_session.commit()
    findings: list[dict] = []
    checked: list[str] = []
    viewport = {"viewport": {"width": width, "height": 900}, "bypass_csp": True}

    desk = open_journey(f"market-firm-{width}", **viewport)
    page = desk.page
    desk.goto("/")
    desk.log_in(firm.email)
    desk.goto("/market/needs/new")
    page.get_by_label("제목", exact=True).fill("사출성형품 외관 불량 자동 검출")
    page.get_by_label("산업단지", exact=True).select_option(str(changwon.id))
    page.get_by_label("지역", exact=True).select_option("경남")
    page.get_by_label("업종", exact=True).fill("자동차 부품")
    page.get_by_label("공정", exact=True).fill("사출성형")
    page.get_by_label("현장 문제").fill("사출성형 제품의 외관 불량을 작업자가 육안으로 검출해 검사 누락이 잦습니다.")
    page.get_by_label("보유 데이터").fill("검사 이미지 2만 장")
    page.get_by_role("button", name="저장").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("사출성형품 외관 불량 자동 검출")
    expect(page.locator("#suggested-capabilities")).to_contain_text("사출 외관 검사 머신비전")
    audit(desk, axe_path, [], findings, checked, current="/market/needs/<id>")
    desk.step("need-posted")
    need = db.session.scalar(select(Need))

    shop = open_journey(f"market-supplier-{width}", **viewport)
    sp = shop.page
    shop.goto("/")
    shop.log_in(supplier.email)
    shop.goto(f"/market/capabilities/{capability.id}")
    suggested = sp.locator("#suggested-needs-list")
    expect(suggested).to_contain_text("사출성형품 외관 불량 자동 검출")
    expect(suggested).to_contain_text("같은 산업단지")
    audit(shop, axe_path, [], findings, checked, current="/market/capabilities/<id>")
    shop.step("need-suggested")
    suggested.get_by_role("link", name="사출성형품 외관 불량 자동 검출").click()
    sp.get_by_role("link", name="이 기업에 연락하기").click()
    sp.get_by_label("내용").fill("머신비전 외관 검사 실증을 제안합니다. 창원 사례를 보여 드리겠습니다.")
    audit(shop, axe_path, [], findings, checked, current="/market/needs/<id>/contact")
    sp.get_by_role("button", name="보내기").click()
    expect(sp.locator("#messages")).to_contain_text("머신비전 외관 검사 실증을 제안합니다")
    shop.step("message-sent")

    desk.goto("/market/messages")
    audit(desk, axe_path, [], findings, checked, current="/market/messages")
    page.get_by_role("link", name=re.compile("사출성형품 외관 불량 자동 검출")).click()
    page.get_by_label("답장").fill("좋습니다. 다음 주에 현장에서 뵙겠습니다.")
    page.get_by_role("button", name="답장 보내기").click()
    expect(page.locator("#messages li")).to_have_count(2)
    audit(desk, axe_path, [], findings, checked, current="/market/messages/<id>")
    desk.step("reply")

    # The research group turns the need and the capability into a task candidate (its own pages
    # are the listings' journey); the firm starts the consortium from it.
    task = task_for(_Market(firm, supplier, need, capability))
    desk.goto(f"/market/tasks/{task.id}")
    page.get_by_role("link", name="컨소시엄 시작").click()
    page.get_by_label("공모").select_option(str(call.id))
    audit(desk, axe_path, [], findings, checked, current="/market/tasks/<id>/consortium")
    desk.step("start-form")
    page.get_by_role("button", name="컨소시엄과 신청서 초안 만들기").click()
    expect(page.locator("main")).to_contain_text("컨소시엄과 신청서 초안을 만들었습니다")
    desk.step("proposal-drafted")

    db.session.expire_all()
    consortium = db.session.scalar(select(Consortium))
    assert consortium.lead_org_id == firm.organisation_id
    assert [m.status for m in consortium.members if m.organisation_id == supplier.organisation_id] == ["pending"]
    assert db.session.get(TaskCandidate, task.id).state == "started"
    assert_no_blocking(f"market-{width}", findings, checked)


class _Market:
    """What ``task_for`` reads of the world (the alliance and group are made there)."""

    def __init__(self, firm, supplier, need, capability):
        self.firm, self.supplier, self.need, self.capability = firm, supplier, need, capability
