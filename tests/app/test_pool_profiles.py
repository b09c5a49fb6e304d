"""The reviewer's own profile: affiliation by 사업자등록번호, codes, records, relatives; audited; bad input changes nothing."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry
from app.models.pool import ExpertiseCode, ReviewerProfile
from app.review import expertise, profiles
from tests.factories import OrganisationFactory, UserFactory, next_brn
from tests.support import sign_in


def _form(**over) -> dict:
    data = {
        "affiliation_brn": "", "affiliation_name": "", "org_type": "other", "region": "", "department": "기계공학과",
        "position": "교수", "codes": ["0104", "0301"], "keywords": "스마트팩토리, 디지털트윈, 스마트팩토리",
        "career_years": "12", "available": "y", "unavailable_until": "",
        "records-0-kind": "project", "records-0-title": "", "records-0-year": "", "records-0-partner_brns": "",
        "records-0-organisations_text": "",
        "relatives-0-name": "", "relatives-0-relation": "", "relatives-0-organisation_brn": "",
    }
    data.update(over)
    return data


def _audits(action="reviewer.profile_updated") -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def test_profile_of_creates_one_from_the_account(app):
    user = UserFactory(roles=("reviewer",), department="산업공학과")
    assert profiles.profile_of(user) is None
    profile = profiles.profile_of(user, create=True)
    assert profile.organisation_id == user.organisation_id and profile.department == "산업공학과"
    assert profile.org_type == user.organisation.type and profile.region == user.organisation.region
    assert profiles.profile_of(user, create=True).id == profile.id


def test_the_reviewer_saves_a_profile_by_registration_numbers(app, client, expertise_codes):
    affiliation = OrganisationFactory(name="부산대학교 산학협력단", type="university", region="부산")
    partner = OrganisationFactory(name="(주)협력기업")
    relative_org = OrganisationFactory(name="(주)친족회사")
    user = UserFactory(roles=("reviewer",))
    sign_in(client, user)
    resp = client.post("/review/profile", data=_form(**{
        "affiliation_brn": affiliation.brn_display, "region": "서울", "org_type": "other",
        "records-0-title": "스마트공장 실증", "records-0-year": "2024",
        "records-0-partner_brns": f"{partner.brn}, {next_brn()}", "records-0-organisations_text": "(주)협력기업, 미등록사",
        "relatives-0-name": "홍형", "relatives-0-relation": "형제", "relatives-0-organisation_brn": relative_org.brn,
    }))
    assert resp.status_code == 303, resp.get_data(as_text=True)[:3000]
    profile = profiles.profile_of(user)
    # The affiliation by identity; its type and region are the organisation's, not what was typed.
    assert profile.organisation_id == affiliation.id and profile.affiliation == "부산대학교 산학협력단"
    assert (profile.org_type, profile.region, profile.affiliation_name) == ("university", "부산", "")
    assert profile.codes == ["0104", "0301"] and profile.keywords == "스마트팩토리, 디지털트윈"
    assert profile.career_years == 12
    [record] = profile.records
    assert record.organisation_ids == [partner.id] and record.year == 2024
    assert record.organisations_text == "(주)협력기업, 미등록사"
    [relative] = profile.relatives
    assert relative.organisation_id == relative_org.id and relative.relation == "형제"
    [entry] = _audits()
    assert entry.data["changes"]["organisation_id"][1] == affiliation.id
    assert entry.data["changes"]["codes"] == [[], ["0104", "0301"]]
    # The page shows the numbers back.
    page = client.get("/review/profile").get_data(as_text=True)
    assert partner.brn_display in page and relative_org.brn_display in page


def test_an_unregistered_affiliation_is_kept_by_name(app, client, expertise_codes):
    user = UserFactory(roles=("reviewer",))
    sign_in(client, user)
    resp = client.post("/review/profile", data=_form(affiliation_brn=next_brn(), affiliation_name="미등록 연구소",
                                                      org_type="research_institute", region="대전"))
    assert resp.status_code == 303
    profile = profiles.profile_of(user)
    assert profile.organisation_id is None and profile.affiliation == "미등록 연구소"
    assert (profile.org_type, profile.region) == ("research_institute", "대전")


def test_a_change_clears_the_matching_terms_and_an_unchanged_save_records_nothing(app, client, expertise_codes):
    user = UserFactory(roles=("reviewer",))
    sign_in(client, user)
    data = _form(affiliation_brn=user.organisation.brn)
    assert client.post("/review/profile", data=data).status_code == 303
    profile = profiles.profile_of(user)
    profile.terms = {"스마트팩토리": 1.0}
    db.session.commit()
    assert client.post("/review/profile", data=data).status_code == 303
    db.session.refresh(profile)
    assert profile.terms == {"스마트팩토리": 1.0} and len(_audits()) == 1
    assert client.post("/review/profile", data={**data, "keywords": "예지보전"}).status_code == 303
    db.session.refresh(profile)
    assert profile.terms is None and profile.terms_at is None
    assert _audits()[-1].data["changes"]["keywords"] == ["스마트팩토리, 디지털트윈", "예지보전"]


def _state(user) -> tuple:
    profile = profiles.profile_of(user)
    return (profiles.snapshot(profile) if profile else None,
            db.session.scalar(select(func.count(AuditEntry.id))))


def test_bad_input_is_refused_beside_each_field_and_changes_nothing(app, client, expertise_codes):
    user = UserFactory(roles=("reviewer",))
    sign_in(client, user)
    assert client.post("/review/profile", data=_form(affiliation_brn=user.organisation.brn)).status_code == 303
    before = _state(user)
    relative_unregistered = next_brn()
    resp = client.post("/review/profile", data=_form(**{
        "affiliation_brn": "123-45-67890", "codes": ["0104", "9999"], "career_years": "99",
        "records-0-title": "공동연구", "records-0-year": "1800", "records-0-partner_brns": "1234567890",
        "relatives-0-name": "홍형", "relatives-0-organisation_brn": relative_unregistered,
    }))
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    for message in ("올바른 사업자등록번호가 아닙니다 (숫자 10자리, 검증번호 확인).", "기술분류 목록에 없는 코드입니다: 9999",
                    "경력은 0~70년 사이의 정수로 입력하십시오.", "연도는 1950~", "올바른 사업자등록번호가 아닙니다: 1234567890",
                    "포털에 등록되지 않은 기관입니다."):
        assert message in page, message
    # What was typed stays on the page.
    assert "공동연구" in page and relative_unregistered in page
    db.session.expire_all()
    assert _state(user) == before


def test_bad_input_on_a_first_save_creates_no_profile(app, client, expertise_codes):
    user = UserFactory(roles=("reviewer",))
    sign_in(client, user)
    resp = client.post("/review/profile", data=_form(affiliation_brn="", affiliation_name="", career_years=""))
    assert resp.status_code == 422
    assert "경력을 년 단위 정수로 입력하십시오." in resp.get_data(as_text=True)
    resp = client.post("/review/profile", data=_form(affiliation_brn="", affiliation_name=""))
    assert resp.status_code == 422
    assert "소속 기관의 사업자등록번호나 기관명을 입력하십시오." in resp.get_data(as_text=True)
    assert profiles.profile_of(user) is None


def test_rows_are_added_deleted_and_blank_ones_ignored_without_javascript(app, client, expertise_codes):
    user = UserFactory(roles=("reviewer",))
    sign_in(client, user)
    data = _form(affiliation_brn=user.organisation.brn, **{"records-0-title": "첫 과제", "records-0-year": "2023"})
    resp = client.post("/review/profile", data={**data, "add_record": "실적 행 추가"})
    # Another empty row; what was typed stays; nothing saved yet.
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert 'name="records-1-title"' in page and "첫 과제" in page
    assert profiles.profile_of(user) is None
    data.update({"records-1-kind": "publication", "records-1-title": "둘째 논문", "records-1-year": "2022",
                 "records-2-title": ""})
    assert client.post("/review/profile", data=data).status_code == 303
    assert [r.title for r in profiles.profile_of(user).records] == ["첫 과제", "둘째 논문"]
    # A ticked row goes; the error of a later row is shown beside that row, counted in page order.
    data.update({"records-0-delete": "y", "records-1-year": "1900"})
    resp = client.post("/review/profile", data=data)
    assert resp.status_code == 422
    assert re.search(r'name="records-1-year"[^>]*>\s*<p class="error">연도는 1950~', resp.get_data(as_text=True))
    data["records-1-year"] = "2022"
    assert client.post("/review/profile", data=data).status_code == 303
    assert [r.title for r in profiles.profile_of(user).records] == ["둘째 논문"]


def test_the_profile_page_is_for_reviewers(app, client, expertise_codes):
    sign_in(client, UserFactory(roles=("applicant",)))
    assert client.get("/review/profile").status_code == 403
    assert client.post("/review/profile", data=_form()).status_code == 403
    client.post("/logout")
    reviewer = UserFactory(roles=("reviewer",))
    sign_in(client, reviewer)
    page = client.get("/review/profile").get_data(as_text=True)
    assert "0301 인공지능" in page and reviewer.organisation.brn_display in page


def test_the_code_list_loads_from_the_configured_file_and_upserts(app, tmp_path):
    result = expertise.load()
    db.session.commit()
    assert result.created > 50 and not result.updated
    tree = expertise.tree()
    assert [n.code.name_ko for n in tree][:3] == ["기계·소재", "전기·전자", "정보통신"]
    assert {n.code.code for n in tree[2].children} >= {"0301", "0306"}
    assert expertise.with_descendants("03") >= {"03", "0301", "0307"}
    again = expertise.load()
    assert (again.created, again.updated) == (0, 0)
    changed = tmp_path / "codes.csv"
    changed.write_text("code,parent_code,level,name_ko,name_en\n03,,1,정보통신·SW,ICT and software\n"
                       "0399,03,2,양자정보,Quantum information\n", encoding="utf-8")
    result = expertise.load(changed)
    assert (result.created, result.updated) == (1, 1)
    assert db.session.get(ExpertiseCode, "03").name_ko == "정보통신·SW"
    assert db.session.get(ExpertiseCode, "0301") is not None  # never deleted


def test_a_broken_code_file_is_refused_whole(app, tmp_path):
    broken = tmp_path / "codes.csv"
    broken.write_text("code,parent_code,level,name_ko,name_en\n01,,1,기계,Machinery\n0101,09,2,설계,Design\n",
                      encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["pool", "load-codes", str(broken)])
    assert result.exit_code != 0 and "3행" in result.output
    assert db.session.scalar(select(func.count()).select_from(ExpertiseCode)) == 0
    result = runner.invoke(args=["pool", "load-codes"])
    assert result.exit_code == 0, result.output
    assert "added" in result.output
    assert db.session.scalar(select(func.count()).select_from(ExpertiseCode)) > 50


def test_the_demo_loads_the_code_list(app):
    from app.demo import demo

    demo.load()
    db.session.commit()
    assert db.session.get(ExpertiseCode, "0104").name_ko == "스마트제조·스마트공장"
    assert db.session.scalar(select(func.count(ReviewerProfile.id))) >= 0
