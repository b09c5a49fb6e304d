"""Starting a proposal and drafting its sections through the real pages, JavaScript off."""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, BudgetLine, IndustrialComplex, InfraItem, Proposal
from app.proposals import consortia as consortia_service
from app.proposals import drafts, sections
from tests.factories import (
    CallFactory, ComplexFactory, ConsortiumFactory, ProposalFactory, UserFactory, applicant_with_consortium,
)

SAVED = "임시 저장되었습니다"


# ----- helpers -------------------------------------------------------------------------------

@pytest.fixture
def setup(app):
    """A lead applicant, their consortium, an open AX call and a started proposal."""
    user, consortium = applicant_with_consortium()
    call = CallFactory()
    proposal = ProposalFactory(call=call, consortium=consortium, created_by_id=user.id, title="",
                               complex_id=call.complexes[1].id)
    db.session.commit()
    return user, consortium, call, proposal


def _fresh(proposal_id: int) -> Proposal:
    db.session.expire_all()
    return db.session.get(Proposal, proposal_id)


def _audits(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def _value(html: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', html)
    if match is None:
        return None
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


def _textarea(html: str, name: str) -> str | None:
    match = re.search(rf'<textarea[^>]*name="{re.escape(name)}"[^>]*>\r?\n?(.*?)</textarea>', html, re.S)
    return match.group(1) if match else None


def _row_names(html: str, prefix: str) -> set[str]:
    return set(re.findall(rf'name="({prefix}-\d+)-', html))


# ----- starting ------------------------------------------------------------------------------

def test_start_offers_only_eligible_complexes_and_opens_the_hub(client, login):
    user, consortium = applicant_with_consortium()
    call = CallFactory(setup__complexes=["창원", "구미"])
    outside = ComplexFactory(name="아산부곡", region="충남", designated_year=2025)
    db.session.commit()
    login(user)
    url = f"/calls/{call.code}/apply"

    form = client.get(url).get_data(as_text=True)
    assert "창원" in form and "구미" in form and "아산부곡" not in form

    refused = client.post(url, data={"consortium_id": consortium.id, "complex_id": outside.id})
    assert refused.status_code == 422
    assert "대상 산업단지는 이 공모의 신청 대상 중에서 선택하십시오" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Proposal.id))) == 0

    changwon = db.session.scalar(select(IndustrialComplex).where(IndustrialComplex.name == "창원"))
    resp = client.post(url, data={"consortium_id": consortium.id, "complex_id": changwon.id})
    proposal = db.session.scalar(select(Proposal))
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/proposals/{proposal.id}")
    assert (proposal.call_id, proposal.consortium_id, proposal.complex_id) == (call.id, consortium.id, changwon.id)
    assert proposal.status == "draft" and proposal.created_by_id == user.id
    assert [e.object_id for e in _audits("proposal.started")] == [proposal.id]

    hub = client.get(resp.headers["Location"]).get_data(as_text=True)
    for label in ("사업 개요", "AX 인프라 구축", "기업 AX 실증 (PoC)", "AX 중장기 마스터플랜", "AX 얼라이언스",
                  "지역 AI 데이터센터 연계", "사업비", "미작성", consortium.name, "창원"):
        assert label in hub


def test_one_proposal_per_consortium_per_call(client, login):
    user, consortium = applicant_with_consortium()
    call = CallFactory()
    db.session.commit()
    login(user)
    url = f"/calls/{call.code}/apply"
    first = client.post(url, data={"consortium_id": consortium.id, "complex_id": call.complexes[0].id})

    again = client.post(url, data={"consortium_id": consortium.id, "complex_id": call.complexes[3].id})

    assert again.status_code == 302 and again.headers["Location"] == first.headers["Location"]
    assert db.session.scalar(select(func.count(Proposal.id))) == 1
    assert client.get(url).headers["Location"] == first.headers["Location"]

    # With a second consortium to choose from, the page lists the proposal already started.
    ConsortiumFactory(lead_org=user.organisation, created_by_id=user.id)
    db.session.commit()
    assert "이미 작성 중인 신청서" in client.get(url).get_data(as_text=True)


