"""Submitting, receipts, versions, withdrawal and resubmission, through the pages."""
from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, Call, ConsortiumMember, Notification, OutboxMessage, Proposal, ProposalVersion, User
from app.proposals import submission
from app.core.clock import now
from tests.app.builders import complete_proposal
from tests.factories import CallFactory, OrganisationFactory, UserFactory, applicant_with_consortium
from tests.support import mails, sign_in

pytestmark = pytest.mark.usefixtures("isolated_dirs")


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def team(app):
    """A lead applicant, a colleague in the lead organisation, a member organisation's applicant."""
    lead, consortium = applicant_with_consortium()
    colleague = UserFactory(organisation=lead.organisation)
    member_org = OrganisationFactory(type="local_government")
    consortium.members.append(ConsortiumMember(organisation=member_org, role="local_government", confirmed_at=now()))
    member = UserFactory(organisation=member_org)
    db.session.flush()
    return lead, colleague, member, consortium


def post_submit(client, proposal, **headers):
    return client.post(f"/proposals/{proposal.id}/submit", data={"confirm": "y"}, headers=headers)


def test_submit_page_lists_every_problem_by_section_with_links(client, team):
    lead, _, _, consortium = team
    p = complete_proposal(user=lead, consortium=consortium)
    p.title = ""
    p.poc_plans[0].kpis[0].target = None
    db.session.flush()
    html = sign_in(client, lead).get(f"/proposals/{p.id}/submit").get_data(as_text=True)
    assert "사업명을 입력하십시오." in html and "목표값을 입력하십시오." in html
    assert html.index("사업 개요") < html.index("사업명을 입력하십시오.") < html.index("목표값을 입력하십시오.")
    assert f"/proposals/{p.id}/overview?check=1#title" in html
    assert "제출하기" not in html  # nothing to confirm while problems remain
    assert "140억원" in html  # the budget summary


def test_submission_issues_a_receipt_freezes_a_version_and_tells_the_lead_organisation(client, team, clock, app):
    lead, colleague, member, consortium = team
    p = complete_proposal(user=lead, consortium=consortium)
    db.session.commit()

    resp = post_submit(sign_in(client, lead), p)
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/proposals/{p.id}/receipt")

    p = db.session.get(Proposal, p.id)
    call = p.call
    assert p.status == "submitted" and p.receipt_no == f"{call.code}-0001"
    assert p.submitted_at == now()
    assert call.next_receipt_seq == 2
    [version] = p.versions
    snap = version.snapshot
    assert (version.number, version.receipt_no, version.submitted_by_id) == (1, p.receipt_no, lead.id)
    assert snap["call"]["code"] == call.code and snap["complex"]["name"] == "창원"
    assert snap["overview"]["title"] == p.title and snap["texts"]["master_plan"] == p.text("master_plan")
    assert [i["type_key"] for i in snap["infra_items"]] == ["openlab", "lead_factory"]
    assert snap["poc_plans"][0]["kpis"][0] == {"name": "불량률", "unit": "%", "baseline": "3.5", "target": "1.2"}
    assert snap["budget"]["totals"]["national"] == 14_000_000_000 and snap["budget"]["totals"]["total"] == 23_600_000_000
    assert {a["sha256"] for a in snap["attachments"]} == {a.sha256 for a in p.attachments}
    assert [a["size"] for a in snap["attachments"]] == [a.size for a in p.attachments]
    assert {m["role"] for m in snap["consortium"]["members"]} == {"lead", "local_government"}
    assert snap["validated_at"] == now().isoformat()  # the clock is frozen

    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == p.id,
                                                                  AuditEntry.object_type == "proposal")).all()
    assert "proposal.submitted" in actions

    delivered = mails(app)
    keys = {f"proposal_submitted:{p.id}:v1:u{u.id}" for u in (lead, colleague)}
    assert set(delivered) == keys  # the member organisation's applicant is not the lead's contact
    mail = delivered[f"proposal_submitted:{p.id}:v1:u{lead.id}"]
    assert p.receipt_no in mail["Subject"]
    assert mail["To"] == lead.email
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert p.receipt_no in body and "140억원" in body and "236억원" in body
    notices = db.session.scalars(select(Notification).where(Notification.user_id == colleague.id)).all()
    assert [n.kind for n in notices] == ["proposal_submitted"] and p.receipt_no in notices[0].text_in("ko")


def test_receipt_page_is_printable_and_complete(client, team, clock):
    lead, _, member, consortium = team
    p = complete_proposal(user=lead, consortium=consortium)
    post_submit(sign_in(client, lead), p)
    p = db.session.get(Proposal, p.id)

    html = sign_in(client, member).get(f"/proposals/{p.id}/receipt").get_data(as_text=True)
    for text in (p.receipt_no, p.call.title, consortium.name, "창원", p.title, "2025-07-01 09:00:00 KST",
                 "제1판", "140억원", "236억원", p.attachments[0].sha256, p.attachments[0].filename):
        assert text in html, text


