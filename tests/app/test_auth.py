"""Accounts: registration, login, logout, password reset and change, CSRF.

E-mail verification, server-side sessions and the login throttle have their own files
(test_email_verification.py, test_sessions.py, test_login_throttle.py).
"""
from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from app.extensions import db, limiter
from app.models import AuditEntry, LoginThrottle, Organisation, OutboxMessage, User
from app.accounts import passwords
from tests.factories import PASSWORD, OrganisationFactory, UserFactory, next_brn
from tests.support import link_path, read_mails

NEW_PASSWORD = "Better-staple-42"
GENERIC_LOGIN_ERROR = "이메일 또는 비밀번호가 올바르지 않습니다."
RESET_ANSWER = "입력한 주소로 가입된 계정이 있으면 비밀번호 재설정 링크를 보냈습니다."
REGISTERED_ANSWER = "입력한 주소로 확인 메일을 보냈습니다."


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def _text(resp) -> str:
    return resp.get_data(as_text=True)


def _registration(**overrides) -> dict:
    number = next_brn()
    data = {
        "email": "kim@technopark.or.kr", "name": "김담당", "password": NEW_PASSWORD,
        "password_confirm": NEW_PASSWORD, "brn": f"{number[:3]}-{number[3:5]}-{number[5:]}",
        "org_name": "경남테크노파크", "org_type": "public_agency", "region": "경남",
    }
    data.update(overrides)
    return data


def _comparable(resp, email: str) -> str:
    """The page without the address typed in and without the CSRF tokens, which carry the second they were made."""
    return re.sub(r'(name="csrf_token"[^>]*value=)"[^"]*"', r"\1", _text(resp).replace(email, "X"))


def _logged_in(client) -> bool:
    return client.get("/account/password").status_code == 200


_mails = read_mails


def _reset_path(mail) -> str:
    return link_path(mail, r"https?://\S+/password/reset/\S+")


def _request_reset(client, email: str):
    return client.post("/password/reset", data={"email": email}, follow_redirects=True)


# --- registration --------------------------------------------------------------------------

def test_register_creates_the_organisation_for_a_new_brn_and_asks_to_verify_the_address(client, app):
    resp = client.post("/register", data=_registration(email="Kim@TechnoPark.or.kr"))
    assert resp.status_code == 302 and urlsplit(resp.headers["Location"]).path == "/login"
    assert REGISTERED_ANSWER in _text(client.get("/login"))

    user = db.session.scalar(select(User))
    assert user.email == "kim@technopark.or.kr"  # stored lower-case
    assert user.roles == {"applicant"}
    org = user.organisation
    assert (org.name, org.type, org.region, len(org.brn)) == ("경남테크노파크", "public_agency", "경남", 10)
    assert passwords.verify_password(user.password_hash, NEW_PASSWORD)
    # Not logged in, and not able to until the mailed link is followed.
    assert user.email_verified_at is None and not _logged_in(client)
    assert db.session.scalar(select(OutboxMessage.template).where(OutboxMessage.user_id == user.id)) \
        == "email_verification"
    assert {"organisation.created", "user.registered", "user.verification_sent"} <= set(_actions())


def test_register_with_a_known_brn_joins_that_organisation_without_its_details(client, app):
    org = OrganisationFactory(name="한국산업단지공단")
    db.session.commit()
    data = _registration(brn=org.brn, org_name="", org_type="", region="")
    resp = client.post("/register", data=data)
    assert resp.status_code == 302
    user = db.session.scalar(select(User))
    assert user.organisation_id == org.id
    assert _count(Organisation) == 1


def test_register_refuses_a_brn_with_a_wrong_check_digit(client, app):
    valid = next_brn()
    wrong = valid[:9] + str((int(valid[9]) + 1) % 10)
    resp = client.post("/register", data=_registration(brn=wrong))
    assert resp.status_code == 422
    assert "사업자등록번호가 올바르지 않습니다." in _text(resp)
    assert 'id="brn-error"' in _text(resp)
    assert _count(User) == 0 and _count(Organisation) == 0


