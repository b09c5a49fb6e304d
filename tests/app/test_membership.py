"""Joining an existing organisation by its (public) business registration number needs a colleague's confirmation."""
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Notification, User
from tests.factories import PASSWORD, applicant_with_consortium, ProposalFactory, UserFactory
from tests.support import verify_by_mail


def _register(client, org, email="newcomer@example.kr"):
    """Register and follow the verification mail: the newcomer ends up logged in."""
    resp = client.post("/register", data={
        "email": email, "name": "신입", "password": PASSWORD, "password_confirm": PASSWORD, "brn": org.brn,
    })
    assert resp.status_code == 302
    return verify_by_mail(client, email)


def test_newcomer_to_an_existing_organisation_sees_nothing_until_confirmed(app, client):
    colleague, consortium = applicant_with_consortium()
    proposal = ProposalFactory(consortium=consortium, created_by_id=colleague.id, title="기존 기관의 비밀 신청서")
    db.session.commit()

    resp = _register(client, colleague.organisation)
    assert resp.status_code == 302
    newcomer = db.session.scalar(select(User).where(User.email == "newcomer@example.kr"))
    assert newcomer.organisation_id == colleague.organisation_id
    assert newcomer.acting_organisation_id is None

    assert client.get(f"/proposals/{proposal.id}").status_code == 404
    assert client.get(f"/my/consortia/{consortium.id}").status_code == 404
    assert "기존 기관의 비밀 신청서" not in client.get("/my/proposals").get_data(as_text=True)
    # The colleague is asked, in the portal (and by mail through the outbox).
    asked = db.session.scalars(select(Notification).where(Notification.user_id == colleague.id)).all()
    assert any("newcomer@example.kr" in n.text_in("ko") for n in asked)


def test_a_confirmed_colleague_confirms_and_the_newcomer_may_act(app, client, login):
    colleague, consortium = applicant_with_consortium()
    proposal = ProposalFactory(consortium=consortium, created_by_id=colleague.id)
    db.session.commit()
    _register(client, colleague.organisation)
    client.post("/logout")
    newcomer = db.session.scalar(select(User).where(User.email == "newcomer@example.kr"))

    login(colleague)
    page = client.get("/account/organisation").get_data(as_text=True)
    assert "newcomer@example.kr" in page
    resp = client.post(f"/account/organisation/members/{newcomer.id}", data={"decision": "confirm"})
    assert resp.status_code == 302
    db.session.refresh(newcomer)
    assert newcomer.acting_organisation_id == colleague.organisation_id
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "membership.confirmed")).actor_id == colleague.id
    client.post("/logout")

    login(newcomer)
    assert client.get(f"/proposals/{proposal.id}").status_code == 200


def test_declined_newcomer_loses_the_organisation(app, client, login):
    colleague, _ = applicant_with_consortium()
    db.session.commit()
    _register(client, colleague.organisation)
    client.post("/logout")
    newcomer = db.session.scalar(select(User).where(User.email == "newcomer@example.kr"))
    login(colleague)
    client.post(f"/account/organisation/members/{newcomer.id}", data={"decision": "decline"})
    db.session.refresh(newcomer)
    assert newcomer.organisation_id is None and newcomer.acting_organisation_id is None


def test_only_confirmed_colleagues_or_admins_may_decide(app, client, login):
    colleague, _ = applicant_with_consortium()
    stranger = UserFactory()
    db.session.commit()
    _register(client, colleague.organisation)
    _register(app.test_client(), colleague.organisation, email="second@example.kr")
    client.post("/logout")
    newcomer = db.session.scalar(select(User).where(User.email == "newcomer@example.kr"))
    second = db.session.scalar(select(User).where(User.email == "second@example.kr"))

    login(stranger)
    assert client.post(f"/account/organisation/members/{newcomer.id}", data={"decision": "confirm"}).status_code == 404
    client.post("/logout")
    # An unconfirmed newcomer cannot confirm another newcomer (or themselves).
    login(second)
    assert client.post(f"/account/organisation/members/{newcomer.id}", data={"decision": "confirm"}).status_code == 404
    assert client.post(f"/account/organisation/members/{second.id}", data={"decision": "confirm"}).status_code == 404
    db.session.refresh(newcomer)
    assert newcomer.acting_organisation_id is None


def test_creating_a_new_organisation_needs_no_confirmation(app, client):
    from app.accounts import brn

    resp = client.post("/register", data={
        "email": "founder@example.kr", "name": "설립", "password": PASSWORD, "password_confirm": PASSWORD,
        "brn": brn.with_check_digit("555666777"), "org_name": "새 기관", "org_type": "tenant_company", "region": "경남",
    })
    assert resp.status_code == 302
    founder = db.session.scalar(select(User).where(User.email == "founder@example.kr"))
    assert founder.acting_organisation_id == founder.organisation_id is not None


def test_admin_confirms_from_the_command_line(app):
    colleague, _ = applicant_with_consortium()
    newcomer = UserFactory(organisation=colleague.organisation, confirmed=False)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["users", "confirm-membership", newcomer.email])
    assert result.exit_code == 0, result.output
    db.session.refresh(newcomer)
    assert newcomer.acting_organisation_id == colleague.organisation_id
