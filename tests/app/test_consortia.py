"""Forming a consortium: the lead creates it, adds member organisations by 사업자등록번호, removes them."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Consortium, ConsortiumMember
from app.proposals import consortia as consortia_service
from tests.factories import (
    ConsortiumFactory, OrganisationFactory, UserFactory, applicant_with_consortium, next_brn,
)


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _members(consortium_id: int) -> dict[int, str]:
    db.session.expire_all()
    rows = db.session.scalars(select(ConsortiumMember).where(ConsortiumMember.consortium_id == consortium_id))
    return {m.organisation_id: m.role for m in rows}


def _hyphenated(number: str) -> str:
    return f"{number[:3]}-{number[3:5]}-{number[5:]}"


def test_applicant_creates_a_consortium_led_by_their_own_organisation(client, login):
    user = UserFactory()
    db.session.commit()
    login(user)

    resp = client.post("/my/consortia", data={"name": "창원 AX 실증산단 컨소시엄"})

    assert resp.status_code == 303
    consortium = db.session.scalar(select(Consortium))
    assert resp.headers["Location"].endswith(f"/my/consortia/{consortium.id}")
    assert consortium.name == "창원 AX 실증산단 컨소시엄"
    assert consortium.lead_org_id == user.organisation_id
    assert _members(consortium.id) == {user.organisation_id: "lead"}
    [entry] = _audit("consortium.created")
    assert entry.actor_id == user.id and entry.object_id == consortium.id

    page = client.get("/my/consortia").get_data(as_text=True)
    assert "창원 AX 실증산단 컨소시엄" in page and "주관기관" in page


def test_a_consortium_needs_a_name(client, login):
    login(UserFactory())
    db.session.commit()

    resp = client.post("/my/consortia", data={"name": "  "})

    assert resp.status_code == 422
    assert "컨소시엄 이름을 입력하십시오." in resp.get_data(as_text=True)
    assert db.session.scalar(select(Consortium)) is None


def test_lead_adds_a_member_by_brn_typed_with_hyphens_and_a_korean_role(client, login):
    user, consortium = applicant_with_consortium()
    firm = OrganisationFactory(name="(주)스마트정밀", type="tenant_company")
    db.session.commit()
    login(user)

    resp = client.post(f"/my/consortia/{consortium.id}",
                       data={"action": "add", "brn": _hyphenated(firm.brn), "role": "tenant_firm"})

    assert resp.status_code == 303
    assert _members(consortium.id) == {user.organisation_id: "lead", firm.id: "tenant_firm"}
    [entry] = _audit("consortium.member_added")
    member_id = next(m.id for m in db.session.get(Consortium, consortium.id).members if m.organisation_id == firm.id)
    assert entry.data == {"organisation_id": firm.id, "role": "tenant_firm", "member_id": member_id,
                          "status": "pending"}
    page = client.get(f"/my/consortia/{consortium.id}").get_data(as_text=True)
    assert "(주)스마트정밀" in page and "입주기업" in page and _hyphenated(firm.brn) in page
    # Listed, not yet a member: the lead sees that the organisation has still to accept.
    assert "확인 대기" in page and "참여 확인 대기 중이거나 참여를 거절한 기관이 있습니다" in page


def test_a_wrong_check_digit_is_refused_next_to_the_field(client, login):
    user, consortium = applicant_with_consortium()
    firm = OrganisationFactory()
    db.session.commit()
    login(user)
    wrong = firm.brn[:9] + str((int(firm.brn[9]) + 1) % 10)

    resp = client.post(f"/my/consortia/{consortium.id}", data={"action": "add", "brn": wrong, "role": "university"})

    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "올바른 사업자등록번호가 아닙니다" in html
    assert 'aria-describedby="brn-error' in html and f'value="{wrong}"' in html
    assert _members(consortium.id) == {user.organisation_id: "lead"}
    assert _audit("consortium.member_added") == []


def test_a_valid_number_that_no_organisation_registered_says_so(client, login):
    user, consortium = applicant_with_consortium()
    db.session.commit()
    login(user)
    nobody = next_brn()

    resp = client.post(f"/my/consortia/{consortium.id}", data={"action": "add", "brn": nobody, "role": "university"})

    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert f"사업자등록번호 {_hyphenated(nobody)} 로 등록된 기관이 없습니다" in html
    assert _members(consortium.id) == {user.organisation_id: "lead"}


def test_an_organisation_already_in_the_consortium_is_not_added_twice(client, login):
    user, consortium = applicant_with_consortium()
    firm = OrganisationFactory(name="대학교 산학협력단")
    db.session.commit()
    login(user)
    url = f"/my/consortia/{consortium.id}"
    assert client.post(url, data={"action": "add", "brn": firm.brn, "role": "university"}).status_code == 303

    again = client.post(url, data={"action": "add", "brn": firm.brn, "role": "research_institute"})
    own = client.post(url, data={"action": "add", "brn": user.organisation.brn, "role": "university"})

    assert again.status_code == 422
    assert "대학교 산학협력단은 이미 이 컨소시엄의 참여기관입니다." in again.get_data(as_text=True)
    assert own.status_code == 422 and "이미 이 컨소시엄의 참여기관입니다" in own.get_data(as_text=True)
    assert _members(consortium.id) == {user.organisation_id: "lead", firm.id: "university"}


def test_lead_role_cannot_be_given_to_a_member(client, login):
    user, consortium = applicant_with_consortium()
    firm = OrganisationFactory()
    db.session.commit()
    login(user)

    resp = client.post(f"/my/consortia/{consortium.id}", data={"action": "add", "brn": firm.brn, "role": "lead"})

    assert resp.status_code == 422
    assert _members(consortium.id) == {user.organisation_id: "lead"}


def test_lead_removes_a_member_but_never_the_lead(client, login):
    user, consortium = applicant_with_consortium()
    firm = OrganisationFactory()
    consortia_service.add_member(consortium, user, firm.brn, "ai_supplier")
    db.session.commit()
    member_id = next(m.id for m in consortium.members if m.organisation_id == firm.id)
    lead_id = next(m.id for m in consortium.members if m.role == "lead")
    login(user)
    url = f"/my/consortia/{consortium.id}"

    refused = client.post(url, data={"action": "remove", "member_id": lead_id}, follow_redirects=True)
    assert "주관기관은 컨소시엄에서 뺄 수 없습니다." in refused.get_data(as_text=True)
    assert client.post(url, data={"action": "remove", "member_id": member_id}).status_code == 303

    assert _members(consortium.id) == {user.organisation_id: "lead"}
    [entry] = _audit("consortium.member_removed")
    assert entry.data == {"organisation_id": firm.id, "role": "ai_supplier"}


def test_members_view_read_only_and_outsiders_see_nothing(client, login):
    lead, consortium = applicant_with_consortium()
    member_user = UserFactory()
    listed = consortia_service.add_member(consortium, lead, member_user.organisation.brn, "local_government")
    stranger = UserFactory()
    other_lead, other = applicant_with_consortium()
    db.session.commit()
    url = f"/my/consortia/{consortium.id}"

    # Listed but not yet accepted: nothing of the consortium is theirs to see.
    login(member_user)
    assert client.get(url).status_code == 404
    assert consortium.name not in client.get("/my/consortia").get_data(as_text=True)
    consortia_service.answer(db.session.get(ConsortiumMember, listed.id), member_user, accept=True)
    db.session.commit()

    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "읽기 전용" in html and 'name="brn"' not in html and "지방자치단체" in html
    assert client.post(url, data={"action": "add", "brn": stranger.organisation.brn,
                                  "role": "university"}).status_code == 403
    assert consortium.name in client.get("/my/consortia").get_data(as_text=True)

    login(stranger)
    assert client.get(url).status_code == 404
    assert client.post(url, data={"action": "add", "brn": stranger.organisation.brn,
                                  "role": "university"}).status_code == 404
    assert consortium.name not in client.get("/my/consortia").get_data(as_text=True)

    login(other_lead)
    assert client.get(url).status_code == 404
    assert client.post(url, data={"action": "remove", "member_id": consortium.members[0].id}).status_code == 404
    assert set(_members(consortium.id)) == {lead.organisation_id, member_user.organisation_id}
    assert client.get("/my/consortia/999999").status_code == 404


def test_only_applicants_reach_the_consortium_pages(client, login):
    officer = UserFactory(roles=["officer"])
    consortium = ConsortiumFactory(lead_org=officer.organisation, created_by_id=officer.id)
    db.session.commit()
    login(officer)

    assert client.get("/my/consortia").status_code == 403
    assert client.get(f"/my/consortia/{consortium.id}").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, app):
    resp = client.get("/my/consortia")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_membership_is_frozen_once_a_submitted_proposal_has_closed(client, login, clock):
    from datetime import timedelta

    from tests.factories import CallFactory, ProposalFactory

    user, consortium = applicant_with_consortium()
    firm, university = OrganisationFactory(), OrganisationFactory()
    firm_person = UserFactory(organisation=firm)
    consortia_service.add_member(consortium, user, firm.brn, "tenant_firm")
    call = CallFactory()
    ProposalFactory(call=call, consortium=consortium, status="submitted", receipt_no="AX-2025-0001")
    db.session.commit()
    member_id = next(m.id for m in consortium.members if m.organisation_id == firm.id)
    login(user)
    url = f"/my/consortia/{consortium.id}"
    clock.move_to(call.closes_at + timedelta(seconds=1))

    added = client.post(url, data={"action": "add", "brn": university.brn, "role": "university"},
                        follow_redirects=True)
    removed = client.post(url, data={"action": "remove", "member_id": member_id}, follow_redirects=True)

    assert "접수가 마감되어 컨소시엄 구성을 바꿀 수 없습니다" in added.get_data(as_text=True)
    assert "접수가 마감되어 컨소시엄 구성을 바꿀 수 없습니다" in removed.get_data(as_text=True)
    assert _members(consortium.id) == {user.organisation_id: "lead", firm.id: "tenant_firm"}
    # Nor does a late "yes" make the listed firm a member of what was submitted and reviewed.
    login(firm_person)
    late = client.post(f"/my/consortia/invitations/{member_id}", data={"decision": "accept"}, follow_redirects=True)
    assert "접수가 마감되어 컨소시엄 구성을 바꿀 수 없습니다" in late.get_data(as_text=True)
    assert db.session.get(ConsortiumMember, member_id).confirmed_at is None
