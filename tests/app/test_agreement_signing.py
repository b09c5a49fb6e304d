"""Signing the agreement: in order, re-authenticated, bound to the document's hash; the agency last."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pyotp
from sqlalchemy import select

from app.accounts import totp
from app.extensions import db
from app.models import AuditEntry, LoginThrottle, Notification, OutboxMessage
from app.models.agreements import AgreementStatus
from app.models.projects import Project
from tests.app.agreement_flow import issued, opened, revised, with_member
from tests.factories import PASSWORD
from tests.support import read_mails, sign_in

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _signing():
    call, officer, proposal, applicant, member = with_member()
    agreement = opened(proposal, officer)
    revised(agreement, applicant)
    issued(agreement, officer)
    return call, officer, proposal, applicant, member, agreement


def _sign(client, agreement, password=PASSWORD, code="", sha=None, confirm="y"):
    data = {"document_sha256": sha or agreement.document_sha256, "password": password, "code": code}
    if confirm:
        data["confirm"] = confirm
    return client.post(f"/agreements/{agreement.id}/sign", data=data)


def _signed(agreement) -> list[str]:
    db.session.expire_all()
    return [s.party for s in agreement.signatures if s.signed_at is not None]


def _with_totp(user):
    user.totp_secret = totp.seal(SECRET, user.id)
    user.totp_enabled_at = datetime.now(timezone.utc)
    db.session.commit()


def test_the_parties_sign_in_order_and_the_agency_last_starts_the_project(app, client, clock, mailbox):
    call, officer, proposal, applicant, member, agreement = _signing()
    _with_totp(officer)
    # Out of order: the member and the agency wait for the lead.
    sign_in(client, member)
    page = client.get(f"/agreements/{agreement.id}/sign")
    assert "서명 순서가 아닙니다" in page.get_data(as_text=True)
    assert _sign(client, agreement).status_code == 409 and _signed(agreement) == []
    sign_in(client, officer)
    assert _sign(client, agreement, code=pyotp.TOTP(SECRET).now()).status_code == 409 and _signed(agreement) == []

    sign_in(client, applicant)
    form = client.get(f"/agreements/{agreement.id}/sign").get_data(as_text=True)
    assert agreement.document_sha256 in form and 'name="code"' not in form  # no second factor: no code asked
    assert _sign(client, agreement).status_code == 303
    assert _signed(agreement) == ["lead"]
    lead = agreement.signatures[0]
    assert (lead.signer_id, lead.signer_name, lead.document_sha256, lead.with_totp) == (
        applicant.id, applicant.name, agreement.document_sha256, False)
    assert _sign(client, agreement).status_code == 403  # signed once: nothing more of theirs to sign

    sign_in(client, member)
    assert _sign(client, agreement).status_code == 303 and _signed(agreement) == ["lead", "university"]
    turn = db.session.scalar(select(OutboxMessage).where(OutboxMessage.user_id == officer.id,
                                                         OutboxMessage.context["kind"].as_string() == "agency_turn"))
    assert turn is not None

    sign_in(client, officer)
    assert 'name="code"' in client.get(f"/agreements/{agreement.id}/sign").get_data(as_text=True)
    clock.shift(timedelta(seconds=31))
    resp = _sign(client, agreement, code=pyotp.TOTP(SECRET).now())
    assert resp.status_code == 303
    db.session.expire_all()
    assert agreement.status == AgreementStatus.SIGNED and agreement.signed_at is not None
    assert agreement.signatures[-1].with_totp is True and agreement.signatures[-1].party == "agency"
    project = db.session.scalar(select(Project).where(Project.agreement_id == agreement.id))
    assert project is not None and project.period_start.isoformat() == "2025-07-01" and project.reports
    told = db.session.scalar(select(Notification).where(Notification.user_id == applicant.id,
                                                        Notification.url == f"/projects/{project.id}"))
    assert told is not None
    signed_mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.user_id == applicant.id,
                                                                OutboxMessage.context["kind"].as_string() == "signed"))
    assert signed_mail.context["url"].endswith(f"/projects/{project.id}")
    delivered = read_mails(mailbox, to=member.email, subject=f"[{call.title}] 협약 체결")
    assert delivered and f"/projects/{project.id}" in delivered[-1].get_body(preferencelist=("html",)).get_content()
    assert f"/projects/{project.id}" in client.get(f"/agreements/{agreement.id}").get_data(as_text=True)
    actions = list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("agreement.%"))
                                      .order_by(AuditEntry.id)))
    assert actions[-4:] == ["agreement.signed", "agreement.signed", "agreement.signed", "agreement.completed"]


def test_a_wrong_password_or_code_signs_nothing_and_counts_toward_the_throttle(app, client, clock):
    call, officer, proposal, applicant, member, agreement = _signing()
    sign_in(client, applicant)
    resp = _sign(client, agreement, password="wrong-password-1")
    assert resp.status_code == 422 and "비밀번호가 맞지 않습니다." in resp.get_data(as_text=True)
    assert _signed(agreement) == []
    failures = db.session.scalars(select(LoginThrottle.failures).where(LoginThrottle.email == applicant.email)).all()
    assert failures and max(failures) == 1
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "agreement.sign_failed"))
    # The hash must be the issued document's; the confirmation must be ticked.
    assert _sign(client, agreement, sha="0" * 64).status_code == 422 and _signed(agreement) == []
    assert _sign(client, agreement, confirm="").status_code == 422 and _signed(agreement) == []
    assert _sign(client, agreement).status_code == 303 and _signed(agreement) == ["lead"]

    sign_in(client, member)
    _sign(client, agreement)
    _with_totp(officer)
    sign_in(client, officer)
    for code in ("", "000000"):
        resp = _sign(client, agreement, code=code)
        assert resp.status_code == 422 and "일회용 코드가 맞지 않거나" in resp.get_data(as_text=True)
    assert _signed(agreement) == ["lead", "university"]
    db.session.expire_all()
    assert agreement.status == AgreementStatus.SIGNING
    assert db.session.scalar(select(Project).where(Project.agreement_id == agreement.id)) is None


def test_only_the_parties_sign(app, client, clock):
    call, officer, proposal, applicant, member, agreement = _signing()
    from tests.factories import officer_for, closed_call
    sign_in(client, officer_for(closed_call()))
    assert client.get(f"/agreements/{agreement.id}/sign").status_code == 404
    # An admin reads every agreement but signs for nobody.
    from tests.factories import UserFactory
    sign_in(client, UserFactory(roles=["admin"]))
    assert _sign(client, agreement).status_code in (403, 404) and _signed(agreement) == []
