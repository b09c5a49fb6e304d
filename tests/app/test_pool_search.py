"""Searching the pool: each filter, the code tree, availability on a day, pages, and who may search."""
from __future__ import annotations

import re
from datetime import date

import pytest

from app.extensions import db
from app.models.pool import ReviewerRecord
from app.review import pool_search, profiles
from tests.factories import OrganisationFactory, ProposalFactory, UserFactory, closed_call
from tests.support import sign_in


def _person(name, *, codes=(), keywords="", region="경남", org_type="university", available=True,
            unavailable_until=None, record=None, **user):
    u = UserFactory(name=name, roles=("reviewer",), **user)
    p = profiles.profile_of(u, create=True)
    p.region, p.org_type, p.keywords = region, org_type, keywords
    p.available, p.unavailable_until = available, unavailable_until
    profiles.set_codes(p, list(codes))
    if record:
        p.records = [ReviewerRecord(kind="project", title=record, year=2024, organisation_ids=[])]
    db.session.flush()
    return p


@pytest.fixture
def pool(app, expertise_codes):
    people = {
        "김인공": _person("김인공", codes=["0301"], keywords="생성형 AI, 머신비전", region="서울", org_type="ai_supplier"),
        "이기계": _person("이기계", codes=["0104"], keywords="스마트팩토리", region="경남"),
        "박트윈": _person("박트윈", codes=["0306"], keywords="", record="산단 디지털트윈 플랫폼 구축", region="대전",
                        org_type="research_institute"),
        "최휴식": _person("최휴식", codes=["0301"], available=False, unavailable_until=date(2025, 8, 31), region="서울"),
        "정무기한": _person("정무기한", codes=["0301"], available=False, region="서울"),
        "한%퍼센트": _person("한%퍼센트", keywords="100% 재생에너지", region="부산"),
    }
    db.session.commit()
    return people


def _names(**filters) -> list[str]:
    return [p.user.name for p in pool_search.search(pool_search.PoolFilter(**filters)).profiles]


def test_a_code_finds_its_own_and_its_sub_fields_experts(pool):
    assert sorted(_names(code="0301")) == ["김인공", "정무기한", "최휴식"]
    # 03 (정보통신) holds 0301 and 0306.
    assert sorted(_names(code="03")) == ["김인공", "박트윈", "정무기한", "최휴식"]
    assert _names(code="0104") == ["이기계"]


def test_a_keyword_matches_keywords_and_record_titles(pool):
    assert _names(keyword="머신비전") == ["김인공"]
    assert _names(keyword="디지털트윈") == ["박트윈"]
    # LIKE's wildcards are searched for as typed.
    assert _names(keyword="100%") == ["한%퍼센트"]
    assert _names(keyword="%") == ["한%퍼센트"]


def test_region_and_organisation_type(pool):
    assert sorted(_names(region="서울")) == ["김인공", "정무기한", "최휴식"]
    assert _names(org_type="research_institute") == ["박트윈"]
    assert _names(region="서울", org_type="ai_supplier", code="03") == ["김인공"]


def test_availability_on_a_day(pool):
    assert "최휴식" not in _names(available_on=date(2025, 8, 31))
    assert "최휴식" in _names(available_on=date(2025, 9, 1))
    # Unavailable without an end: never, until the reviewer says otherwise.
    assert "정무기한" not in _names(available_on=date(2030, 1, 1))
    assert len(_names()) == 6


def test_pages(app, expertise_codes):
    for i in range(7):
        _person(f"후보{i:02d}", codes=["0104"])
    db.session.commit()
    first = pool_search.search(pool_search.PoolFilter(code="01"), page_size=3)
    last = pool_search.search(pool_search.PoolFilter(code="01", page=9), page_size=3)
    assert (first.total, first.pages, [p.user.name for p in first.profiles]) == (7, 3, ["후보00", "후보01", "후보02"])
    assert (last.page, [p.user.name for p in last.profiles]) == (3, ["후보06"])


def test_the_search_page_keeps_its_filter_in_the_url(app, client, pool):
    officer = UserFactory(roles=("officer",), organisation=OrganisationFactory())
    sign_in(client, officer)
    page = client.get("/officer/pool?code=03&region=%EC%84%9C%EC%9A%B8&available_on=2025-09-01").get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<td>([^<]+)<br>", page)
    assert sorted(rows) == ["김인공", "최휴식"]
    assert '<option selected value="03">' in page or 'value="03" selected' in page
    assert "0301 인공지능" in page
    # A nonsense filter is ignored, not an error.
    assert client.get("/officer/pool?available_on=not-a-day&page=abc&code=zz").status_code == 200


def test_officers_of_any_agency_and_admins_search_others_do_not(app, client, pool):
    for roles, code in ((("officer",), 200), (("admin",), 200), (("applicant",), 403), (("reviewer",), 403),
                        (("finance",), 403)):
        sign_in(client, UserFactory(roles=roles))
        assert client.get("/officer/pool").status_code == code, roles
        client.post("/logout")
    assert client.get("/officer/pool").status_code == 302


def test_the_list_names_the_last_seat_and_shows_no_bank_details(app, client, pool):
    from app.core.clock import kst
    from app.models import ReviewAssignment
    from app.review import bank

    p = pool["김인공"]
    bank.write(p, bank.BankDetails("국민은행", "123-4567-8901", "김인공"), p.user)
    call = closed_call()
    stage = [s for s in call.stages if s.kind != "screening"][0]
    for day in (3, 9):
        proposal = ProposalFactory(submitted=True, call=call)
        db.session.add(ReviewAssignment(call_id=call.id, proposal_id=proposal.id, reviewer_id=p.user_id,
                                        stage_id=stage.id, created_at=kst(2025, 6, day, 10)))
    db.session.commit()
    assert pool_search.last_assigned([p.user_id, pool["이기계"].user_id]) == {p.user_id: kst(2025, 6, 9, 10)}
    sign_in(client, UserFactory(roles=("officer",)))
    page = client.get("/officer/pool?keyword=%EB%A8%B8%EC%8B%A0%EB%B9%84%EC%A0%84").get_data(as_text=True)
    assert "김인공" in page and "8901" not in page and "국민은행" not in page
    assert "2025-06-09 10:00 KST" in page
