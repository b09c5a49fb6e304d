"""E-mail ownership: a new account proves its address before it can log in or be linked.

Issue 9, item 3: registering a reviewer's address before the officer's invitation made
the attacker that reviewer. Item 8: registration said an address was taken, and an
unconfirmed member saw the colleagues' names and addresses.
"""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from app.extensions import db, limiter
from app.models import AuditEntry, Notification, OutboxMessage, ReviewerPoolEntry, User
from app.accounts import accounts, brn, passwords
from app.accounts import credentials
from app.review import reviewers as reviewer_pool
from tests.app.test_migrations import empty_database_url  # noqa: F401 - a fixture
from tests.factories import (
    PASSWORD, OrganisationFactory, UserFactory, applicant_with_consortium, closed_call, next_brn, officer_for,
)
from tests.support import link_path, read_mails

GENERIC = "이메일 또는 비밀번호가 올바르지 않습니다."
UNVERIFIED = "이메일 주소 확인을 마치지 않은 계정입니다."
RESEND_ANSWER = "입력한 주소로 확인을 기다리는 계정이 있으면 확인 메일을 다시 보냈습니다."
ATTACKER_PASSWORD = "Attacker-owns-7"


def _text(resp) -> str:
    return resp.get_data(as_text=True)


def _logged_in(client) -> bool:
    return client.get("/account/password").status_code == 200


_mails, _link = read_mails, link_path


def _verification_link(folder: Path, to: str) -> str:
    return _link(_mails(folder, to, "[공모] 이메일 주소 확인 안내")[-1], r"https?://\S+/verify/\S+")


def _register(client, email: str, password: str = PASSWORD, **overrides):
    number = next_brn()
    data = {"email": email, "name": "김신청", "password": password, "password_confirm": password,
            "brn": number, "org_name": "경남테크노파크", "org_type": "public_agency", "region": "경남"}
    data.update(overrides)
    return client.post("/register", data=data)


def _without_tokens(resp, email: str = "") -> str:
    """The page with the address typed in and every attribute value (CSRF tokens carry their second) blanked."""
    html = _text(resp)
    return re.sub(r'value="[^"]*"', 'value=""', html.replace(email, "X") if email else html)


def _user(email: str) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


# --- registering and verifying ----------------------------------------------------------------------

def test_a_new_account_logs_in_only_after_following_the_mailed_link(client, app, mailbox):
    assert _register(client, "kim@gntp.or.kr").status_code == 302
    assert not _logged_in(client)

    # Before the link: the right password says why and offers a new mail; a wrong one says nothing more.
    early = client.post("/login", data={"email": "kim@gntp.or.kr", "password": PASSWORD})
    assert early.status_code == 422 and UNVERIFIED in _text(early)
    assert 'action="/verify"' in _text(early) and "확인 메일 다시 받기" in _text(early)
    wrong = client.post("/login", data={"email": "kim@gntp.or.kr", "password": "Wrong-horse-9"})
    assert GENERIC in _text(wrong) and UNVERIFIED not in _text(wrong)
    assert not _logged_in(client)

    [mail] = _mails(mailbox, "kim@gntp.or.kr")
    assert mail["Subject"] == "[공모] 이메일 주소 확인 안내"
    path = _verification_link(mailbox, "kim@gntp.or.kr")
    assert path in mail.get_body(preferencelist=("html",)).get_content()

    page = client.get(path)
    assert page.status_code == 200 and "kim@gntp.or.kr" in _text(page) and 'type="password"' in _text(page)
    assert _user("kim@gntp.or.kr").email_verified_at is None  # opening the link (a mail scanner, say) is not enough

    resp = client.post(path, data={"password": PASSWORD})
    assert resp.status_code == 302 and resp.headers["Location"] == "/"
    assert "가입을 마쳤습니다. 경남테크노파크 소속 신청자로 등록되었습니다." in _text(client.get("/"))
    assert _logged_in(client)
    user = _user("kim@gntp.or.kr")
    assert user.email_verified_at is not None
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.email_verified")).one()
    assert entry.data == {"via": "link"}


def test_the_link_works_once(client, app, mailbox):
    _register(client, "once@example.kr")
    path = _verification_link(mailbox, "once@example.kr")
    assert client.post(path, data={"password": PASSWORD}).status_code == 302
    client.post("/logout")
    again = client.get(path)
    assert again.status_code == 400 and "만료되었거나 이미 사용되었습니다" in _text(again)
    assert client.post(path, data={"password": PASSWORD}).status_code == 400
    assert not _logged_in(client)


