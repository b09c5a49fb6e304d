"""A call's proposal form is its own: pages, their words, what is required, who may lead.

The 2025 call's form (tests/factories.py) is one call's data; here a call with other pages —
a growth strategy, firm-tailored tasks, an optional text, no itemised build-out — is drafted,
checked, submitted and read back, and a call open only to 광역지자체 refuses other leads.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Proposal
from app.proposals import diff, drafts, sections, submission, validation
from tests.app.builders import complete_proposal, set_text
from tests.factories import CallFactory, ConsortiumFactory, OrganisationFactory, UserFactory, applicant_with_consortium

HUB_SECTIONS = [
    {"key": "strategy", "kind": "text", "label_ko": "특화 성장전략 및 거점 브랜드화", "label_en": "Growth strategy",
     "guide_ko": "거점의 성장 잠재력과 브랜드 전략을 적으십시오."},
    {"key": "tasks", "kind": "plans", "label_ko": "기업 밀착형 과제", "label_en": "Firm-tailored tasks"},
    {"key": "talent", "kind": "text", "label_ko": "청년 인재 정주여건", "label_en": "Living conditions",
     "required": False},
]
EVEN = (11_800_000_000, 11_800_000_000)  # the whole table (236억) in the two tasks


@pytest.fixture
def hub_call(app):
    call = CallFactory(setup__sections=HUB_SECTIONS, site_label_ko="조성 입지", site_label_en="Proposed site")
    db.session.commit()
    return call


def _answered(call, **texts):
    proposal = complete_proposal(call, infra=(), poc_budgets=EVEN, texts=[])
    for key, body in texts.items():
        set_text(proposal, key, body)
    db.session.flush()
    return proposal


def test_the_hub_lists_the_calls_own_pages_in_order_with_their_words(client, login, hub_call):
    proposal = _answered(hub_call)
    user = db.session.get(UserFactory._meta.model, proposal.created_by_id)
    db.session.commit()
    login(user)

    html = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)

    order = [html.index(label) for label in ("사업 개요", "특화 성장전략 및 거점 브랜드화", "기업 밀착형 과제",
                                              "청년 인재 정주여건", "사업비", "첨부 서류")]
    assert order == sorted(order)
    assert "조성 입지" in html and "대상 산업단지" not in html
    assert "마스터플랜" not in html  # another call's page
    assert client.get(f"/proposals/{proposal.id}/master_plan").status_code == 404
    assert client.get(f"/proposals/{proposal.id}/infra").status_code == 404
    page = client.get(f"/proposals/{proposal.id}/strategy").get_data(as_text=True)
    assert "특화 성장전략 및 거점 브랜드화" in page and "거점의 성장 잠재력과 브랜드 전략을 적으십시오." in page


def test_a_text_page_saves_its_answer_under_its_key_and_audits_it(client, login, hub_call):
    proposal = _answered(hub_call)
    user = db.session.get(UserFactory._meta.model, proposal.created_by_id)
    db.session.commit()
    login(user)

    resp = client.post(f"/proposals/{proposal.id}/strategy", data={"body": "오창 과학산업단지를 AI 반도체 거점으로"})

    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).text("strategy") == "오창 과학산업단지를 AI 반도체 거점으로"
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "proposal.draft_saved")).all()[-1]
    assert entry.data == {"section": "strategy", "changes": {"strategy": ["", "오창 과학산업단지를 AI 반도체 거점으로"]}}


def test_validation_names_the_calls_pages_and_skips_an_optional_one(app, hub_call):
    proposal = _answered(hub_call, strategy="성장 전략")
    assert validation.validate(proposal).ok  # talent is optional; no itemised page to fill

    set_text(proposal, "strategy", "  ")
    proposal.poc_plans = []
    report = validation.validate(proposal)

    found = {(p.section, p.field): p.message for p in report.problems}
    assert found[("strategy", "body")] == "특화 성장전략 및 거점 브랜드화를 입력하십시오."
    assert found[("tasks", "plans")] == "기업 밀착형 과제 계획을 하나 이상 입력하십시오."
    assert "기업 밀착형 과제의 사업비 합계" in found[("budget", "table")]
    assert all(p.section != "talent" for p in report.problems)


def test_a_service_refuses_rows_for_a_page_the_call_does_not_have(app, hub_call):
    proposal = _answered(hub_call)
    user = db.session.get(UserFactory._meta.model, proposal.created_by_id)
    with pytest.raises(drafts.DraftInvalid) as refused:
        drafts.replace_infra_items(proposal, user, [{"type_key": "openlab", "description": "x", "budget": 1}])
    assert "items" in refused.value.errors
    with pytest.raises(drafts.DraftInvalid):
        drafts.save_text_section(proposal, user, "master_plan", "다른 공모의 항목")
    assert proposal.infra_items == [] and proposal.text("master_plan") == ""


def test_a_version_keeps_the_words_it_was_written_against(client, login, hub_call):
    proposal = _answered(hub_call, strategy="오창 거점 전략", talent="청년 주거 300호")
    user = db.session.get(UserFactory._meta.model, proposal.created_by_id)
    version = submission.submit(proposal, user)
    db.session.commit()
    assert version.snapshot["texts"] == {"strategy": "오창 거점 전략", "talent": "청년 주거 300호"}
    assert [s["key"] for s in version.snapshot["sections"]] == ["strategy", "tasks", "talent"]

    # The officer rewords a page later (say, for the next round): the submitted version does not change.
    hub_call.sections[0].label_ko = "바뀐 이름"
    db.session.commit()
    login(user)
    page = client.get(f"/proposals/{proposal.id}/versions/1").get_data(as_text=True)
    assert "특화 성장전략 및 거점 브랜드화" in page and "오창 거점 전략" in page and "바뀐 이름" not in page
    assert "조성 입지" in page
    pdf = client.get(f"/proposals/{proposal.id}/versions/1/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"

    changed = dict(version.snapshot, texts={"strategy": "오창 거점 전략 (보완)", "talent": "청년 주거 300호"})
    result = diff.compare(version.snapshot, changed)
    assert [t.label for t in result["texts"] if t.changed] == ["특화 성장전략 및 거점 브랜드화"]


def test_a_call_for_metropolitan_governments_refuses_another_lead_at_start_and_at_submission(client, login, app):
    call = CallFactory(lead_org_types=["metropolitan_government"])
    city = OrganisationFactory(name="창원시", type="local_government")
    user = UserFactory(organisation=city)
    consortium = ConsortiumFactory(lead_org=city, created_by_id=user.id)
    db.session.commit()
    login(user)

    resp = client.post(f"/calls/{call.code}/apply",
                       data={"consortium_id": consortium.id, "complex_id": call.complexes[0].id})

    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "이 공모는 광역지방자치단체가 주관기관인 컨소시엄만 신청할 수 있습니다. 주관기관 창원시는 지방자치단체입니다." in html
    assert db.session.scalar(select(Proposal).where(Proposal.call_id == call.id)) is None

    # A province may; if the call's rule changes after it started, submission says why it cannot go in.
    province_user, province = applicant_with_consortium()
    province.lead_org.type = "metropolitan_government"
    proposal = complete_proposal(call, province_user, province)
    assert drafts.validation.lead_refusal(call, province) is None
    call.lead_org_types = ["public_agency"]
    report = validation.validate_for_submission(proposal)
    assert any(p.section == validation.CONSORTIUM and "공공기관이 주관기관인" in p.message for p in report.problems)


def test_the_pages_of_a_call_are_fixed_around_its_own(app, hub_call):
    assert sections.keys(hub_call) == ("overview", "strategy", "tasks", "talent", "budget", "attachments")
    assert sections.editable_keys(hub_call)[-1] == "budget"
    assert sections.site_label(hub_call, "en") == "Proposed site"
