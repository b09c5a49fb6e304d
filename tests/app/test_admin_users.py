"""Administrators manage accounts and roles from the portal; everything they do is audited."""
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry
from tests.factories import UserFactory


def test_admin_grants_and_revokes_a_role(app, client, login):
    admin = UserFactory(roles=["admin"])
    target = UserFactory(email="kim@example.kr")
    login(admin)
    page = client.get("/admin/users?q=kim@").get_data(as_text=True)
    assert "kim@example.kr" in page and admin.email not in page

    assert client.post(f"/admin/users/{target.id}/role", data={"role": "officer", "action": "grant"}).status_code == 303
    db.session.refresh(target)
    assert target.roles == {"applicant", "officer"}
    client.post(f"/admin/users/{target.id}/role", data={"role": "applicant", "action": "revoke"})
    db.session.refresh(target)
    assert target.roles == {"officer"}
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == target.id,
                                                                 AuditEntry.object_type == "user")).all()
    assert "user.role_granted" in actions and "user.role_revoked" in actions


def test_deactivated_account_is_logged_out_and_cannot_log_in(app, client, login):
    admin = UserFactory(roles=["admin"])
    target = UserFactory()
    db.session.commit()
    other = app.test_client()
    assert other.post("/login", data={"email": target.email, "password": "Correct-horse-9"}).status_code == 302
    login(admin)
    client.post(f"/admin/users/{target.id}/active", data={"active": "off"})
    db.session.refresh(target)
    assert target.active is False
    assert other.get("/my/proposals").status_code == 302  # the open session no longer counts
    assert other.post("/login", data={"email": target.email, "password": "Correct-horse-9"}).status_code != 302


def test_admin_cannot_remove_their_own_admin_role_or_deactivate_themselves(app, client, login):
    admin = UserFactory(roles=["admin"])
    login(admin)
    client.post(f"/admin/users/{admin.id}/role", data={"role": "admin", "action": "revoke"})
    client.post(f"/admin/users/{admin.id}/active", data={"active": "off"})
    db.session.refresh(admin)
    assert admin.has_role("admin") and admin.active


def test_unknown_role_is_refused_and_nothing_changes(app, client, login):
    admin = UserFactory(roles=["admin"])
    target = UserFactory()
    login(admin)
    assert client.post(f"/admin/users/{target.id}/role", data={"role": "superuser", "action": "grant"}).status_code == 303
    db.session.refresh(target)
    assert target.roles == {"applicant"}


def test_only_admins_reach_the_account_pages(app, client, login):
    officer = UserFactory(roles=["officer"])
    target = UserFactory()
    login(officer)
    assert client.get("/admin/users").status_code == 403
    # Someone else's account on the admin console is not theirs to see: 404, as for any object.
    assert client.post(f"/admin/users/{target.id}/role", data={"role": "admin", "action": "grant"}).status_code == 404
    db.session.refresh(target)
    assert not target.has_role("admin")