def test_the_link_expires(client, app, mailbox, clock):
    _register(client, "late@example.kr")
    path = _verification_link(mailbox, "late@example.kr")
    clock.shift(timedelta(seconds=credentials.verification_max_age() + 1))
    assert client.post(path, data={"password": PASSWORD}).status_code == 400
    assert _user("late@example.kr").email_verified_at is None


def test_a_forged_or_altered_link_is_refused(client, app, mailbox):
    _register(client, "forge@example.kr")
    path = _verification_link(mailbox, "forge@example.kr")
    assert client.get(path[:-2] + ("AA" if not path.endswith("AA") else "BB")).status_code == 400
    assert client.get("/verify/not-a-token").status_code == 400
    # A reset token is signed with another salt: it is no verification link.
    user = _user("forge@example.kr")
    token, _ = credentials.make_reset_token(user)
    assert client.get(f"/verify/{token}").status_code == 400


def test_the_owner_of_the_mailbox_cannot_finish_somebody_elses_registration(app, mailbox):
    """Someone types the reviewer's address; the reviewer opens the mail and follows the link."""
    attacker = app.test_client()
    _register(attacker, "reviewer@pusan.ac.kr", ATTACKER_PASSWORD)
    path = _verification_link(mailbox, "reviewer@pusan.ac.kr")
    owner = app.test_client()
    resp = owner.post(path, data={"password": PASSWORD})  # the owner does not know the attacker's password
    assert resp.status_code == 422 and GENERIC in _text(resp)
    assert _user("reviewer@pusan.ac.kr").email_verified_at is None
    resp = attacker.post("/login", data={"email": "reviewer@pusan.ac.kr", "password": ATTACKER_PASSWORD})
    assert UNVERIFIED in _text(resp) and not _logged_in(attacker)


def test_sending_the_link_again_answers_alike_for_every_address(client, app, mailbox, clock):
    UserFactory(email="done@example.kr")
    db.session.commit()
    _register(client, "wait@example.kr")
    client.get("/login")  # the registration's own message
    clock.shift(timedelta(minutes=2))
    pages = []
    for email in ("wait@example.kr", "done@example.kr", "ghost@example.kr"):
        resp = client.post("/verify", data={"email": email}, follow_redirects=True)
        assert RESEND_ANSWER in _text(resp)
        pages.append(re.sub(r'value="[^"]*"', "", _text(resp)))
    assert pages[0] == pages[1] == pages[2]
    assert len(_mails(mailbox, "wait@example.kr")) == 2
    assert _mails(mailbox, "done@example.kr") == [] and _mails(mailbox, "ghost@example.kr") == []
    # Pressing it again at once sends nothing more.
    client.post("/verify", data={"email": "wait@example.kr"})
    assert len(_mails(mailbox, "wait@example.kr")) == 2
    # Either link works (until one of them is used).
    assert client.post(_verification_link(mailbox, "wait@example.kr"), data={"password": PASSWORD}).status_code == 302


def test_a_reset_link_also_proves_the_address(client, app, mailbox):
    _register(client, "forgot@example.kr")
    client.post("/password/reset", data={"email": "forgot@example.kr"})
    path = _link(_mails(mailbox, "forgot@example.kr", "[공모] 비밀번호 재설정 안내")[-1], r"https?://\S+/password/reset/\S+")
    client.post(path, data={"password": "Better-staple-42", "password_confirm": "Better-staple-42"})
    assert _user("forgot@example.kr").email_verified_at is not None
    assert client.post("/login", data={"email": "forgot@example.kr", "password": "Better-staple-42"}).status_code == 302


def test_colleagues_are_asked_about_a_newcomer_only_once_the_address_is_proved(client, app, mailbox):
    colleague, _ = applicant_with_consortium()
    db.session.commit()
    _register(client, "newcomer@example.kr", brn=colleague.organisation.brn, org_name="", org_type="", region="")
    assert db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.user_id == colleague.id)) == 0
    other = app.test_client()
    assert other.post("/login", data={"email": colleague.email, "password": PASSWORD}).status_code == 302
    assert "newcomer@example.kr" not in _text(other.get("/account/organisation"))

    client.post(_verification_link(mailbox, "newcomer@example.kr"), data={"password": PASSWORD})
    assert db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.user_id == colleague.id)) == 1
    assert "newcomer@example.kr" in _text(other.get("/account/organisation"))


# --- registration does not tell who has an account ---------------------------------------------------