def test_register_with_a_taken_address_answers_like_a_fresh_one_and_tells_the_owner(client, app, mailbox):
    owner = UserFactory(email="taken@example.kr", name="박기존")
    db.session.commit()
    taken = client.post("/register", data=_registration(email="Taken@Example.KR"))
    taken_page = client.get("/login")
    fresh = app.test_client().post("/register", data=_registration(email="fresh@example.kr"))
    fresh_page = app.test_client().get("/login")
    assert taken.status_code == fresh.status_code == 302
    assert taken.headers["Location"] == fresh.headers["Location"]
    assert REGISTERED_ANSWER in _text(taken_page)
    # The same page after the redirect: nothing says the address was taken.
    assert "이미 가입된" not in _text(taken_page)

    # No second account, no organisation made for it, and the owner is told by mail.
    assert _count(User) == 2
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email == "taken@example.kr")) == 1
    notice = next(m for m in _mails(mailbox) if m["To"] == "taken@example.kr")
    assert notice["Subject"] == "[공모] 이미 가입된 주소입니다"
    body = notice.get_body(preferencelist=("plain",)).get_content()
    assert "박기존 님" in body and "/password/reset" in body
    db.session.refresh(owner)
    assert passwords.verify_password(owner.password_hash, PASSWORD)  # nothing about the account changed
    assert "user.registration_repeated" in _actions()


@pytest.mark.parametrize("password, message", [
    ("Short-1a", "비밀번호는 10자 이상이어야 합니다."),
    ("onlylowercaseletters", "세 종류 이상을 섞어 쓰십시오"),
    ("Kimchi-jjigae-2025", "이메일 주소의 아이디 부분을 넣을 수 없습니다."),
])
def test_register_refuses_a_weak_password_with_the_reason(client, app, password, message):
    data = _registration(email="kimchi@example.kr", password=password, password_confirm=password)
    resp = client.post("/register", data=data)
    assert resp.status_code == 422
    assert message in _text(resp)
    assert 'id="password-error"' in _text(resp)
    assert _count(User) == 0


def test_register_refuses_a_confirmation_that_differs(client, app):
    resp = client.post("/register", data=_registration(password_confirm=NEW_PASSWORD + "x"))
    assert resp.status_code == 422
    assert "두 번 입력한 비밀번호가 서로 다릅니다." in _text(resp)
    assert _count(User) == 0


def test_register_with_a_new_brn_requires_the_organisation_details_field_by_field(client, app):
    resp = client.post("/register", data=_registration(org_name="", org_type="", region=""))
    html = _text(resp)
    assert resp.status_code == 422
    assert "처음 등록되는 사업자등록번호입니다. 기관명을 입력하십시오." in html
    assert "처음 등록되는 사업자등록번호입니다. 기관 유형을 선택하십시오." in html
    assert "처음 등록되는 사업자등록번호입니다. 지역을 선택하십시오." in html
    for field in ("org_name", "org_type", "region"):
        assert f'id="{field}-error"' in html and f'aria-describedby="{field}-error' in html
    assert _count(User) == 0 and _count(Organisation) == 0


def test_register_form_labels_every_input_and_offers_korean_org_types(client, app):
    html = _text(client.get("/register"))
    for field in ("email", "name", "password", "password_confirm", "brn", "org_name", "org_type", "region"):
        assert f'for="{field}"' in html
    assert "지방자치단체" in html and "AI 솔루션 공급기업" in html
    assert "<legend>" in html


# --- login and logout ----------------------------------------------------------------------

def test_login_with_any_case_of_the_email_then_logout(client, app):
    user = UserFactory(email="lee@example.kr")
    db.session.commit()
    resp = client.post("/login", data={"email": "  LEE@Example.kr ", "password": PASSWORD})
    assert resp.status_code == 302 and resp.headers["Location"] == "/"
    assert _logged_in(client)
    assert client.get("/logout").status_code == 405  # a link or an image cannot log anybody out
    assert _logged_in(client)
    resp = client.post("/logout")
    assert resp.status_code == 302
    assert not _logged_in(client)
    assert _actions() == ["user.login", "user.logout"]