def test_only_a_consortium_the_user_leads_may_apply(client, login):
    lead, consortium = applicant_with_consortium()
    member = UserFactory()
    consortia_service.add_member(consortium, lead, member.organisation.brn, "university")
    call = CallFactory()
    db.session.commit()
    login(member)
    url = f"/calls/{call.code}/apply"

    assert "먼저 컨소시엄을 만드십시오" in client.get(url).get_data(as_text=True)
    resp = client.post(url, data={"consortium_id": consortium.id, "complex_id": call.complexes[0].id})

    assert resp.status_code == 422
    assert db.session.scalar(select(func.count(Proposal.id))) == 0


def test_start_is_refused_once_the_call_has_closed(client, login, clock):
    user, consortium = applicant_with_consortium()
    call = CallFactory()
    db.session.commit()
    login(user)
    url = f"/calls/{call.code}/apply"
    clock.move_to(call.closes_at + timedelta(seconds=1))

    page = client.get(url).get_data(as_text=True)
    resp = client.post(url, data={"consortium_id": consortium.id, "complex_id": call.complexes[0].id},
                       follow_redirects=True)

    assert "접수가 마감되었습니다" in page and 'name="complex_id"' not in page
    assert "접수가 마감되었습니다" in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Proposal.id))) == 0
    assert client.get("/calls/NO-SUCH-CALL/apply").status_code == 404


def test_my_proposals_lists_call_complex_status_receipt_and_last_change_in_kst(client, login, clock, setup):
    user, consortium, call, proposal = setup
    other_user, other = applicant_with_consortium()
    ProposalFactory(call=call, consortium=other, title="남의 신청서")
    db.session.commit()
    login(user)
    clock.move_to("2025-07-02 06:30:00+00:00")
    client.post(f"/proposals/{proposal.id}/overview", data={"title": "창원 AX 실증산단"})

    html = client.get("/my/proposals").get_data(as_text=True)

    assert call.title in html and "창원 AX 실증산단" in html and call.complexes[1].name in html
    assert "작성 중" in html and "2025-07-02 15:30 KST" in html
    assert "남의 신청서" not in html


# ----- sections: partial data, audit, flash --------------------------------------------------

def test_overview_saves_partial_data_and_is_audited(client, login, setup):
    user, consortium, call, proposal = setup
    login(user)

    resp = client.post(f"/proposals/{proposal.id}/overview", data={"title": "창원 AX 실증산단 구축", "summary": ""},
                       follow_redirects=True)

    assert SAVED in resp.get_data(as_text=True)
    saved = _fresh(proposal.id)
    assert saved.title == "창원 AX 실증산단 구축" and saved.summary == "" and saved.complex_id is None
    [entry] = _audits("proposal.draft_saved")
    # Old and new value of each changed field; the summary, saved empty as it was, is not listed.
    assert entry.data == {"section": "overview", "changes": {
        "complex_id": [call.complexes[1].id, None], "title": ["", "창원 AX 실증산단 구축"]}}
    assert entry.actor_id == user.id and entry.object_id == proposal.id and entry.call_id == call.id
    assert drafts.section_progress(saved)["overview"] == "partial"


def test_overview_refuses_an_ineligible_complex_and_keeps_what_was_typed(client, login, setup):
    user, consortium, call, proposal = setup
    outside = ComplexFactory(name="충주제1", region="충북", designated_year=2025)
    db.session.commit()
    login(user)

    resp = client.post(f"/proposals/{proposal.id}/overview", data={
        "title": "새 사업명", "summary": "요약 초안", "complex_id": outside.id, "strategic_industries": "기계",
    })

    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "대상 산업단지는 이 공모의 신청 대상 중에서 선택하십시오." in html
    assert 'aria-describedby="complex_id-error' in html
    assert _value(html, "title") == "새 사업명" and _textarea(html, "summary") == "요약 초안"
    assert _value(html, "strategic_industries") == "기계"
    saved = _fresh(proposal.id)
    assert (saved.title, saved.summary, saved.complex_id) == ("", "", call.complexes[1].id)
    assert _audits("proposal.draft_saved") == []


