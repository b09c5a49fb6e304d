"""The pool in a real browser: a reviewer fills in their profile (rows without JavaScript),
an officer filters the pool through the GET form; axe-core finds nothing serious on the three pages."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from app.review import expertise, profiles
from tests.browser.test_accessibility import assert_no_blocking, audit, axe_path  # noqa: F401 - the fixture
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.browser


def _candidate(name: str, code: str, region: str):
    user = UserFactory(name=name, roles=("reviewer",))
    p = profiles.profile_of(user, create=True)
    p.region = region
    profiles.set_codes(p, [code])
    return user


def test_a_reviewer_fills_in_the_profile_and_an_officer_filters_the_pool(open_journey, db_session, axe_path):
    expertise.load()
    affiliation = OrganisationFactory(name="부산대학교 산학협력단", type="university", region="부산")
    reviewer = UserFactory(name="이평가", roles=("reviewer",), organisation=affiliation)
    _candidate("김인공", "0301", "서울")
    _candidate("박기계", "0104", "경남")
    _candidate("최원격", "0306", "대전")
    officer = UserFactory(roles=("officer",))
    db_session.commit()
    findings: list[dict] = []
    checked: list[str] = []

    journey = open_journey("pool-reviewer-profile", bypass_csp=True)
    page = journey.page
    journey.goto("/")
    journey.log_in(reviewer.email)
    page.get_by_role("navigation", name="주 메뉴").get_by_role("link", name="내 평가").click()
    page.get_by_role("link", name="평가위원 정보 (소속·전문 분야·실적·친족·계좌)").click()
    page.locator("summary", has_text="정보통신").click()  # opens the field's <details>
    page.get_by_label("디지털트윈·가상융합").check()
    page.get_by_label("전문 키워드 (쉼표로 구분)").fill("디지털트윈, 예지보전")
    page.get_by_label("경력 (년)").fill("15")
    page.get_by_label("과제명·논문 제목").fill("산단 디지털트윈 실증")
    page.get_by_label("연도").fill("2024")
    page.get_by_role("button", name="실적 행 추가").click()
    page.locator('input[name="records-1-title"]').wait_for()
    page.get_by_label("과제명·논문 제목").nth(1).fill("예지보전 논문")
    page.get_by_label("연도").nth(1).fill("1800")
    journey.watch.expect_console(r"status of 422")
    page.get_by_role("button", name="저장", exact=True).click()
    page.locator(".error-summary").wait_for()
    audit(journey, axe_path, [], findings, checked, current="/review/profile (sent back with errors)")
    journey.step("profile-refused")
    assert profiles.profile_of(reviewer) is None
    page.get_by_label("연도").nth(1).fill("2023")
    page.get_by_role("button", name="저장", exact=True).click()
    page.get_by_text("평가위원 정보를 저장했습니다.").wait_for()
    page.get_by_label("은행", exact=True).fill("국민은행")
    page.get_by_label("계좌번호").fill("123-4567-8901")
    page.get_by_label("예금주").fill("이평가")
    page.get_by_role("button", name="계좌 정보 저장").click()
    page.get_by_text("국민은행 ***-****-8901 (이평가)").wait_for()
    audit(journey, axe_path, ["/review/profile"], findings, checked)
    journey.step("profile-saved")
    db_session.expire_all()
    saved = profiles.profile_of(reviewer)
    assert saved.organisation_id == affiliation.id and saved.codes == ["0306"]
    assert [r.title for r in saved.records] == ["산단 디지털트윈 실증", "예지보전 논문"]

    journey = open_journey("pool-officer-search", bypass_csp=True)
    page = journey.page
    journey.goto("/")
    journey.log_in(officer.email)
    page.get_by_role("navigation", name="주 메뉴").get_by_role("link", name="공모 관리").click()
    page.get_by_role("link", name="평가위원 후보단").click()
    page.get_by_label("기술분류").select_option("03")
    page.get_by_role("button", name="검색").click()
    page.get_by_text("3명", exact=True).wait_for()
    page.get_by_label("키워드").fill("디지털트윈")
    page.get_by_role("button", name="검색").click()
    page.get_by_text("1명", exact=True).wait_for()
    assert parse_qs(urlsplit(page.url).query)["code"] == ["03"]
    rows = page.locator("#pool-results tbody tr")
    assert rows.count() == 1 and "이평가" in rows.first.inner_text()
    audit(journey, axe_path, [], findings, checked, current="/officer/pool (filtered)")
    journey.step("pool-filtered")
    audit(journey, axe_path, ["/officer/pool/import"], findings, checked)

    # Its own report: test_accessibility.py's accessibility.txt is that test's.
    assert_no_blocking("pool", findings, checked)
