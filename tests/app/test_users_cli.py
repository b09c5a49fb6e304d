"""``flask users create-admin`` and ``flask users grant``."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, Organisation, User
from app.accounts import passwords
from tests.factories import UserFactory, next_brn

STRONG = "Quiet-river-2025"


@pytest.fixture
def flask_cli(app):
    runner = app.test_cli_runner()

    def run(*args, input=None):
        return runner.invoke(args=["users", *args], input=input)

    return run


def _user(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_create_admin_prompts_for_the_password_and_can_then_log_in(app, flask_cli, login):
    result = flask_cli("create-admin", "--email", "Admin@Gongmo.kr", "--name", "관리자",
                       input=f"{STRONG}\n{STRONG}\n")
    assert result.exit_code == 0, result.output
    assert STRONG not in result.output  # the prompt hides what is typed
    admin = _user("admin@gongmo.kr")
    assert admin.roles == {"admin"} and admin.organisation is None
    assert passwords.verify_password(admin.password_hash, STRONG)
    [entry] = _audit("user.created")
    assert entry.object_id == admin.id and entry.data["via"] == "cli"
    login(admin, STRONG)


def test_create_admin_creates_or_joins_the_organisation_of_org_brn(app, flask_cli):
    number = next_brn()
    result = flask_cli("create-admin", "--email", "a@kicox.or.kr", "--name", "관리자", "--password", STRONG,
                       "--org-brn", f"{number[:3]}-{number[3:5]}-{number[5:]}", "--org-name", "한국산업단지공단")
    assert result.exit_code == 0, result.output
    assert _user("a@kicox.or.kr").organisation.brn == number

    result = flask_cli("create-admin", "--email", "b@kicox.or.kr", "--name", "관리자2", "--password", STRONG,
                       "--org-brn", number)
    assert result.exit_code == 0, result.output
    assert _user("b@kicox.or.kr").organisation_id == _user("a@kicox.or.kr").organisation_id
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 1


@pytest.mark.parametrize("extra, message", [
    (["--password", "weak"], "Password refused"),
    (["--password", STRONG, "--org-brn", "1234567890"], "check digit"),
    (["--password", STRONG, "--org-brn", "NEW"], "give --org-name"),
])
def test_create_admin_refuses_bad_input_and_creates_nothing(app, flask_cli, extra, message):
    extra = [next_brn() if x == "NEW" else x for x in extra]
    result = flask_cli("create-admin", "--email", "admin@gongmo.kr", "--name", "관리자", *extra)
    assert result.exit_code == 1
    assert message in result.output
    assert _user("admin@gongmo.kr") is None
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_create_admin_refuses_an_email_already_in_use(app, flask_cli):
    UserFactory(email="admin@gongmo.kr")
    db.session.commit()
    result = flask_cli("create-admin", "--email", "ADMIN@gongmo.kr", "--name", "관리자", "--password", STRONG)
    assert result.exit_code == 1 and "already exists" in result.output
    assert _user("admin@gongmo.kr").roles == {"applicant"}


def test_grant_gives_the_role_and_is_audited(app, flask_cli):
    user = UserFactory(email="officer@kicox.or.kr")
    db.session.commit()
    result = flask_cli("grant", "Officer@KICOX.or.kr", "officer")
    assert result.exit_code == 0, result.output
    assert _user("officer@kicox.or.kr").roles == {"applicant", "officer"}
    [entry] = _audit("user.role_granted")
    assert entry.object_id == user.id and entry.data["role"] == "officer"

    again = flask_cli("grant", "officer@kicox.or.kr", "officer")
    assert again.exit_code == 0 and "already has" in again.output
    assert len(_audit("user.role_granted")) == 1


def test_grant_names_an_unknown_user_or_role(app, flask_cli):
    UserFactory(email="someone@example.kr")
    db.session.commit()
    result = flask_cli("grant", "nobody@example.kr", "officer")
    assert result.exit_code == 1 and "No account with e-mail nobody@example.kr" in result.output
    result = flask_cli("grant", "someone@example.kr", "superuser")
    assert result.exit_code == 1 and "Unknown role 'superuser'" in result.output
    assert "applicant, reviewer, officer, admin" in result.output
    assert _user("someone@example.kr").roles == {"applicant"}
    assert _audit("user.role_granted") == []