@pytest.mark.parametrize("section", ["master_plan", "alliance", "aidc"])
def test_long_text_sections_save(client, login, setup, section):
    user, consortium, call, proposal = setup
    login(user)
    text = "1단계: 입주기업 AI 수요 조사\n2단계: 오픈랩 구축"

    resp = client.post(f"/proposals/{proposal.id}/{section}", data={"body": text}, follow_redirects=True)

    assert SAVED in resp.get_data(as_text=True)
    assert _fresh(proposal.id).text(section) == text
    assert [e.data for e in _audits("proposal.draft_saved")] == [
        {"section": section, "changes": {section: ["", text]}}]
    assert text in client.get(f"/proposals/{proposal.id}/{section}").get_data(as_text=True)


def test_unknown_section_is_not_found(client, login, setup):
    user, consortium, call, proposal = setup
    login(user)
    assert client.get(f"/proposals/{proposal.id}/secrets").status_code == 404


# ----- infrastructure rows -------------------------------------------------------------------

def test_infra_rows_are_added_and_removed_without_javascript(client, login, setup):
    user, consortium, call, proposal = setup
    login(user)
    url = f"/proposals/{proposal.id}/infra"

    first = client.get(url).get_data(as_text=True)
    assert _row_names(first, "items") == {"items-0"}
    assert "행 추가" in first and 'name="items-0-delete"' in first

    resp = client.post(url, data={"items-0-type_key": "openlab", "items-0-description": "GPU 서버 8식",
                                  "items-0-budget": "1,500,000,000", "add_row": "행 추가"})
    assert resp.status_code == 302
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert _row_names(page, "items") == {"items-0", "items-1"}
    assert _value(page, "items-0-budget") == "1,500,000,000" and _value(page, "items-1-budget") == ""

    # Pressing it again with the blank row still empty shows two blank rows.
    resp = client.post(url, data={"items-0-type_key": "openlab", "items-0-description": "GPU 서버 8식",
                                  "items-0-budget": "1500000000", "items-1-type_key": "", "add_row": "행 추가"})
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert _row_names(page, "items") == {"items-0", "items-1", "items-2"}

    client.post(url, data={
        "items-0-type_key": "openlab", "items-0-description": "GPU 서버 8식", "items-0-budget": "1500000000",
        "items-1-type_key": "digital_twin", "items-1-description": "산단 관제", "items-1-budget": "700000000",
        "items-2-type_key": "saas", "items-2-budget": "300000000",
    })
    assert [(i.type_key, i.budget) for i in _fresh(proposal.id).infra_items] == [
        ("openlab", 1_500_000_000), ("digital_twin", 700_000_000), ("saas", 300_000_000)]

    client.post(url, data={
        "items-0-type_key": "openlab", "items-0-description": "GPU 서버 8식", "items-0-budget": "1500000000",
        "items-1-type_key": "digital_twin", "items-1-description": "산단 관제", "items-1-budget": "700000000",
        "items-1-delete": "y",
        "items-2-type_key": "saas", "items-2-budget": "300000000",
    })
    items = _fresh(proposal.id).infra_items
    assert [(i.type_key, i.position) for i in items] == [("openlab", 0), ("saas", 1)]
    assert len(_audits("proposal.draft_saved")) == 4


def test_infra_values_that_cannot_be_saved_keep_every_typed_value_and_save_nothing(client, login, setup):
    user, consortium, call, proposal = setup
    drafts.replace_infra_items(proposal, user, [{"type_key": "openlab", "description": "기존", "budget": 10}])
    db.session.commit()
    login(user)

    resp = client.post(f"/proposals/{proposal.id}/infra", data={
        "items-0-type_key": "openlab", "items-0-description": "GPU 서버", "items-0-budget": "십억",
        "items-1-type_key": "quantum", "items-1-description": "양자컴퓨터", "items-1-budget": "-5",
        "items-2-type_key": "saas", "items-2-description": "구독형 AI", "items-2-budget": "2,000,000,000,000,000",
    })

    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and SAVED not in html
    assert "금액은 원 단위 숫자로 입력하십시오" in html
    assert "금액은 0원 이상이어야 합니다." in html
    assert "금액이 너무 큽니다" in html
    assert _value(html, "items-0-budget") == "십억" and _value(html, "items-1-budget") == "-5"
    assert _value(html, "items-2-budget") == "2,000,000,000,000,000"
    assert _textarea(html, "items-1-description") == "양자컴퓨터"
    assert 'aria-describedby="items-0-budget-error' in html
    assert [(i.description, i.budget) for i in _fresh(proposal.id).infra_items] == [("기존", 10)]

    # With the amounts fixed, the type the call does not offer is the one thing refused.
    resp = client.post(f"/proposals/{proposal.id}/infra", data={
        "items-0-type_key": "openlab", "items-0-budget": "1",
        "items-1-type_key": "quantum", "items-1-description": "양자컴퓨터", "items-1-budget": "5",
    })
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "이 공모에서 지원하는 인프라 유형 중에서 선택하십시오." in html
    assert 'aria-describedby="items-1-type_key-error' in html
    assert [(i.description, i.budget) for i in _fresh(proposal.id).infra_items] == [("기존", 10)]
    assert _audits("proposal.draft_saved") != [] and len(_audits("proposal.draft_saved")) == 1