def test_receipt_numbers_are_sequential_per_call(client, app):
    call, other_call = CallFactory(), CallFactory()
    numbers = []
    for c in (call, call, other_call, call):
        lead, consortium = applicant_with_consortium()
        p = complete_proposal(call=c, user=lead, consortium=consortium)
        assert post_submit(sign_in(client, lead), p).status_code == 303
        numbers.append(db.session.get(Proposal, p.id).receipt_no)
    assert numbers == [f"{call.code}-0001", f"{call.code}-0002", f"{other_call.code}-0001", f"{call.code}-0003"]
    assert db.session.get(Call, call.id).next_receipt_seq == 4


def test_resubmission_makes_a_new_version_with_the_same_receipt(client, team, app):
    lead, _, _, consortium = team
    p = complete_proposal(user=lead, consortium=consortium)
    sign_in(client, lead)
    post_submit(client, p)
    first = dict(db.session.get(Proposal, p.id).versions[0].snapshot)

    p = db.session.get(Proposal, p.id)
    p.title = "고친 사업명"
    db.session.commit()
    assert post_submit(client, p).status_code == 303

    p = db.session.get(Proposal, p.id)
    v1, v2 = p.versions
    assert (v1.number, v2.number) == (1, 2)
    assert v1.receipt_no == v2.receipt_no == p.receipt_no == f"{p.call.code}-0001"
    assert v1.snapshot == first and v1.snapshot["overview"]["title"] != "고친 사업명"
    assert v2.snapshot["overview"]["title"] == "고친 사업명"
    assert p.call.next_receipt_seq == 2

    old = client.get(f"/proposals/{p.id}/versions/1")
    assert old.status_code == 200 and first["overview"]["title"] in old.get_data(as_text=True)
    listing = client.get(f"/proposals/{p.id}/versions").get_data(as_text=True)
    assert "제1판" in listing and "제2판" in listing
    assert client.get(f"/proposals/{p.id}/versions/3").status_code == 404
    assert f"proposal_resubmitted:{p.id}:v2:u{lead.id}" in mails(app)


def test_withdraw_keeps_versions_readable_and_allows_resubmission(client, team, app):
    lead, _, member, consortium = team
    p = complete_proposal(user=lead, consortium=consortium)
    sign_in(client, lead)
    post_submit(client, p)

    resp = client.post(f"/proposals/{p.id}/withdraw")
    assert resp.status_code == 303
    p = db.session.get(Proposal, p.id)
    assert p.status == "withdrawn" and p.receipt_no
    assert db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(1)) == "proposal.withdrawn"
    withdrawn = mails(app)[f"proposal_withdrawn:{p.id}:v1:u{lead.id}"]
    assert p.receipt_no in withdrawn["Subject"]

    assert client.get(f"/proposals/{p.id}/versions/1").status_code == 200
    assert "철회되었습니다" in client.get(f"/proposals/{p.id}/receipt").get_data(as_text=True)

    assert post_submit(client, p).status_code == 303
    p = db.session.get(Proposal, p.id)
    assert p.status == "submitted" and [v.number for v in p.versions] == [1, 2]
    assert p.receipt_no == p.versions[0].receipt_no


def test_a_draft_cannot_be_withdrawn(client, team):
    lead, _, _, consortium = team
    p = complete_proposal(user=lead, consortium=consortium)
    db.session.commit()
    resp = sign_in(client, lead).post(f"/proposals/{p.id}/withdraw", follow_redirects=True)
    assert "제출된 신청서만 철회할 수 있습니다" in resp.get_data(as_text=True)
    assert db.session.get(Proposal, p.id).status == "draft"


def test_failed_validation_changes_nothing_and_sends_nothing(client, team, app):
    lead, _, _, consortium = team
    p = complete_proposal(user=lead, consortium=consortium)
    p.infra_items[0].budget += 1
    db.session.commit()
    before = (count(AuditEntry), count(OutboxMessage), count(Notification))

    resp = post_submit(sign_in(client, lead), p)
    assert resp.status_code == 422
    assert "23,600,000,001원" in resp.get_data(as_text=True)

    p = db.session.get(Proposal, p.id)
    assert (p.status, p.receipt_no, p.submitted_at, p.versions) == ("draft", None, None, [])
    assert p.call.next_receipt_seq == 1
    assert (count(AuditEntry), count(OutboxMessage), count(Notification)) == before
    assert mails(app) == {}


def test_submission_needs_the_confirmation(client, team):
    lead, _, _, consortium = team
    p = complete_proposal(user=lead, consortium=consortium)
    db.session.commit()
    resp = sign_in(client, lead).post(f"/proposals/{p.id}/submit", data={})
    assert resp.status_code == 422 and "확인란에 표시하십시오" in resp.get_data(as_text=True)
    assert db.session.get(Proposal, p.id).status == "draft"


