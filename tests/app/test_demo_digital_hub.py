"""The demo's second programme: MSIT's 디지털 혁신거점, a call configured as data beside the AX one."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

import scoring
from app.extensions import db
from app.models import Call, Consortium, Organisation, Programme, Proposal, User
from app.core.clock import kst
from app.calls import call_admin
from app.demo import ax2025, demo, digital_hub
from app.proposals import drafts, sections
from app.proposals import consortia as consortia_service
from app.selection.engine_run import SheetData, build_input
from tests.factories import UserFactory, next_brn
from tests.support import sign_in
from tests.app.test_demo import row_counts


def _hub_call() -> Call:
    return db.session.scalar(select(Call).where(Call.code.startswith("DIH-")))


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _proposal_of(email: str) -> Proposal:
    user = _user(email)
    return db.session.scalar(select(Proposal).join(Consortium).where(
        Proposal.call_id == _hub_call().id, Consortium.lead_org_id == user.organisation_id))


def test_the_demo_loads_both_programmes_and_the_hub_call_is_open_for_drafting(app, clock):
    # The clock fixture stands at 2025-07-01 09:00 KST.
    result = demo.load()
    db.session.commit()
    assert set(db.session.scalars(select(Programme.name))) == {demo.PROGRAMME, digital_hub.PROGRAMME}
    call = result.hub_call
    assert call is _hub_call() and call.code == "DIH-2026" and call.status() == "open"
    assert (call.opens_at, call.closes_at) == (kst(2025, 6, 26, 9), kst(2025, 7, 29, 18))
    assert (call.programme.ministry, call.programme.agency.name, call.programme.ministry_org.name) == (
        "과학기술정보통신부", "정보통신산업진흥원", "과학기술정보통신부")
    assert (call.awards, call.per_award_cap, call.total_cap) == (2, 6_300_000_000, 12_600_000_000)
    assert (call.first_year, call.last_year, call.min_local_ratio) == (2026, 2028, Decimal("0.5"))
    assert call.lead_org_types == ["metropolitan_government"]
    assert (call.site_label_ko, call.site_label_en) == ("조성 입지", "Proposed site")
    assert {"오창 과학산업단지", "경남 디지털 혁신밸리", "대구 수성알파시티"} <= {c.name for c in call.complexes}
    assert len({c.region for c in call.complexes}) == len(call.complexes)  # one site per province
    assert [s.key for s in call.sections] == ["strategy", "facilities", "tasks", "demand", "talent"]
    assert [t.key for t in call.infra_types] == ["anchor", "shared_office", "cloud_gpu", "matching_platform"]
    assert [st.kind for st in call.stages] == ["requirements", "written", "presentation"]
    # Its officer works at its agency, and sees it; the AX officer (another agency) does not.
    hub_officer, ax_officer = _user("hub-officer@demo.gongmo.kr"), _user("officer@demo.gongmo.kr")
    assert call in call_admin.calls_for(hub_officer) and call not in call_admin.calls_for(ax_officer)
    # The two applicants are 광역지자체: the new organisation type.
    leads = {_user(e).organisation.name: _user(e).organisation.type
             for e in ("hub-gyeongnam@demo.gongmo.kr", "hub-chungbuk@demo.gongmo.kr")}
    assert leads == {"경상남도": "metropolitan_government", "충청북도": "metropolitan_government"}


def test_one_draft_is_submitted_and_the_other_half_written(app, clock):
    demo.load()
    db.session.commit()
    chungbuk, gyeongnam = _proposal_of("hub-chungbuk@demo.gongmo.kr"), _proposal_of("hub-gyeongnam@demo.gongmo.kr")
    assert chungbuk.status == "submitted" and chungbuk.receipt_no == "DIH-2026-0001"
    assert chungbuk.complex.name == "오창 과학산업단지"
    assert chungbuk.total_by_source("national") == 6_300_000_000
    assert chungbuk.total_by_source("local") == 3_150_000_000
    assert gyeongnam.status == "draft" and gyeongnam.complex.name == "경남 디지털 혁신밸리"
    assert [i.type_key for i in gyeongnam.infra_items] == ["anchor", "shared_office"] and not gyeongnam.poc_plans


def test_the_hub_call_pages_are_its_own(app, clock, client):
    demo.load()
    db.session.commit()
    call = _hub_call()
    hub_labels = [s["label_ko"] for s in digital_hub.SECTIONS]
    ax_labels = [s["label_ko"] for s in ax2025.SECTIONS]
    assert list(sections.labels(call).values())[1:-2] == hub_labels
    assert sections.site_label(call) == "조성 입지" and sections.site_label(call, "en") == "Proposed site"

    proposal = _proposal_of("hub-gyeongnam@demo.gongmo.kr")
    sign_in(client, _user("hub-gyeongnam@demo.gongmo.kr"))
    pages = {}
    for key in sections.keys(call):
        resp = client.get(f"/proposals/{proposal.id}/{key}")
        assert resp.status_code == 200, (key, resp.status_code)
        pages[key] = resp.get_data(as_text=True)
    for section in call.sections:
        assert section.label_ko in pages[section.key]
    everything = "".join(pages.values()) + client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert all(label in everything for label in hub_labels)
    assert not [label for label in ax_labels + [ax2025.SITE_LABEL[0]] if label in everything]
    assert "조성 입지" in pages["overview"]
    # The infra types offered on the items page are the call's.
    assert "클라우드·GPU 인프라" in pages["facilities"] and "제조 AI 오픈랩" not in pages["facilities"]


def test_the_hub_rubric_is_valid_and_the_engine_scores_the_submitted_proposal(app, clock):
    demo.load()
    db.session.commit()
    call = _hub_call()
    assert call_admin.rubric_problems(call.rubric, call.policy) == []
    assert sum(Decimal(c["max_points"]) for c in call.rubric["criteria"]) == 100
    assert call.policy["budget_cap"] == "12600000000" and call.policy["awards"] == 2

    proposal = _proposal_of("hub-chungbuk@demo.gongmo.kr")
    points = {"growth": "22", "demand": "18", "living": "A", "plan": "13", "commitment": "9"}
    sheets = [SheetData(proposal.id, f"R{n}", points) for n in range(1, 6)]
    out = scoring.evaluate_json(build_input(call, [proposal], sheets))
    [row] = out["results"]
    # 22 + 18 + 0.9 × 20 + 13 + 9 = 80 by the panel; all four infrastructure types with the anchor
    # (5 of 5) and four complete firm-tailored tasks (5 of 5) by rule.
    assert (row["qualitative"], row["automatic"], row["total"]) == ("80.00", "10.00", "90.00")
    assert row["criteria"]["infra_mix"] == "5.00" and row["criteria"]["task_count"] == "5.00"
    assert row["selected"] and out["selected"] == [proposal.receipt_no]


def test_loading_twice_changes_nothing_even_in_a_later_year(app, clock):
    demo.load()
    db.session.commit()
    first = row_counts()
    call = _hub_call()
    dates = (call.code, call.opens_at, call.closes_at, call.first_year)

    clock.shift(timedelta(days=200))  # 2026: a fresh call would be DIH-2027
    again = demo.load()
    db.session.commit()
    assert not again.changed and row_counts() == first
    db.session.refresh(call)
    assert (call.code, call.opens_at, call.closes_at, call.first_year) == dates
    assert db.session.scalar(select(func.count()).select_from(Call).where(Call.code.startswith("DIH-"))) == 1


def test_cli_reports_the_second_programme(app, clock):
    out = app.test_cli_runner().invoke(args=["demo", "load"])
    assert out.exit_code == 0, out.output
    assert "DIH-2026" in out.output and "(open)" in out.output
    assert "hub-officer@demo.gongmo.kr" in out.output and "hub-chungbuk@demo.gongmo.kr" in out.output


def test_only_a_metropolitan_government_may_lead_a_hub_proposal(app, clock, client):
    demo.load()
    db.session.commit()
    call = _hub_call()
    # A 기초 local government (창원시, a member of the 경남 consortium) may not lead one...
    changwon = db.session.scalar(select(Organisation).where(Organisation.name == "창원시"))
    assert changwon.type == "local_government"
    user = UserFactory(organisation=changwon)
    consortium = consortia_service.create(user, "창원시 디지털 혁신거점 컨소시엄")
    with pytest.raises(drafts.DraftInvalid) as refused:
        drafts.start(call, consortium, user, call.complexes[0].id)
    assert "광역지방자치단체" in str(refused.value.errors["consortium_id"])
    db.session.rollback()
    # ...nor the AX demo's applicant (경남테크노파크, a public agency), as the README's walk says.
    applicant = _user("applicant@demo.gongmo.kr")
    ax_consortium = db.session.scalar(select(Consortium).where(Consortium.lead_org_id == applicant.organisation_id))
    sign_in(client, applicant)
    resp = client.post(f"/calls/{call.code}/apply",
                       data={"consortium_id": ax_consortium.id, "complex_id": call.complexes[0].id})
    assert resp.status_code == 422
    assert "광역지방자치단체가 주관기관인 컨소시엄만" in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Proposal).where(Proposal.call_id == call.id)) == 2


# --- the organisation type the call admits -----------------------------------------------------

def test_a_province_registers_as_a_metropolitan_government_and_every_list_names_the_type(app, client):
    from flask_babel import force_locale

    from app.accounts.org_types import label
    from app.market.kickoff import ROLE_OF_TYPE
    from app.review.pool_import import ORG_TYPE_NAMES

    number = next_brn()
    resp = client.post("/register", data={
        "email": "dx@gyeongnam.go.kr", "name": "도담당", "password": "Gyeongnam-Digital-77!",
        "password_confirm": "Gyeongnam-Digital-77!", "brn": number, "org_name": "경상남도",
        "org_type": "metropolitan_government", "region": "경남"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    org = db.session.scalar(select(Organisation).where(Organisation.brn == number))
    assert (org.name, org.type) == ("경상남도", "metropolitan_government")
    assert 'value="metropolitan_government"' in client.get("/register").get_data(as_text=True)
    with app.test_request_context():
        assert label("metropolitan_government") == "광역지방자치단체"
        with force_locale("en"):
            assert label("metropolitan_government") == "Metropolitan or provincial government"
    # Officers write the type in the reviewer pool's sheet; a province's task gets the local-government role.
    assert ORG_TYPE_NAMES["광역지방자치단체"] == "metropolitan_government"
    assert ROLE_OF_TYPE["metropolitan_government"] == "local_government"