def test_a_row_ticked_for_deletion_is_dropped_even_with_a_bad_value(client, login, setup):
    user, consortium, call, proposal = setup
    login(user)

    resp = client.post(f"/proposals/{proposal.id}/infra", data={
        "items-0-type_key": "openlab", "items-0-budget": "100",
        "items-1-budget": "엉터리", "items-1-delete": "y",
    })

    assert resp.status_code == 302
    assert [(i.type_key, i.budget) for i in _fresh(proposal.id).infra_items] == [("openlab", 100)]


# ----- PoC plans with KPIs -------------------------------------------------------------------

def test_poc_plans_with_kpis_save_decimals_exactly_and_grow_without_javascript(client, login, setup):
    user, consortium, call, proposal = setup
    login(user)
    url = f"/proposals/{proposal.id}/poc"
    page = client.get(url).get_data(as_text=True)
    assert 'name="plans-0-kpis-0-baseline"' in page and 'name="plans-1-tenant_firm"' not in page

    resp = client.post(url, data={
        "plans-0-tenant_firm": "(주)경남정밀", "plans-0-problem": "불량률 3%", "plans-0-ai_solution": "비전 검사",
        "plans-0-budget": "300,000,000",
        "plans-0-kpis-0-name": "불량률", "plans-0-kpis-0-unit": "%", "plans-0-kpis-0-baseline": "3.25",
        "plans-0-kpis-0-target": "0.5",
        "plans-0-add_kpi": "성과지표 행 추가",
    })
    assert resp.status_code == 302
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert {"plans-0-kpis-0", "plans-0-kpis-1", "plans-0-kpis-2"} <= set(re.findall(r'name="(plans-0-kpis-\d+)-', page))
    assert _value(page, "plans-0-kpis-0-baseline") == "3.25"

    resp = client.post(url, data={
        "plans-0-tenant_firm": "(주)경남정밀", "plans-0-budget": "300000000",
        "plans-0-kpis-0-name": "불량률", "plans-0-kpis-0-baseline": "3.25", "plans-0-kpis-0-target": "0.5",
        "plans-0-kpis-1-name": "검사 시간", "plans-0-kpis-1-baseline": "1,200", "plans-0-kpis-1-target": "300",
        "plans-1-tenant_firm": "(주)창원기계",
        "add_row": "PoC 계획 추가",
    })
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert _row_names(page, "plans") == {"plans-0", "plans-1", "plans-2"}

    plans = _fresh(proposal.id).poc_plans
    assert [p.tenant_firm for p in plans] == ["(주)경남정밀", "(주)창원기계"]
    assert [(k.name, k.baseline, k.target) for k in plans[0].kpis] == [
        ("불량률", Decimal("3.25"), Decimal("0.5")), ("검사 시간", Decimal("1200"), Decimal("300"))]
    assert plans[1].kpis == [] and plans[1].budget == 0