def test_who_may_submit_and_who_may_read(client, team):
    lead, _, member, consortium = team
    p = complete_proposal(user=lead, consortium=consortium)
    outsider, _ = applicant_with_consortium()
    officer = UserFactory(roles=["officer"], organisation=p.call.programme.agency)
    post_submit(sign_in(client, lead), p)

    sign_in(client, member)  # a member organisation reads but does not act for the consortium
    assert client.get(f"/proposals/{p.id}/submit").status_code == 403
    assert client.post(f"/proposals/{p.id}/withdraw").status_code == 403
    assert client.get(f"/proposals/{p.id}/receipt").status_code == 200

    sign_in(client, outsider)  # another consortium does not learn that the proposal exists
    for path in ("submit", "receipt", "versions", "versions/1"):
        assert client.get(f"/proposals/{p.id}/{path}").status_code == 404, path
    assert post_submit(client, p).status_code == 404

    sign_in(client, officer)
    assert client.get(f"/proposals/{p.id}/versions/1").status_code == 200
    assert db.session.get(Proposal, p.id).status == "submitted"


def test_receipt_before_any_submission_is_not_found(client, team):
    lead, _, _, consortium = team
    p = complete_proposal(user=lead, consortium=consortium, with_files=False)
    assert sign_in(client, lead).get(f"/proposals/{p.id}/receipt").status_code == 404


@pytest.mark.pg_only
def test_concurrent_submissions_get_distinct_receipt_numbers(app, db_backend):
    if db_backend != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; SQLite serialises every writer")
    call = CallFactory()
    ids = []
    for _ in range(2):
        lead, consortium = applicant_with_consortium()
        ids.append((complete_proposal(call=call, user=lead, consortium=consortium).id, lead.id))
    db.session.commit()
    start = threading.Barrier(len(ids))

    def run(proposal_id: int, user_id: int) -> str:
        with app.app_context():
            proposal = db.session.get(Proposal, proposal_id)
            user = db.session.get(User, user_id)
            proposal.call, proposal.attachments, proposal.poc_plans  # load before the race starts
            start.wait()
            version = submission.submit(proposal, user)
            db.session.commit()
            return version.receipt_no

    with ThreadPoolExecutor(len(ids)) as pool:
        numbers = sorted(pool.map(lambda args: run(*args), ids))
    assert numbers == [f"{call.code}-0001", f"{call.code}-0002"]
    db.session.expire_all()
    assert db.session.get(Call, call.id).next_receipt_seq == 3
    assert count(ProposalVersion) == 2


def test_version_page_shows_applicant_text_as_text(client, team):
    lead, _, _, consortium = team
    p = complete_proposal(user=lead, consortium=consortium)
    p.summary = "<script>alert(1)</script>\n둘째 줄"
    post_submit(sign_in(client, lead), p)
    html = client.get(f"/proposals/{p.id}/versions/1").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>\n둘째 줄" in html and "<script>alert" not in html


def test_submission_and_withdrawal_need_the_csrf_token(make_app, team, app):
    lead, _, _, consortium = team
    p = complete_proposal(user=lead, consortium=consortium)
    db.session.commit()
    strict = make_app(WTF_CSRF_ENABLED=True, MAIL_DIR=app.config["MAIL_DIR"], UPLOAD_DIR=app.config["UPLOAD_DIR"])
    c = strict.test_client()
    sign_in(c, lead)
    assert c.post(f"/proposals/{p.id}/submit", data={"confirm": "y"}).status_code == 400
    assert c.post(f"/proposals/{p.id}/withdraw").status_code == 400
    db.session.expire_all()
    assert db.session.get(Proposal, p.id).status == "draft"

    page = c.get(f"/proposals/{p.id}/submit").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert c.post(f"/proposals/{p.id}/submit", data={"confirm": "y", "csrf_token": token}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Proposal, p.id).status == "submitted"


def test_submission_freezes_what_a_colleague_saved_a_moment_before(app, isolated_dirs):
    """The proposal is read again under its lock: a save committed meanwhile is in the version."""
    from sqlalchemy.orm import Session

    proposal = complete_proposal()
    applicant = proposal.consortium.lead_org.users[0]
    db.session.commit()
    assert proposal.text("master_plan")  # loaded now, before the colleague's save
    with Session(db.engine) as colleague:
        row = next(t for t in colleague.get(Proposal, proposal.id).texts if t.section_key == "master_plan")
        row.body = "동료가 방금 고친 마스터플랜"
        colleague.commit()
    version = submission.submit(proposal, applicant)
    db.session.commit()
    assert version.snapshot["texts"]["master_plan"] == "동료가 방금 고친 마스터플랜"
