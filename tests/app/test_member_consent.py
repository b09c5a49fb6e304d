"""A consortium member counts only once the organisation itself has accepted (issue 9, item 4).

A business registration number is public: listing an organisation is the lead's doing,
taking part is the member's. Until a confirmed person of the listed organisation accepts,
the member gives no access, excludes no reviewer and blocks submission.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, ConsortiumMember, Notification, OutboxMessage, ProposalVersion
from app.proposals import consortia as consortia_service
from app.notifications import mailer
from app.proposals import submission, validation
from tests.app.builders import complete_proposal
from tests.app.test_migrations import empty_database_url  # noqa: F401 - a fixture
from tests.factories import OrganisationFactory, UserFactory, applicant_with_consortium
from tests.support import sign_in

pytestmark = pytest.mark.usefixtures("isolated_dirs")


def _member(member_id: int) -> ConsortiumMember:
    db.session.expire_all()
    return db.session.get(ConsortiumMember, member_id)


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


@pytest.fixture
def invited(app):
    """The lead of a consortium has listed 창원시; 창원시 has one confirmed person and one waiting."""
    lead, consortium = applicant_with_consortium()
    city = OrganisationFactory(name="창원시", type="local_government")
    clerk = UserFactory(organisation=city, name="박주무관", email="park@changwon.go.kr")
    joiner = UserFactory(organisation=city, email="joiner@changwon.go.kr")
    joiner.organisation_confirmed_at = None  # after the insert: a None given to the factory means "the default"
    db.session.flush()
    member = consortia_service.add_member(consortium, lead, city.brn, "local_government")
    db.session.commit()
    return lead, consortium, city, clerk, joiner, member


def test_listing_an_organisation_invites_it_and_tells_its_confirmed_people(invited, app):
    lead, consortium, city, clerk, joiner, member = invited

    assert member.status == "pending" and member.confirmed_at is None
    assert consortium.confirmed_org_ids() == {lead.organisation_id}
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "consortium_invited")).all()
    assert [m.user_id for m in messages] == [clerk.id]  # the unconfirmed joiner speaks for nobody
    [notice] = db.session.scalars(select(Notification).where(Notification.kind == "consortium_invited")).all()
    assert notice.user_id == clerk.id and consortium.name in notice.text_in("ko") and notice.url == "/my/consortia/invitations"
    mail = mailer.build(messages[0])
    body = mail.get_body(("plain",)).get_content()
    assert consortium.name in mail["Subject"] and lead.organisation.name in body and "지방자치단체" in body
    assert "/my/consortia/invitations" in body
    [entry] = _audit("consortium.member_added")
    assert entry.data["status"] == "pending"


def test_a_confirmed_person_of_the_organisation_accepts_in_the_portal(invited, client):
    lead, consortium, city, clerk, joiner, member = invited
    sign_in(client, clerk)

    page = client.get("/my/consortia/invitations").get_data(as_text=True)
    assert consortium.name in page and lead.organisation.name in page and "확인 대기" in page
    assert "응답을 기다립니다" in client.get("/my/consortia").get_data(as_text=True)
    assert client.get(f"/my/consortia/{consortium.id}").status_code == 404

    resp = client.post(f"/my/consortia/invitations/{member.id}", data={"decision": "accept"})

    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/my/consortia/{consortium.id}")
    row = _member(member.id)
    assert row.status == "confirmed" and row.confirmed_at is not None and row.confirmed_by_id == clerk.id
    [entry] = _audit("consortium.member_confirmed")
    assert entry.actor_id == clerk.id and entry.data["organisation_id"] == city.id
    assert client.get(f"/my/consortia/{consortium.id}").status_code == 200
    told = db.session.scalars(select(Notification).where(Notification.kind == "consortium_member_confirmed")).all()
    assert [n.user_id for n in told] == [lead.id] and "창원시" in told[0].text_in("ko")
    # The lead sees the answer next to the member.
    sign_in(client, lead)
    assert "참여 확인" in client.get(f"/my/consortia/{consortium.id}").get_data(as_text=True)


def test_declining_keeps_the_organisation_out_until_the_lead_lists_it_again(invited, client):
    lead, consortium, city, clerk, joiner, member = invited
    sign_in(client, clerk)

    resp = client.post(f"/my/consortia/invitations/{member.id}", data={"decision": "decline"})

    assert resp.status_code == 303
    row = _member(member.id)
    assert row.status == "declined" and row.declined_by_id == clerk.id and row.confirmed_at is None
    assert _audit("consortium.member_declined")
    assert client.get(f"/my/consortia/{consortium.id}").status_code == 404
    again = client.post(f"/my/consortia/invitations/{member.id}", data={"decision": "accept"}, follow_redirects=True)
    assert "이미 응답한 참여 요청입니다." in again.get_data(as_text=True)
    assert _member(member.id).status == "declined"

    sign_in(client, lead)
    url = f"/my/consortia/{consortium.id}"
    assert "참여 거절" in client.get(url).get_data(as_text=True)
    relisted = client.post(url, data={"action": "add", "brn": city.brn, "role": "local_government"})
    assert relisted.status_code == 422 and "참여를 거절했습니다" in relisted.get_data(as_text=True)


def test_only_a_confirmed_person_of_the_listed_organisation_answers(invited, client):
    lead, consortium, city, clerk, joiner, member = invited
    stranger = UserFactory()
    officer = UserFactory(roles=["officer"], organisation=city)  # no applicant role: not the consortium pages
    url = f"/my/consortia/invitations/{member.id}"

    for who in (lead, joiner, stranger, officer):
        sign_in(client, who)
        assert client.post(url, data={"decision": "accept"}).status_code in (403, 404), who.email
    sign_in(client, clerk)
    assert client.post(url, data={"decision": "maybe"}).status_code == 400
    assert client.post("/my/consortia/invitations/999999", data={"decision": "accept"}).status_code == 404

    assert _member(member.id).status == "pending"
    assert _audit("consortium.member_confirmed") == [] and _audit("consortium.member_declined") == []
    with pytest.raises(consortia_service.ConsortiumError):
        consortia_service.answer(_member(member.id), lead, accept=True)  # the service holds the rule too


def test_a_pending_member_sees_none_of_the_consortiums_proposals(invited, client):
    lead, consortium, city, clerk, joiner, member = invited
    proposal = complete_proposal(user=lead, consortium=consortium)
    db.session.commit()
    sign_in(client, clerk)

    assert client.get(f"/proposals/{proposal.id}").status_code == 404
    assert proposal.title not in client.get("/my/proposals").get_data(as_text=True)

    consortia_service.answer(_member(member.id), clerk, accept=True)
    db.session.commit()
    assert client.get(f"/proposals/{proposal.id}").status_code == 200


def test_a_proposal_with_a_pending_member_cannot_be_submitted(invited, client):
    lead, consortium, city, clerk, joiner, member = invited
    proposal = complete_proposal(user=lead, consortium=consortium)
    db.session.commit()
    sign_in(client, lead)

    page = client.get(f"/proposals/{proposal.id}/submit").get_data(as_text=True)
    assert "참여기관 창원시가 아직 컨소시엄 참여를 확인하지 않았습니다." in page
    assert f'href="/my/consortia/{consortium.id}"' in page  # fixed on the consortium's page
    resp = client.post(f"/proposals/{proposal.id}/submit", data={"confirm": "y"})

    assert resp.status_code == 422
    assert "참여기관 창원시가 아직 컨소시엄 참여를 확인하지 않았습니다." in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ProposalVersion.id))) == 0
    assert db.session.get(type(proposal), proposal.id).receipt_no is None

    consortia_service.answer(_member(member.id), clerk, accept=True)
    db.session.commit()
    assert client.post(f"/proposals/{proposal.id}/submit", data={"confirm": "y"}).status_code == 303


def test_a_declined_member_blocks_submission_until_the_lead_removes_it(invited):
    lead, consortium, city, clerk, joiner, member = invited
    proposal = complete_proposal(user=lead, consortium=consortium)
    consortia_service.answer(member, clerk, accept=False)
    db.session.commit()

    with pytest.raises(submission.SubmissionRefused) as refused:
        submission.submit(proposal, lead)
    [problem] = refused.value.report.problems
    assert problem.section == validation.CONSORTIUM and "창원시" in problem.message and "거절" in problem.message

    db.session.rollback()
    consortia_service.remove_member(consortium, lead, member.id)
    assert submission.submit(proposal, lead).number == 1


def test_the_lead_and_members_listed_before_consent_existed_count_as_confirmed(make_app, empty_database_url):
    """The migration: rows from before are confirmed since their consortium was formed."""
    from flask_migrate import downgrade, upgrade

    application = make_app(SQLALCHEMY_DATABASE_URI=empty_database_url)
    with application.app_context():
        upgrade(revision="04564ce879a4")
        formed = "2025-03-02 01:00:00"
        with db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO organisations (id, name, type, region, brn, created_at) VALUES "
                "(1, '경남테크노파크', 'public_agency', '경남', '6178100019', :t), "
                "(2, '창원시', 'local_government', '경남', '6098300012', :t)"), {"t": formed})
            conn.execute(sa.text(
                "INSERT INTO users (id, email, name, password_hash, organisation_id, department, locale, active, "
                "failed_logins, password_changed_at, organisation_confirmed_at, created_at) VALUES "
                "(1, 'lead@tp.kr', '김신청', 'x', 1, '', 'ko', :yes, 0, :t, :t, :t)"), {"t": formed, "yes": True})
            conn.execute(sa.text("INSERT INTO consortia (id, name, lead_org_id, created_by_id, created_at) "
                                 "VALUES (1, '창원 컨소시엄', 1, 1, :t)"), {"t": formed})
            conn.execute(sa.text("INSERT INTO consortium_members (id, consortium_id, organisation_id, role) VALUES "
                                 "(1, 1, 1, 'lead'), (2, 1, 2, 'local_government')"))
        upgrade()
        with db.engine.connect() as conn:
            since = conn.execute(sa.text("SELECT created_at FROM consortia WHERE id = 1")).scalar()
            rows = conn.execute(sa.text(
                "SELECT id, created_at, confirmed_at, confirmed_by_id, declined_at FROM consortium_members "
                "ORDER BY id")).all()
        assert since is not None
        assert [tuple(r) for r in rows] == [(1, since, since, None, None), (2, since, since, None, None)]
        downgrade(revision="04564ce879a4")
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM consortium_members")).scalar() == 2
        downgrade(revision="base")
        db.engine.dispose()
