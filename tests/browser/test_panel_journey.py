"""Building a panel in real Chromium (issue 11): the officer filters the pool, computes the
recommendations, invites a round, two candidates accept by the mailed link without logging in,
and the panel fills: the others are told they are not needed.

Screenshots land in test-output/browser/panel/NN-step.png.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage, ReviewerPoolEntry
from app.models.panels import InvitationStatus, PanelInvitation
from tests.app.test_recommend import TWIN, candidate, proposal
from tests.factories import closed_call, officer_for

pytestmark = pytest.mark.browser


def answer_path(user_id: int) -> str:
    """The link of the invitation mail, as its outbox row holds it (the token itself is stored hashed)."""
    row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.user_id == user_id,
                                                        OutboxMessage.template == "panel_invitation"))
    return re.sub(r"^https?://[^/]+", "", row.context["answer_url"])


def test_an_officer_filters_the_pool_invites_the_recommended_and_the_panel_fills_by_accepted_links(
        open_journey, db_session):
    call = closed_call()
    officer = officer_for(call)
    twin = proposal(call, TWIN)
    close = [candidate("디지털트윈, 스마트팩토리, 공정최적화") for _ in range(4)]
    far = [candidate("회계감사, 세무") for _ in range(2)]
    db_session.commit()
    names = {p.user_id: p.user.name for p in close + far}

    j = open_journey("panel")
    page = j.page
    j.goto("/")
    j.log_in(officer.email)
    page.get_by_role("navigation", name="주 메뉴").get_by_role("link", name="공모 관리").click()

    # The pool: six candidates, four of them with the call's theme among their keywords.
    page.get_by_role("link", name="평가위원 후보단").click()
    expect(page.get_by_role("heading", name="평가위원 후보단", level=1)).to_be_visible()
    search = page.get_by_role("search", name="후보단 검색")
    search.get_by_label("키워드").fill("디지털트윈")
    search.get_by_role("button", name="검색").click()
    expect(page).to_have_url(re.compile(r"keyword=%EB%94%94"))
    results = page.locator("#pool-results tbody tr")
    expect(results).to_have_count(4)
    expect(page.locator("#pool-results")).not_to_contain_text(names[far[0].user_id])
    j.step("pool-filtered")

    # Recommendations for the call's written stage, explained by the matched terms.
    j.goto(f"/officer/calls/{call.id}/panel")
    expect(page.locator("#computed-at")).to_have_text(re.compile("아직 계산하지 않았습니다"))
    page.get_by_role("button", name="추천 계산").click()
    expect(page.locator("#computed-at")).to_contain_text("계산 시각")
    ranking = page.locator("#ranking tbody tr")
    expect(ranking).to_have_count(4)  # the two accountants share no term with the proposal
    expect(ranking.first).to_contain_text("디지털트윈")
    per_proposal = page.get_by_role("region", name=re.compile(re.escape(twin.title)))
    expect(per_proposal).to_contain_text("스마트팩토리")
    j.step("recommended")

    # A round of twice the two seats wanted.
    recruit = page.get_by_role("region", name="평가위원 모집")
    recruit.get_by_label("구성할 평가위원 수").fill("2")
    recruit.get_by_label("초대 배수").fill("2")
    recruit.get_by_label("응답 기한(일)").fill("5")
    recruit.get_by_label("산업계 평가위원 비율").fill("0")
    recruit.get_by_role("button", name="모집 시작").click()
    expect(page.locator("#funnel-sent")).to_have_text("4")
    expect(page.locator("#seats-filled")).to_have_text("0/2")
    j.step("invited")

    # Two candidates answer from the mail's link, without an account session.
    order = [i.user_id for i in db.session.scalars(select(PanelInvitation).order_by(PanelInvitation.rank))]
    assert sorted(order) == sorted(p.user_id for p in close)
    for user_id in order[:2]:
        guest = open_journey(f"panel-accept-{user_id}")
        guest.goto(answer_path(user_id))
        expect(guest.page.get_by_role("heading", name="평가위원 위촉 요청")).to_be_visible()
        expect(guest.page.locator("body")).not_to_contain_text(twin.title)  # nothing of the proposals
        guest.page.locator("#accept").click()
        expect(guest.page.locator("#invitation-status")).to_contain_text("수락")
        guest.step("accepted")

    page.reload()
    expect(page.locator("#seats-filled")).to_have_text("2/2")
    expect(page.locator("#funnel-accepted")).to_have_text("2")
    expect(page.locator("#funnel-not-needed")).to_have_text("2")
    expect(page.locator("#recruitment-state")).to_contain_text("구성 완료")
    j.step("panel-full")

    db.session.expire_all()
    pool = set(db.session.scalars(select(ReviewerPoolEntry.user_id).where(ReviewerPoolEntry.call_id == call.id)))
    assert pool == set(order[:2])
    statuses = {i.user_id: i.status for i in db.session.scalars(select(PanelInvitation))}
    assert [statuses[u] for u in order] == [InvitationStatus.ACCEPTED] * 2 + [InvitationStatus.NOT_NEEDED] * 2
