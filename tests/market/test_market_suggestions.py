"""Suggestions on the pages: only what the viewer may see, each with its reasons."""
from __future__ import annotations

from app.extensions import db
from app.market import suggestions
from app.models.marketplace import Alliance, AllianceMember
from tests.app.builders import complete_proposal
from tests.factories import CallFactory, OrganisationFactory, UserFactory, applicant_with_consortium
from tests.market.market_world import capability_row, market, need_row


def test_a_supplier_sees_the_need_suggested_with_its_reasons(client, login):
    m = market()
    login(m.supplier)
    page = client.get(f"/market/capabilities/{m.capability.id}").get_data(as_text=True)
    assert "추천 수요" in page and m.need.title in page
    assert "같은 산업단지 · 같은 지역(경남) · 자동차부품 · 사출" in page
    login(m.firm)
    page = client.get(f"/market/needs/{m.need.id}").get_data(as_text=True)
    assert "추천 공급기업" in page and m.capability.title in page


def test_alliance_only_and_closed_listings_are_suggested_to_those_who_may_see_them(app):
    m = market()
    alliance = Alliance(name="경남 산업 DX 융합얼라이언스")
    db.session.add(alliance)
    db.session.flush()
    hidden = capability_row(UserFactory(organisation=OrganisationFactory(type="ai_supplier")),
                            title="얼라이언스 전용 사출 검사", visibility="alliance", alliance_id=alliance.id)
    closed = capability_row(UserFactory(organisation=OrganisationFactory(type="ai_supplier")),
                            title="마감된 사출 검사", state="closed")
    db.session.commit()

    def seen(user):
        return {s.listing.id for s in suggestions.suppliers_for(m.need, user, top=10)}

    assert seen(m.firm) == {m.capability.id}
    db.session.add(AllianceMember(alliance_id=alliance.id, organisation_id=m.firm.organisation_id))
    db.session.commit()
    assert seen(m.firm) == {m.capability.id, hidden.id}
    assert closed.id not in seen(UserFactory(roles=["admin"]))


def test_a_consortium_gets_member_suggestions_for_its_draft(client, login):
    m = market()
    lead, consortium = applicant_with_consortium()
    call = CallFactory()
    proposal = complete_proposal(call, lead, consortium)
    proposal.strategic_industries = "자동차 부품"
    proposal.summary = "창원 사출 기업의 외관 검사 자동화와 머신비전 불량 검출"
    proposal.complex = m.complex
    # Someone already in the consortium is not suggested.
    own = need_row(lead, m.complex, title="주관기관의 사출 수요")
    db.session.commit()
    login(lead)
    assert f"/market/proposals/{proposal.id}/members" in client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    page = client.get(f"/market/proposals/{proposal.id}/members").get_data(as_text=True)
    assert "㈜비전에이아이" in page and "㈜경남사출" in page and own.title not in page
    login(m.outsider)
    assert client.get(f"/market/proposals/{proposal.id}/members").status_code == 404