def test_a_kpi_that_is_not_a_number_saves_nothing_and_keeps_everything(client, login, setup):
    user, consortium, call, proposal = setup
    login(user)

    resp = client.post(f"/proposals/{proposal.id}/poc", data={
        "plans-0-tenant_firm": "(주)경남정밀", "plans-0-problem": "설비 고장",
        "plans-0-kpis-0-name": "가동률", "plans-0-kpis-0-baseline": "많이", "plans-0-kpis-0-target": "95.5",
        "plans-0-kpis-1-name": "정밀도", "plans-0-kpis-1-baseline": "0.00001",
    })

    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "숫자로 입력하십시오" in html and "소수점 아래 넷째 자리까지" in html
    assert 'aria-describedby="plans-0-kpis-0-baseline-error' in html
    assert _value(html, "plans-0-kpis-0-baseline") == "많이" and _value(html, "plans-0-kpis-0-target") == "95.5"
    assert _value(html, "plans-0-tenant_firm") == "(주)경남정밀" and _textarea(html, "plans-0-problem") == "설비 고장"
    assert _fresh(proposal.id).poc_plans == []
    assert _audits("proposal.draft_saved") == []


# ----- budget --------------------------------------------------------------------------------

def test_budget_accepts_commas_and_renders_totals_on_the_server(client, login, setup):
    user, consortium, call, proposal = setup
    login(user)
    url = f"/proposals/{proposal.id}/budget"

    resp = client.post(url, data={
        "national-2025": "3,500,000,000", "local-2025": "1400000000", "private_cash-2025": "100,000,000원",
        "national-2026": "3,500,000,000", "private_inkind-2026": "0",
    }, follow_redirects=True)

    html = resp.get_data(as_text=True)
    assert SAVED in html
    saved = _fresh(proposal.id)
    assert drafts.budget_amounts(saved) == {
        (2025, "national"): 3_500_000_000, (2025, "local"): 1_400_000_000, (2025, "private_cash"): 100_000_000,
        (2026, "national"): 3_500_000_000, (2026, "private_inkind"): 0,
    }
    assert "<table data-budget" in html and 'data-source="national"' in html
    assert re.search(r"data-row-total>5,000,000,000<", html)
    assert re.search(r'data-col-total="national">7,000,000,000<', html)
    assert re.search(r"data-grand-total>8,500,000,000<", html)
    assert _value(html, "local-2025") == "1,400,000,000" and _value(html, "local-2026") == ""

    # Emptying a cell removes its line; the hub shows the running totals.
    client.post(url, data={"national-2025": "3,500,000,000", "national-2026": "3,500,000,000"})
    assert drafts.budget_amounts(_fresh(proposal.id)) == {(2025, "national"): 3_500_000_000,
                                                          (2026, "national"): 3_500_000_000}
    hub = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "7,000,000,000" in hub and "70억원" in hub


def test_budget_with_an_unreadable_negative_or_huge_cell_saves_nothing(client, login, setup):
    user, consortium, call, proposal = setup
    drafts.save_budget(proposal, user, {(2025, "national"): 1_000})
    db.session.commit()
    login(user)

    resp = client.post(f"/proposals/{proposal.id}/budget", data={
        "national-2025": "2,000", "local-2025": "이십억", "national-2026": "-1,000",
        "national-2027": str(10**15 + 1), "local-2027": "5,000",
    })

    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "금액은 원 단위 숫자로 입력하십시오" in html and "금액은 0원 이상이어야 합니다." in html
    assert "금액이 너무 큽니다" in html
    assert _value(html, "local-2025") == "이십억" and _value(html, "national-2026") == "-1,000"
    assert _value(html, "national-2027") == str(10**15 + 1) and _value(html, "national-2025") == "2,000"
    assert 'aria-describedby="local-2025-error' in html
    assert drafts.budget_amounts(_fresh(proposal.id)) == {(2025, "national"): 1_000}
    assert db.session.scalar(select(func.count(BudgetLine.id))) == 1


def test_a_budget_of_exactly_the_limit_is_accepted(client, login, setup):
    user, consortium, call, proposal = setup
    login(user)
    resp = client.post(f"/proposals/{proposal.id}/budget", data={"national-2025": str(10**15)})
    assert resp.status_code == 302
    assert drafts.budget_amounts(_fresh(proposal.id)) == {(2025, "national"): 10**15}


# ----- submission checks shown next to their fields ------------------------------------------