@pytest.mark.parametrize("existing_verified", [True, False])
def test_registering_a_taken_address_looks_like_a_fresh_registration(app, mailbox, existing_verified):
    UserFactory(email="taken@example.kr", email_verified_at=None if not existing_verified else accounts.now())
    db.session.commit()
    taken_client, fresh_client = app.test_client(), app.test_client()
    taken = _register(taken_client, "taken@example.kr")
    fresh = _register(fresh_client, "fresh@example.kr")
    assert (taken.status_code, taken.headers["Location"]) == (fresh.status_code, fresh.headers["Location"])
    assert _without_tokens(taken_client.get("/login")) == _without_tokens(fresh_client.get("/login"))
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email == "taken@example.kr")) == 1
    assert [m["Subject"] for m in _mails(mailbox, "taken@example.kr")] == ["[공모] 이미 가입된 주소입니다"]
    # However often somebody tries, the owner gets one notice an hour.
    _register(app.test_client(), "taken@example.kr")
    assert len(_mails(mailbox, "taken@example.kr")) == 1


def test_a_taken_address_with_a_bad_form_gets_the_same_field_errors(client, app):
    UserFactory(email="taken@example.kr")
    db.session.commit()
    weak = {"password": "short", "password_confirm": "short"}
    taken = _register(client, "taken@example.kr", **weak)
    fresh = _register(client, "fresh@example.kr", **weak)
    assert taken.status_code == fresh.status_code == 422
    assert _without_tokens(taken, "taken@example.kr") == _without_tokens(fresh, "fresh@example.kr")


def test_the_register_form_is_rate_limited(app, make_app):
    was_enabled = limiter.enabled
    limited = make_app(RATELIMIT_ENABLED=True)
    try:
        c = limited.test_client()
        codes = [c.post("/register", data={"email": "x"}).status_code for _ in range(11)]
        assert codes[-1] == 429 and 429 not in codes[:10]
        codes = [c.post("/verify", data={"email": "x@example.kr"}).status_code for _ in range(11)]
        assert codes[-1] == 429
    finally:
        limiter.enabled = was_enabled
        with limited.app_context():
            db.engine.dispose()


# --- invitations ---------------------------------------------------------------------------------------

def test_an_invitation_gives_nothing_to_whoever_registered_the_address_first(app, mailbox, clock):
    """The attack of issue 9, item 3, replayed: it now ends with the attacker outside."""
    call = closed_call()
    officer = officer_for(call)
    rival = OrganisationFactory(name="경쟁 컨소시엄 주관기관")
    db.session.commit()
    attacker = app.test_client()
    _register(attacker, "reviewer@pusan.ac.kr", ATTACKER_PASSWORD, brn=rival.brn, org_name="", org_type="", region="")
    squatted = _user("reviewer@pusan.ac.kr")
    attacker_link = _verification_link(mailbox, "reviewer@pusan.ac.kr")

    entry, created = reviewer_pool.invite(call, email="Reviewer@Pusan.ac.kr", name="김평가", organisation_name="부산대학교",
                                          department="산업공학과", actor=officer)
    db.session.commit()
    assert created  # to the officer it is a new account: the mail carries the set-password link
    user = _user("reviewer@pusan.ac.kr")
    assert user.id == squatted.id and user.name == "김평가" and user.organisation_id is None
    assert user.email_verified_at is None

    # The attacker's password and verification link open nothing.
    resp = attacker.post("/login", data={"email": "reviewer@pusan.ac.kr", "password": ATTACKER_PASSWORD})
    assert GENERIC in _text(resp) and not _logged_in(attacker)
    assert attacker.post(attacker_link, data={"password": ATTACKER_PASSWORD}).status_code in (400, 422)
    assert not _logged_in(attacker) and _user("reviewer@pusan.ac.kr").email_verified_at is None

    # The invitee follows the invitation's link, sets a password and is the reviewer.
    invitation = _mails(mailbox, "reviewer@pusan.ac.kr")[-1]
    path = _link(invitation, r"https?://\S+/password/reset/\S+")
    invitee = app.test_client()
    invitee.post(path, data={"password": "Invitee-chosen-42", "password_confirm": "Invitee-chosen-42"})
    assert invitee.post("/login", data={"email": "reviewer@pusan.ac.kr", "password": "Invitee-chosen-42"}).status_code == 302
    assert invitee.get("/review/").status_code == 200
    user = _user("reviewer@pusan.ac.kr")
    assert user.email_verified_at is not None and user.has_role("reviewer")
    assert db.session.get(ReviewerPoolEntry, entry.id).organisation_name == "부산대학교"
    reclaimed = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.unverified_account_reclaimed")).one()
    assert reclaimed.data["previous"]["organisation_id"] == rival.id


