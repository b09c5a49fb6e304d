"""The agreement on a real clock: revision and signing reminders, and the overdue flag, once each."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.core.clock import now
from app.extensions import db
from app.models import AuditEntry, OutboxMessage
from app.notifications import reminders
from tests.app.agreement_flow import issued, opened, revised, with_member
from tests.factories import PASSWORD
from tests.support import sign_in


def _kinds(user) -> list[str]:
    return [m.context["kind"] for m in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.user_id == user.id, OutboxMessage.template == "agreement")
        .order_by(OutboxMessage.id))]


def test_revision_reminders_three_days_and_one_day_before_once_each(app, clock, mailbox):
    call, officer, proposal, applicant, member = with_member()
    agreement = opened(proposal, officer)
    due = agreement.revision_due_at
    clock.move_to(due - timedelta(days=3, minutes=1))
    assert reminders.run(at=now())["agreements"] == 0
    clock.move_to(due - timedelta(days=3))
    assert reminders.run(at=now())["agreements"] == 1
    assert reminders.run(at=now())["agreements"] == 0  # claimed: the same tick again sends nothing
    clock.move_to(due - timedelta(hours=12))
    assert reminders.run(at=now())["agreements"] == 1
    assert _kinds(applicant) == ["opened", "revision_d3", "revision_d1"]
    assert "revision_d3" not in _kinds(member)  # the lead's contacts revise, not the members
    clock.move_to(due + timedelta(hours=1))
    assert reminders.run(at=now())["agreements"] == 0


def test_signing_reminders_go_to_who_has_not_signed_and_overdue_is_flagged_once(app, client, clock, mailbox):
    call, officer, proposal, applicant, member = with_member()
    agreement = opened(proposal, officer)
    revised(agreement, applicant)
    issued(agreement, officer)
    sign_in(client, applicant)
    client.post(f"/agreements/{agreement.id}/sign", data={"document_sha256": agreement.document_sha256,
                                                          "password": PASSWORD, "confirm": "y"})
    due = agreement.sign_due_at
    clock.move_to(due - timedelta(days=7))
    reminders.run(at=now())
    clock.move_to(due - timedelta(days=1))
    reminders.run(at=now())
    reminders.run(at=now())
    assert agreement.signatures[0].signed_at is not None
    assert [k for k in _kinds(applicant) if k.startswith("signing")] == []  # the lead has signed
    assert [k for k in _kinds(member) if k.startswith("signing")] == ["signing_d7", "signing_d1"]
    assert [k for k in _kinds(officer) if k.startswith("signing")] == ["signing_d7", "signing_d1"]
    # Past the date and not signed: flagged, the officers told once, the list shows it.
    clock.move_to(due + timedelta(minutes=1))
    assert reminders.run(at=now())["agreements"] == 1
    assert reminders.run(at=now() + timedelta(days=1))["agreements"] == 0
    db.session.expire_all()
    assert agreement.overdue_flagged_at is not None
    assert _kinds(officer).count("overdue") == 1
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "agreement.overdue")) is not None
    sign_in(client, officer)
    listing = client.get(f"/officer/calls/{call.id}/agreements").get_data(as_text=True)
    assert 'class="overdue"' in listing and "기한 경과" in listing
    home = client.get("/").get_data(as_text=True)
    assert "서명 기한이 지난 협약" in home


def test_home_tasks_ask_the_lead_to_revise_and_each_party_to_sign(app, client, clock):
    call, officer, proposal, applicant, member = with_member()
    agreement = opened(proposal, officer)
    sign_in(client, applicant)
    assert f"{proposal.receipt_no} 협약 사업계획 보완 제출" in client.get("/").get_data(as_text=True)
    revised(agreement, applicant)
    sign_in(client, officer)
    assert "검토할 보완 사업계획 1건" in client.get("/").get_data(as_text=True)
    issued(agreement, officer)
    for user in (applicant, member):
        sign_in(client, user)
        assert f"{proposal.receipt_no} 협약서 서명" in client.get("/").get_data(as_text=True)
    for user in (applicant, member):
        sign_in(client, user)
        client.post(f"/agreements/{agreement.id}/sign", data={"document_sha256": agreement.document_sha256,
                                                              "password": PASSWORD, "confirm": "y"})
    assert f"{proposal.receipt_no} 협약서 서명" not in client.get("/").get_data(as_text=True)
    sign_in(client, officer)
    assert "전담기관 서명을 기다리는 협약 1건" in client.get("/").get_data(as_text=True)