def test_check_mode_shows_validation_messages_next_to_their_fields(client, login, setup, monkeypatch):
    from app.proposals import validation

    user, consortium, call, proposal = setup
    drafts.replace_infra_items(proposal, user, [{"type_key": "openlab", "description": "", "budget": 5}])
    db.session.commit()
    report = validation.Report([
        validation.Problem("infra", "items-0-description", "설명을 입력하십시오 (검사)"),
        validation.Problem("infra", "items", "인프라 유형을 더 고르십시오 (검사)"),
        validation.Problem("overview", "title", "다른 항목의 문제"),
    ])
    monkeypatch.setattr(validation, "validate", lambda p: report)
    login(user)

    plain = client.get(f"/proposals/{proposal.id}/infra").get_data(as_text=True)
    checked = client.get(f"/proposals/{proposal.id}/infra?check=1").get_data(as_text=True)

    assert "설명을 입력하십시오 (검사)" not in plain
    assert re.search(r'aria-describedby="items-0-description-error[^"]*"[^>]*name="items-0-description"', checked)
    assert '<p class="error" id="items-0-description-error">설명을 입력하십시오 (검사)</p>' in checked
    assert "인프라 유형을 더 고르십시오 (검사)" in checked and "다른 항목의 문제" not in checked


# ----- the closing instant -------------------------------------------------------------------

def test_a_save_one_second_before_closing_counts_and_one_second_after_changes_nothing(client, login, clock, setup):
    user, consortium, call, proposal = setup
    login(user)
    url = f"/proposals/{proposal.id}/overview"

    clock.move_to(call.closes_at - timedelta(seconds=1))
    assert client.post(url, data={"title": "마감 1초 전"}).status_code == 302
    assert _fresh(proposal.id).title == "마감 1초 전"

    clock.move_to(call.closes_at + timedelta(seconds=1))
    resp = client.post(url, data={"title": "마감 1초 후"}, follow_redirects=True)
    assert "접수가 마감되었습니다" in resp.get_data(as_text=True)
    assert _fresh(proposal.id).title == "마감 1초 전"
    infra = client.post(f"/proposals/{proposal.id}/infra", data={"items-0-type_key": "openlab"})
    assert infra.status_code == 302 and _fresh(proposal.id).infra_items == []
    assert [e.data["section"] for e in _audits("proposal.draft_saved")] == ["overview"]


@pytest.mark.parametrize("section", ["overview", "infra", "poc", "master_plan", "alliance", "aidc", "budget"])
def test_after_closing_every_section_is_read_only(client, login, clock, setup, section):
    user, consortium, call, proposal = setup
    login(user)
    url = f"/proposals/{proposal.id}/{section}"
    open_page = client.get(url).get_data(as_text=True)
    assert "임시 저장" in open_page and "disabled" not in open_page

    clock.move_to(call.closes_at + timedelta(seconds=1))
    html = client.get(url).get_data(as_text=True)

    assert "접수 기간이 아니므로 신청서를 변경할 수 없습니다" in html
    assert 'value="임시 저장"' not in html and "행 추가" not in html
    form = html.split('<form method="post" action="/proposals', 1)[1]
    fields = re.findall(r"<(?:input|select|textarea)\b[^>]*>", form)
    fields = [f for f in fields if 'type="hidden"' not in f]
    assert fields and all("disabled" in f for f in fields)


def test_a_submitted_proposal_stays_editable_until_closing_with_a_resubmit_note(client, login, setup):
    user, consortium, call, proposal = setup
    proposal.status = "submitted"
    proposal.receipt_no = "AX-2025-0001"
    db.session.commit()
    login(user)

    hub = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "AX-2025-0001" in hub and "다시 제출해야" in hub
    assert client.post(f"/proposals/{proposal.id}/aidc", data={"body": "광주 AI 데이터센터"}).status_code == 302
    assert _fresh(proposal.id).text("aidc") == "광주 AI 데이터센터"


# ----- permissions ---------------------------------------------------------------------------