def test_an_invitation_links_a_verified_account_as_before(app, mailbox):
    call = closed_call()
    officer = officer_for(call)
    reviewer = UserFactory(email="prof@pusan.ac.kr")
    db.session.commit()
    _, created = reviewer_pool.invite(call, email=reviewer.email, name="교수", organisation_name="부산대학교",
                                      department="", actor=officer)
    db.session.commit()
    assert not created
    db.session.refresh(reviewer)
    assert reviewer.has_role("reviewer") and passwords.verify_password(reviewer.password_hash, PASSWORD)


def test_an_invited_account_counts_as_verified_once_its_link_is_used(app, mailbox):
    call = closed_call()
    officer = officer_for(call)
    db.session.commit()
    reviewer_pool.invite(call, email="new@kaist.ac.kr", name="신규", organisation_name="KAIST", department="",
                         actor=officer)
    db.session.commit()
    assert _user("new@kaist.ac.kr").email_verified_at is None
    client = app.test_client()
    assert client.post("/login", data={"email": "new@kaist.ac.kr", "password": "anything-1A"}).status_code == 422
    path = _link(_mails(mailbox, "new@kaist.ac.kr")[-1], r"https?://\S+/password/reset/\S+")
    client.post(path, data={"password": "Invitee-chosen-42", "password_confirm": "Invitee-chosen-42"})
    assert _user("new@kaist.ac.kr").email_verified_at is not None


# --- accounts made by operators ------------------------------------------------------------------------

def test_create_admin_and_the_demo_make_verified_accounts(app, clock):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create-admin", "--email", "root@example.go.kr", "--name", "관리자",
                                 "--password", "Sturdy-lantern-42"])
    assert result.exit_code == 0, result.output
    assert _user("root@example.go.kr").email_verified_at is not None
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    unverified = db.session.scalar(select(func.count()).select_from(User).where(User.email_verified_at.is_(None)))
    assert unverified == 0


# --- an unconfirmed member sees no colleagues ----------------------------------------------------------

def test_an_unconfirmed_member_does_not_see_the_colleagues(app, login):
    colleague = UserFactory(name="홍선임", email="senior@gntp.or.kr")
    newcomer = UserFactory(organisation=colleague.organisation)
    # Set after the INSERT: given to the constructor, None gives way to the column's default.
    newcomer.organisation_confirmed_at = None
    db.session.commit()
    assert newcomer.acting_organisation_id is None
    page = _text(login(newcomer).get("/account/organisation"))
    assert colleague.organisation.name in page
    assert "senior@gntp.or.kr" not in page and "홍선임" not in page
    assert "소속을 확인하기 전까지는" in page

    login(newcomer).post("/logout")
    page = _text(login(colleague).get("/account/organisation"))
    assert "senior@gntp.or.kr" in page and newcomer.email in page


def test_the_registration_form_checks_brn_digits_the_same_for_every_address(client, app):
    """The form's own refusals come before anything about the address, so they reveal nothing."""
    UserFactory(email="taken@example.kr")
    db.session.commit()
    bad = brn.with_check_digit("555666777")[:9] + "0"
    if brn.is_valid(bad):
        bad = bad[:9] + "1"
    for email in ("taken@example.kr", "fresh@example.kr"):
        resp = _register(client, email, brn=bad)
        assert resp.status_code == 422 and "사업자등록번호가 올바르지 않습니다" in _text(resp)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


# --- the migration --------------------------------------------------------------------------------------

def test_accounts_from_before_count_as_verified_and_the_lock_out_columns_go(make_app, empty_database_url):
    from flask_migrate import downgrade, upgrade

    application = make_app(SQLALCHEMY_DATABASE_URI=empty_database_url)
    with application.app_context():
        upgrade(revision="04564ce879a4")
        made = "2025-03-02 01:00:00"
        with db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO users (id, email, name, password_hash, department, locale, active, failed_logins, "
                "locked_until, password_changed_at, organisation_confirmed_at, created_at) VALUES "
                "(1, 'old@tp.kr', '김기존', 'x', '', 'ko', :yes, 4, :t, :t, :t, :t)"), {"t": made, "yes": True})
        upgrade()
        with db.engine.connect() as conn:
            verified, created = conn.execute(sa.text("SELECT email_verified_at, created_at FROM users")).one()
        assert verified is not None and verified == created
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("users")}
        assert "failed_logins" not in columns and "locked_until" not in columns
        assert {"user_sessions", "login_throttles"} <= set(sa.inspect(db.engine).get_table_names())
        downgrade(revision="04564ce879a4")
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT failed_logins FROM users")).scalar() == 0
        assert "user_sessions" not in sa.inspect(db.engine).get_table_names()
        downgrade(revision="base")
        db.engine.dispose()