def test_wrong_password_and_unknown_email_get_the_same_answer(client, app):
    UserFactory(email="park@example.kr")
    db.session.commit()
    wrong = client.post("/login", data={"email": "park@example.kr", "password": "Wrong-horse-9"})
    unknown = client.post("/login", data={"email": "nobody@example.kr", "password": "Wrong-horse-9"})
    assert wrong.status_code == unknown.status_code == 422
    assert GENERIC_LOGIN_ERROR in _text(wrong) and GENERIC_LOGIN_ERROR in _text(unknown)
    assert _comparable(wrong, "park@example.kr") == _comparable(unknown, "nobody@example.kr")
    assert not _logged_in(client)
    assert _actions() == ["user.login_failed", "user.login_failed"]


def test_five_wrong_passwords_do_not_lock_the_owner_out(client, app):
    """Issue 9, item 7: a stranger's failures no longer lock the account against its owner."""
    user = UserFactory()
    db.session.commit()
    stranger = app.test_client()
    stranger.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    for _ in range(5):
        stranger.post("/login", data={"email": user.email, "password": "Wrong-horse-9"})
    resp = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert resp.status_code == 302 and _logged_in(client)
    assert "user.locked" not in _actions()


def test_a_success_resets_the_failure_count(client, app, clock):
    user = UserFactory()
    db.session.commit()
    bad = {"email": user.email, "password": "Wrong-horse-9"}
    for _ in range(2):
        assert GENERIC_LOGIN_ERROR in _text(client.post("/login", data=bad))
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    client.post("/logout")
    rows = {row.client: row.failures for row in db.session.scalars(select(LoginThrottle))}
    assert rows == {"127.0.0.1": 0, "*": 0}
    for _ in range(2):
        assert GENERIC_LOGIN_ERROR in _text(client.post("/login", data=bad))
    db.session.expire_all()
    rows = {row.client: row.failures for row in db.session.scalars(select(LoginThrottle))}
    assert rows == {"127.0.0.1": 2, "*": 2}


def test_an_inactive_account_cannot_log_in(client, app):
    user = UserFactory(active=False)
    db.session.commit()
    resp = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert resp.status_code == 422
    assert "사용이 중지된 계정입니다." in _text(resp)
    assert not _logged_in(client)


def test_login_rehashes_a_password_hashed_with_other_parameters(client, app, login):
    old_hash = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1).hash(PASSWORD)
    user = UserFactory(password_hash=old_hash)
    db.session.commit()
    login(user)
    db.session.expire_all()
    assert user.password_hash != old_hash
    assert not passwords.needs_rehash(user.password_hash)
    assert passwords.verify_password(user.password_hash, PASSWORD)


def test_login_required_pages_send_anonymous_users_to_login_and_back(client, app):
    user = UserFactory()
    db.session.commit()
    resp = client.get("/account/password")
    assert resp.status_code == 302
    target = resp.headers["Location"]
    assert urlsplit(target).path == "/login" and "next=%2Faccount%2Fpassword" in target
    form = client.get(target)
    assert 'value="/account/password"' in _text(form)
    resp = client.post(target, data={"email": user.email, "password": PASSWORD, "next": "/account/password"})
    assert resp.headers["Location"] == "/account/password"


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example/", "/\\evil.example"])
def test_login_ignores_a_next_that_leaves_the_site(client, app, target):
    user = UserFactory()
    db.session.commit()
    resp = client.post("/login", query_string={"next": target},
                       data={"email": user.email, "password": PASSWORD, "next": target})
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/"