def test_another_consortium_can_neither_read_nor_change_a_proposal(client, login, setup):
    user, consortium, call, proposal = setup
    drafts.save_overview(proposal, user, {"title": "비밀 사업명"})
    other_lead, other = applicant_with_consortium()
    db.session.commit()
    login(other_lead)

    assert client.get(f"/proposals/{proposal.id}").status_code == 404
    for section in sections.editable_keys(call):
        assert client.get(f"/proposals/{proposal.id}/{section}").status_code == 404
    assert client.post(f"/proposals/{proposal.id}/overview", data={"title": "탈취"}).status_code == 404
    assert client.post(f"/proposals/{proposal.id}/budget", data={"national-2025": "1"}).status_code == 404
    assert "비밀 사업명" not in client.get("/my/proposals").get_data(as_text=True)
    assert client.get("/proposals/999999").status_code == 404

    saved = _fresh(proposal.id)
    assert saved.title == "비밀 사업명" and saved.budget_lines == []


def test_member_organisations_read_but_only_the_lead_edits(client, login, setup):
    user, consortium, call, proposal = setup
    member = UserFactory()
    listed = consortia_service.add_member(consortium, user, member.organisation.brn, "tenant_firm")
    consortia_service.answer(listed, member, accept=True)
    drafts.save_overview(proposal, user, {"title": "공동 사업명"})
    db.session.commit()
    login(member)

    hub = client.get(f"/proposals/{proposal.id}")
    page = client.get(f"/proposals/{proposal.id}/overview").get_data(as_text=True)
    assert hub.status_code == 200 and "공동 사업명" in hub.get_data(as_text=True)
    assert "주관기관 소속 신청자만 신청서를 수정할 수 있습니다" in page
    assert re.search(r'<input[^>]*disabled[^>]*name="title"', page) and 'value="임시 저장"' not in page
    assert client.post(f"/proposals/{proposal.id}/overview", data={"title": "변경"}).status_code == 403
    assert _fresh(proposal.id).title == "공동 사업명"
    assert "공동 사업명" in client.get("/my/proposals").get_data(as_text=True)


def test_service_functions_refuse_writes_after_closing(app, clock, setup):
    from app.calls.deadline import ClosedError

    user, consortium, call, proposal = setup
    clock.move_to(call.closes_at)
    with pytest.raises(ClosedError):
        drafts.save_text_section(proposal, user, "master_plan", "늦은 계획")
    with pytest.raises(ClosedError):
        drafts.save_budget(proposal, user, {(2025, "national"): 1})
    assert db.session.scalar(select(func.count(InfraItem.id))) == 0


def test_two_colleagues_starting_at_once_end_up_in_the_same_proposal(app, setup, monkeypatch):
    user, consortium, call, proposal = setup
    real_existing = drafts.existing
    calls = []

    def racing(c, cons):
        # The first look misses the colleague's proposal, as it would when both check at once.
        calls.append(1)
        return None if len(calls) == 1 else real_existing(c, cons)

    monkeypatch.setattr(drafts, "existing", racing)
    with pytest.raises(drafts.AlreadyStarted) as raised:
        drafts.start(call, consortium, user, call.complexes[0].id)

    assert raised.value.proposal.id == proposal.id
    db.session.commit()  # the session is still usable: only the savepoint was rolled back
    assert db.session.scalar(select(func.count(Proposal.id))) == 1


def test_section_forms_carry_the_csrf_token_and_refuse_a_post_without_it(make_app, setup):
    user, consortium, call, proposal = setup
    guarded = make_app(WTF_CSRF_ENABLED=True).test_client()

    def token(html: str) -> str:
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)

    login_page = guarded.get("/login").get_data(as_text=True)
    guarded.post("/login", data={"email": user.email, "password": "Correct-horse-9", "csrf_token": token(login_page)})
    url = f"/proposals/{proposal.id}/infra"

    forged = guarded.post(url, data={"items-0-type_key": "openlab", "items-0-budget": "1"})
    assert forged.status_code in (400, 422) and _fresh(proposal.id).infra_items == []

    page = guarded.get(url).get_data(as_text=True)
    ok = guarded.post(url, data={"items-0-type_key": "openlab", "items-0-budget": "1", "csrf_token": token(page)})
    assert ok.status_code == 302
    assert [i.type_key for i in _fresh(proposal.id).infra_items] == ["openlab"]
