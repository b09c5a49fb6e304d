"""The review pages: who reaches what, the pledge gate, the sheet over HTTP, officer actions."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Challenge, ProposalVersion, ReviewAssignment, ReviewSheet
from app.review import assignment, conflicts, review_sheets
from tests.app.builders import pool_of, submitted_proposal
from tests.factories import OrganisationFactory, ProgrammeFactory, UserFactory, closed_call, officer_for
from tests.support import sign_in

FULL = {"points_infra": "27", "points_poc": "A", "points_plan": "8.5", "points_alliance": "10",
        "comment_infra": "인프라 구성이 구체적임", "overall_opinion": "전반적으로 우수함"}


@pytest.fixture
def world(app):
    call = closed_call()
    officer = officer_for(call)
    p = submitted_proposal(call, title="창원 AX 실증산단")
    other = submitted_proposal(call, title="구미 AX 실증산단")
    r1, r2 = pool_of(call, officer, 2)
    a1 = assignment.assign(call, p, r1.id, officer)
    a2 = assignment.assign(call, p, r2.id, officer)
    b1 = assignment.assign(call, other, r2.id, officer)
    db.session.commit()
    return dict(call=call, officer=officer, p=p, other=other, r1=r1, r2=r2, a1=a1, a2=a2, b1=b1)


def test_pledge_required_before_the_proposal_opens(client, world):
    a1, r1 = world["a1"], world["r1"]
    sign_in(client, r1)
    assert client.get(f"/review/a/{a1.id}/proposal").status_code == 403
    assert client.get(f"/review/a/{a1.id}/sheet").status_code == 403
    page = client.get(f"/review/a/{a1.id}").get_data(as_text=True)
    assert r1.name in page and "서약" in page and "비밀 요약 내용" not in page

    resp = client.post(f"/review/a/{a1.id}/pledge", data={})
    assert resp.status_code == 422 and "동의란" in resp.get_data(as_text=True)
    resp = client.post(f"/review/a/{a1.id}/pledge", data={"confirm": "y"})
    assert resp.status_code == 303

    html = client.get(f"/review/a/{a1.id}/proposal").get_data(as_text=True)
    assert "비밀 요약 내용" in html and "창원 AX 실증산단" in html
    a1 = db.session.get(ReviewAssignment, a1.id)
    assert a1.coi_status == "declared" and r1.name in a1.pledge_text
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "review.coi_declared")).actor_id == r1.id
    # Once pledged, both the reading page and the sheet offer the printable PDF of the same version.
    pdf_path = f"/review/a/{a1.id}/proposal.pdf"
    assert f'href="{pdf_path}"' in html and f'href="{pdf_path}"' in client.get(f"/review/a/{a1.id}/sheet").get_data(as_text=True)
    pdf = client.get(pdf_path)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_reviewer_reaches_only_own_assignments(client, world):
    r1, a2, b1 = world["r1"], world["a2"], world["b1"]
    sign_in(client, r1)
    index = client.get("/review/").get_data(as_text=True)
    assert "창원 AX 실증산단" in index and "구미 AX 실증산단" not in index
    assert world["r2"].name not in index  # other reviewers are never named
    for url in (f"/review/a/{b1.id}", f"/review/a/{b1.id}/proposal", f"/review/a/{a2.id}/sheet",
                f"/review/a/{a2.id}/proposal", "/review/a/99999"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/review/a/{b1.id}/pledge", data={"confirm": "y"}).status_code == 404


def test_reviewer_cannot_see_another_reviewers_sheet(client, world):
    r1, r2, a1, a2 = world["r1"], world["r2"], world["a1"], world["a2"]
    conflicts.declare_no_conflict(a2, r2)
    review_sheets.save_draft(a2, r2, points={"infra": "11"}, comments={"infra": "다른 위원 의견"}, overall_opinion="")
    conflicts.declare_no_conflict(a1, r1)
    db.session.commit()
    sign_in(client, r1)
    mine = client.get(f"/review/a/{a1.id}/sheet").get_data(as_text=True)
    assert "다른 위원 의견" not in mine and r2.name not in mine
    assert client.get(f"/review/a/{a2.id}/sheet").status_code == 404


def test_sheet_draft_submit_lock_over_http(client, world):
    r1, a1 = world["r1"], world["a1"]
    conflicts.declare_no_conflict(a1, r1)
    db.session.commit()
    sign_in(client, r1)
    url = f"/review/a/{a1.id}/sheet"
    page = client.get(url).get_data(as_text=True)
    assert 'name="points_infra"' in page and "S (30점)" in page and "js/review.js" in page

    resp = client.post(url, data={"points_infra": "35", "save": "1"})
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "배점 30점을 넘을 수 없습니다" in html and 'aria-describedby="points_infra-error' in html

    resp = client.post(url, data={"points_infra": "20", "save": "1"})
    assert resp.status_code == 303
    assert db.session.get(ReviewAssignment, a1.id).sheet.points == {"infra": "20"}
    assert "20" in client.get(url).get_data(as_text=True)

    resp = client.post(url, data={"points_infra": "20", "submit_sheet": "1", "confirm_submit": "y"})
    assert resp.status_code == 422 and "종합의견을 입력하십시오" in resp.get_data(as_text=True)

    resp = client.post(url, data={**FULL, "submit_sheet": "1", "confirm_submit": "y"})
    assert resp.status_code == 303
    sheet = db.session.get(ReviewAssignment, a1.id).sheet
    assert sheet.status == "submitted" and sheet.points["poc"] == "A"
    html = client.get(url).get_data(as_text=True)
    assert "68" in html and 'name="points_infra"' not in html  # read-only, with its total

    resp = client.post(url, data={**FULL, "points_infra": "1", "save": "1"})
    assert resp.status_code == 303
    db.session.expire_all()
    assert db.session.get(ReviewSheet, sheet.id).points["infra"] == "27"


def test_officer_reopens_a_sheet_with_reason(client, world):
    r1, a1, officer = world["r1"], world["a1"], world["officer"]
    conflicts.declare_no_conflict(a1, r1)
    review_sheets.submit(a1, r1, points={"infra": "27", "poc": "A", "plan": "8", "alliance": "9"}, comments={},
                         overall_opinion="좋음")
    db.session.commit()
    sign_in(client, officer)
    page = client.get(f"/officer/assignments/{a1.id}/sheet").get_data(as_text=True)
    assert r1.name in page and "평가표 재개" in page
    resp = client.post(f"/officer/assignments/{a1.id}/sheet/reopen", data={"reason": ""})
    assert resp.status_code == 422 and "사유를 입력하십시오" in resp.get_data(as_text=True)
    resp = client.post(f"/officer/assignments/{a1.id}/sheet/reopen", data={"reason": "점수 오기 정정 요청"})
    assert resp.status_code == 303
    sheet = db.session.get(ReviewAssignment, a1.id).sheet
    assert sheet.status == "draft" and sheet.reopen_reason == "점수 오기 정정 요청"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "review.sheet_reopened"))
    assert entry.actor_id == officer.id and entry.data["reason"] == "점수 오기 정정 요청"


def test_officer_of_another_agency_and_applicants_are_refused(client, world):
    call, a1 = world["call"], world["a1"]
    stranger = UserFactory(roles=["officer"], organisation=ProgrammeFactory().agency)
    applicant = UserFactory(organisation=world["p"].consortium.lead_org)
    c = conflicts.file_challenge(world["p"], applicant, target_organisation="x", target_person="", reason="y")
    db.session.commit()
    officer_urls = [f"/officer/calls/{call.id}/reviewers", f"/officer/calls/{call.id}/assignments",
                    f"/officer/calls/{call.id}/challenges", f"/officer/assignments/{a1.id}/sheet"]
    sign_in(client, stranger)
    # Another agency's call, seat and challenge are not theirs to see: 404, as if they did not exist.
    for url in officer_urls:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/officer/calls/{call.id}/assignments/auto", data={}).status_code == 404
    assert client.post(f"/officer/challenges/{c.id}/decide",
                       data={f"c{c.id}-decision": "reject", f"c{c.id}-reason": "x"}).status_code == 404
    assert client.get("/review/").status_code == 403  # a role's page, no object in it
    sign_in(client, applicant)
    for url in officer_urls + ["/review/", f"/review/a/{a1.id}"]:
        assert client.get(url).status_code in (403, 404), url
    admin = UserFactory(roles=["admin"])
    db.session.commit()
    sign_in(client, admin)
    assert client.get(f"/officer/calls/{call.id}/assignments").status_code == 200


def test_officer_pages_show_pool_assignments_and_exclusion_reasons(client, app):
    call = closed_call()
    officer = officer_for(call)
    uni = OrganisationFactory(name="창원대학교", type="university")
    p = submitted_proposal(call, members=[uni], title="창원 AX")
    (insider,) = pool_of(call, officer, 1, organisation=uni)
    pool_of(call, officer, 5)
    db.session.commit()
    sign_in(client, officer)
    assert insider.name in client.get(f"/officer/calls/{call.id}/reviewers").get_data(as_text=True)
    resp = client.post(f"/officer/calls/{call.id}/assignments/auto", data={"distinct_organisations": "y"})
    assert resp.status_code == 303
    html = client.get(f"/officer/calls/{call.id}/assignments").get_data(as_text=True)
    assert "5/5" in html and "제척: 참여기관 창원대학교 소속 (컨소시엄 참여 확인 " in html
    resp = client.post(f"/officer/calls/{call.id}/assignments/manual",
                       data={"proposal_id": p.id, "reviewer_id": insider.id})
    assert resp.status_code == 422 and "제척" in resp.get_data(as_text=True)


def test_officer_invites_a_reviewer_and_the_mail_goes_out(client, world, instance_dir):
    call, officer = world["call"], world["officer"]
    sign_in(client, officer)
    resp = client.post(f"/officer/calls/{call.id}/reviewers/invite",
                       data={"email": "prof.lee@knu.ac.kr", "name": "이교수", "organisation_name": "경북대학교",
                             "department": "전자공학부"})
    assert resp.status_code == 303
    mail = (instance_dir / "mail" / f"reviewer-invited_{call.id}_{_user_id('prof.lee@knu.ac.kr')}.eml")
    text = mail.read_text(encoding="utf-8", errors="replace")
    assert "prof.lee@knu.ac.kr" in text
    resp = client.post(f"/officer/calls/{call.id}/reviewers/invite",
                       data={"email": "bad", "name": "", "organisation_name": ""})
    assert resp.status_code == 422 and "이메일" in resp.get_data(as_text=True)


def _user_id(email):
    from app.models import User

    return db.session.scalar(select(User.id).where(User.email == email))


def test_recusal_over_http_reassigns(client, app):
    call = closed_call()
    call.reviewers_per_proposal = 2
    officer = officer_for(call)
    p = submitted_proposal(call)
    r1, r2, r3 = pool_of(call, officer, 3)
    assignment.auto_assign(call, officer)
    a1 = db.session.scalar(select(ReviewAssignment).where(ReviewAssignment.reviewer_id == r1.id))
    db.session.commit()
    sign_in(client, r1)
    assert client.post(f"/review/a/{a1.id}/recuse", data={"reason": ""}).status_code == 422
    assert client.post(f"/review/a/{a1.id}/recuse", data={"reason": "소속 기관 자문 수행", "confirm": "y"}).status_code == 303
    live = {a.reviewer_id for a in conflicts.live_assignments(p)}
    assert live == {r2.id, r3.id}
    assert client.get(f"/review/a/{a1.id}/proposal").status_code == 403


def test_challenge_filed_by_consortium_and_upheld_by_officer(client, app):
    call = closed_call()
    officer = officer_for(call)
    p = submitted_proposal(call)
    applicant = UserFactory(organisation=p.consortium.lead_org)
    rival = OrganisationFactory(name="라이벌AI(주)", type="ai_supplier")
    (suspect,) = pool_of(call, officer, 1, organisation=rival)
    others = pool_of(call, officer, 5)
    assignment.auto_assign(call, officer)
    db.session.commit()

    sign_in(client, applicant)
    url = f"/proposals/{p.id}/challenges"
    assert client.get(url).status_code == 200
    resp = client.post(url, data={"target_organisation": "", "target_person": "", "reason": "사유"})
    assert resp.status_code == 422 and "소속 기관이나 이름" in resp.get_data(as_text=True)
    assert client.post(url, data={"target_organisation": "라이벌AI", "reason": "경쟁사 소속"}).status_code == 303
    c = db.session.scalar(select(Challenge))
    assert suspect.name not in client.get(url).get_data(as_text=True)  # the panel stays anonymous

    sign_in(client, officer)
    page = client.get(f"/officer/calls/{call.id}/challenges").get_data(as_text=True)
    assert "신청 내용과 일치" in page
    target = next(a for a in conflicts.live_assignments(p) if a.reviewer_id == suspect.id)
    resp = client.post(f"/officer/challenges/{c.id}/decide",
                       data={f"c{c.id}-decision": "uphold", f"c{c.id}-assignment_id": target.id,
                             f"c{c.id}-reason": "경쟁관계 확인"})
    assert resp.status_code == 303
    db.session.expire_all()
    assert db.session.get(Challenge, c.id).status == "upheld"
    live = {a.reviewer_id for a in conflicts.live_assignments(p)}
    assert suspect.id not in live and live == {u.id for u in others}
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "challenge.upheld")).actor_id == officer.id


def test_other_consortium_cannot_challenge(client, world):
    outsider = UserFactory()
    db.session.commit()
    sign_in(client, outsider)
    # 404 like every other page of a proposal: the outsider does not learn it exists.
    assert client.get(f"/proposals/{world['p'].id}/challenges").status_code == 404
    assert client.post(f"/proposals/{world['p'].id}/challenges",
                       data={"target_organisation": "x", "reason": "y"}).status_code == 404


def test_attachment_download_checks_the_assignment(client, world, app):
    r1, r2, a1, b1, p = world["r1"], world["r2"], world["a1"], world["b1"], world["p"]
    content = b"%PDF-1.7 plan"
    sha = hashlib.sha256(content).hexdigest()
    path = Path(app.config["UPLOAD_DIR"]) / sha[:2] / sha[2:4] / sha
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    version = db.session.scalar(select(ProposalVersion).where(ProposalVersion.proposal_id == p.id))
    version.snapshot = {**version.snapshot, "attachments": [
        {"id": 1, "kind": "plan", "kind_label_ko": "사업계획서", "kind_label_en": "Plan", "filename": "사업계획서.pdf",
         "size": len(content), "sha256": sha, "detected_type": "pdf"}]}
    conflicts.declare_no_conflict(a1, r1)
    db.session.commit()
    sign_in(client, r1)
    html = client.get(f"/review/a/{a1.id}/proposal").get_data(as_text=True)
    assert f"/review/a/{a1.id}/files/{sha}" in html
    resp = client.get(f"/review/a/{a1.id}/files/{sha}")
    assert resp.status_code == 200 and resp.data == content
    # A consortium's document: downloaded, never inline, and kept out of shared caches.
    assert resp.headers["Content-Disposition"].startswith("attachment;")
    assert "no-store" in resp.headers["Cache-Control"]
    assert client.get(f"/review/a/{a1.id}/files/{'0' * 64}").status_code == 404
    sign_in(client, r2)  # assigned to the proposal but no pledge yet
    assert client.get(f"/review/a/{world['a2'].id}/files/{sha}").status_code == 403
    assert client.get(f"/review/a/{a1.id}/files/{sha}").status_code == 404
    assert client.get(f"/review/a/{b1.id}/files/{sha}").status_code == 403


def test_submitting_a_sheet_or_recusing_needs_the_reviewers_confirmation(app, client):
    """Both cannot be undone by the reviewer: without the box ticked nothing happens."""
    call = closed_call()
    call.reviewers_per_proposal = 2
    officer = officer_for(call)
    submitted_proposal(call)
    r1, r2 = pool_of(call, officer, 2)
    assignment.auto_assign(call, officer)
    a1, a2 = (db.session.scalar(select(ReviewAssignment).where(ReviewAssignment.reviewer_id == r.id)) for r in (r1, r2))
    conflicts.declare_no_conflict(a1, r1)
    db.session.commit()
    sign_in(client, r1)

    page = client.post(f"/review/a/{a1.id}/sheet", data={**FULL, "submit_sheet": "1"})
    assert page.status_code == 422 and "제출하려면 확인란에 표시하십시오." in page.get_data(as_text=True)
    assert db.session.get(ReviewAssignment, a1.id).sheet is None
    assert client.post(f"/review/a/{a1.id}/sheet", data={**FULL, "save": "1"}).status_code == 303  # a draft needs none
    db.session.expire_all()
    assert db.session.get(ReviewAssignment, a1.id).sheet.status == "draft"

    sign_in(client, r2)
    page = client.post(f"/review/a/{a2.id}/recuse", data={"reason": "소속 기관 자문 수행"})
    assert page.status_code == 422 and "회피하려면 확인란에 표시하십시오." in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ReviewAssignment, a2.id).coi_status == "pending"