def test_session_cookie_is_httponly_and_samesite_lax(client, app):
    user = UserFactory()
    db.session.commit()
    resp = client.post("/login", data={"email": user.email, "password": PASSWORD})
    cookie = next(c for c in resp.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # development and tests run over plain http


def _csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_production_configuration_marks_the_session_cookie_secure(app, database_url, instance_dir):
    from app import create_app
    from config import ProductionConfig

    prod = create_app(ProductionConfig, SQLALCHEMY_DATABASE_URI=database_url, SECRET_KEY="p" * 40,
                      SERVER_NAME="gongmo.test", UPLOAD_DIR=str(instance_dir / "uploads"),
                      MAIL_DIR=str(instance_dir / "mail"), RATELIMIT_ENABLED=False,
                      LOG_FORMAT="text")  # production's JSON lines would stay on the test process's root logger
    user = UserFactory()
    db.session.commit()
    try:
        c = prod.test_client()
        base = {"base_url": "https://gongmo.test", "headers": {"Referer": "https://gongmo.test/login"}}
        token = _csrf_token(_text(c.get("/login", **base)))
        resp = c.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}, **base)
        assert resp.status_code == 302
        cookie = next(x for x in resp.headers.getlist("Set-Cookie") if x.startswith("session="))
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert "max-age=" in resp.headers["Strict-Transport-Security"]
    finally:
        with prod.app_context():
            db.engine.dispose()


def test_without_a_csrf_token_login_register_and_logout_are_refused(app, make_app):
    user = UserFactory()
    db.session.commit()
    strict = make_app(WTF_CSRF_ENABLED=True)
    audit_before = _count(AuditEntry)
    try:
        c = strict.test_client()
        resp = c.post("/login", data={"email": user.email, "password": PASSWORD})
        assert resp.status_code == 400
        resp = c.post("/register", data=_registration())
        assert resp.status_code == 400
        assert c.get("/account/password").status_code == 302  # still anonymous
        db.session.expire_all()
        assert _count(User) == 1 and _count(Organisation) == 1 and _count(AuditEntry) == audit_before
        assert _count(LoginThrottle) == 0

        # The same request with the page's token goes through: the token was what was missing.
        token = _csrf_token(_text(c.get("/login")))
        resp = c.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
        assert resp.status_code == 302
        # Nor can another site log the user out.
        assert c.post("/logout").status_code == 400
        assert c.get("/account/password").status_code == 200
    finally:
        with strict.app_context():
            db.engine.dispose()


def test_login_register_and_reset_requests_are_rate_limited(app, make_app):
    was_enabled = limiter.enabled
    limited = make_app(RATELIMIT_ENABLED=True)
    try:
        c = limited.test_client()
        codes = [c.post("/login", data={"email": "nobody@example.kr", "password": "x"}).status_code
                 for _ in range(11)]
        assert codes == [422] * 10 + [429]
        assert c.get("/login").status_code == 200  # reading the form is not limited
        codes = [c.post("/password/reset", data={"email": "nobody@example.kr"}).status_code for _ in range(11)]
        assert codes == [302] * 10 + [429]
        # Registration mails somebody each time: the same limit (empty forms count as well).
        codes = [c.post("/register", data={}).status_code for _ in range(11)]
        assert codes == [422] * 10 + [429]
        assert c.get("/register").status_code == 200
    finally:
        # The limiter is one object shared by every app of the test session.
        limiter.enabled = was_enabled
        with limited.app_context():
            db.engine.dispose()


# --- forgotten password --------------------------------------------------------------------

def test_reset_link_from_the_mail_sets_a_new_password_once(client, app, mailbox):
    user = UserFactory(email="choi@example.kr", name="최담당")
    db.session.commit()
    resp = _request_reset(client, "Choi@example.kr")
    assert RESET_ANSWER in _text(resp)

    [mail] = _mails(mailbox)
    assert mail["To"] == "choi@example.kr"
    assert mail["Subject"] == "[공모] 비밀번호 재설정 안내"
    assert "최담당 님" in mail.get_body(preferencelist=("plain",)).get_content()
    path = _reset_path(mail)
    assert path in mail.get_body(preferencelist=("html",)).get_content()

    assert client.get(path).status_code == 200
    resp = client.post(path, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert resp.status_code == 302 and urlsplit(resp.headers["Location"]).path == "/login"

    again = client.get(path)
    assert again.status_code == 400 and "만료되었거나 이미 사용되었습니다" in _text(again)
    assert client.post(path, data={"password": "Another-one-77", "password_confirm": "Another-one-77"}).status_code == 400

    assert GENERIC_LOGIN_ERROR in _text(client.post("/login", data={"email": user.email, "password": PASSWORD}))
    assert client.post("/login", data={"email": user.email, "password": NEW_PASSWORD}).status_code == 302
    assert {"user.password_reset_requested", "user.password_reset"} <= set(_actions())


def test_reset_link_expires_after_its_max_age(client, app, mailbox, clock):
    user = UserFactory()
    db.session.commit()
    _request_reset(client, user.email)
    path = _reset_path(_mails(mailbox)[0])
    max_age = app.config["PASSWORD_RESET_MAX_AGE"]

    clock.shift(timedelta(seconds=max_age - 60))
    assert client.get(path).status_code == 200
    clock.shift(timedelta(seconds=61))
    resp = client.post(path, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert resp.status_code == 400
    db.session.expire_all()
    assert passwords.verify_password(user.password_hash, PASSWORD)


def test_reset_refuses_a_weak_new_password(client, app, mailbox):
    user = UserFactory()
    db.session.commit()
    _request_reset(client, user.email)
    path = _reset_path(_mails(mailbox)[0])
    resp = client.post(path, data={"password": "weakweak", "password_confirm": "weakweak"})
    assert resp.status_code == 422 and "비밀번호는 10자 이상이어야 합니다." in _text(resp)
    db.session.expire_all()
    assert passwords.verify_password(user.password_hash, PASSWORD)
    assert client.get(path).status_code == 200  # the link is still good


def test_reset_for_an_unknown_or_inactive_address_answers_the_same_and_sends_nothing(client, app, mailbox):
    inactive = UserFactory(active=False)
    db.session.commit()
    unknown = _request_reset(client, "ghost@example.kr")
    dormant = _request_reset(client, inactive.email)
    assert RESET_ANSWER in _text(unknown) and RESET_ANSWER in _text(dormant)
    assert _mails(mailbox) == []
    assert _count(OutboxMessage) == 0


def test_a_forged_reset_token_is_refused(client, app):
    assert client.get("/password/reset/not-a-token").status_code == 400


# --- changing the password -----------------------------------------------------------------

def test_change_password_keeps_this_session_and_ends_the_others(app, login):
    user = UserFactory()
    db.session.commit()
    here = login(user)
    elsewhere = app.test_client()
    elsewhere.post("/login", data={"email": user.email, "password": PASSWORD})
    assert _logged_in(elsewhere)

    resp = here.post("/account/password", data={
        "current_password": PASSWORD, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert resp.status_code == 302
    assert _logged_in(here)
    assert not _logged_in(elsewhere)
    assert elsewhere.post("/login", data={"email": user.email, "password": NEW_PASSWORD}).status_code == 302
    assert "user.password_changed" in _actions()


@pytest.mark.parametrize("current, new, message", [
    ("Wrong-horse-9", NEW_PASSWORD, "현재 비밀번호가 올바르지 않습니다."),
    (PASSWORD, PASSWORD, "새 비밀번호가 현재 비밀번호와 같습니다."),
    (PASSWORD, "password", "비밀번호는 10자 이상이어야 합니다."),
])
def test_change_password_refusals_name_the_field(app, login, current, new, message):
    user = UserFactory()
    db.session.commit()
    client = login(user)
    resp = client.post("/account/password", data={
        "current_password": current, "password": new, "password_confirm": new})
    assert resp.status_code == 422 and message in _text(resp)
    db.session.expire_all()
    assert passwords.verify_password(user.password_hash, PASSWORD)
    assert "user.password_changed" not in _actions()
