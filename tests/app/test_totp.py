"""The optional second factor: enrolment, two-step login, replay, drift, throttling, switching off."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from urllib.parse import quote, urlsplit

import pyotp
import pytest
import segno
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, LoginThrottle, User
from app.accounts import totp
from app.accounts import credentials
from app.accounts import signin
from tests.factories import PASSWORD, UserFactory

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NEW_PASSWORD = "Better-staple-42"
WRONG_CODE_MESSAGE = "인증 코드가 올바르지 않습니다."
STEP = timedelta(seconds=30)


def _text(resp) -> str:
    return resp.get_data(as_text=True)


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def _logged_in(client) -> bool:
    return client.get("/account/password").status_code == 200


def _code(secret: str = SECRET, shift: timedelta = timedelta(0)) -> str:
    """What the phone shows now (the frozen clock), or ``shift`` away from now."""
    return pyotp.TOTP(secret).at(datetime.now(timezone.utc) + shift)


def _user_with_totp(role: str = "officer", **kwargs) -> User:
    user = UserFactory(roles=[role], **kwargs)
    user.totp_secret = totp.seal(SECRET, user.id)
    user.totp_enabled_at = datetime.now(timezone.utc)
    db.session.commit()
    return user


def _password_step(client, user, password: str = PASSWORD, **data):
    return client.post("/login", data={"email": user.email, "password": password, **data})


def _failures(user) -> dict[str, int]:
    """The login throttle's counters of the user's address: per client address, and "*" for all."""
    db.session.expire_all()
    return {row.client: row.failures for row in db.session.scalars(
        select(LoginThrottle).where(LoginThrottle.email == user.email))}


def _login_with_code(client, user, code: str):
    first = _password_step(client, user)
    assert first.status_code == 302 and urlsplit(first.headers["Location"]).path == "/login/code"
    return client.post("/login/code", data={"code": code})


# --- enrolment -----------------------------------------------------------------------------

def test_an_officer_turns_it_on_by_scanning_the_qr_and_confirming_a_code(client, app, login, clock):
    officer = UserFactory(roles=["officer"], email="officer@kicox.or.kr")
    db.session.commit()
    login(officer)
    account = _text(client.get("/account/password"))
    assert "/account/totp" in account and "사용 안 함" in account

    assert client.post("/account/totp/start").status_code == 302
    resp = client.get("/account/totp")
    assert resp.headers["Cache-Control"] == "no-store"
    page = _text(resp)
    grouped = re.search(r"<code>([A-Z2-7 ]+)</code>", page).group(1)
    secret = grouped.replace(" ", "")
    assert len(secret) == 32 and grouped == " ".join(secret[i:i + 4] for i in range(0, 32, 4))
    # The QR on the page is the otpauth URI with issuer Gongmo and the officer's address.
    uri = f"otpauth://totp/Gongmo:{quote(officer.email)}?secret={secret}&issuer=Gongmo"
    drawn = segno.make(uri, error="m").svg_inline(scale=4, lineclass=None, light="#fff", dark="#000")
    modules = max(re.findall(r' d="([^"]+)"', drawn), key=len)
    assert '<svg width="' in page and modules in page
    assert "<script" not in page.split("<main", 1)[1].split("</main>")[0]

    db.session.expire_all()
    assert not totp.is_enabled(officer)
    assert secret not in officer.totp_secret  # sealed, not the base32 itself

    resp = client.post("/account/totp/confirm", data={"code": _code(secret, -3 * STEP)})
    assert resp.status_code == 422 and WRONG_CODE_MESSAGE in _text(resp)
    assert 'id="code-error"' in _text(resp)
    db.session.expire_all()
    assert not totp.is_enabled(officer)

    resp = client.post("/account/totp/confirm", data={"code": _code(secret)})
    assert resp.status_code == 302
    db.session.expire_all()
    assert totp.is_enabled(officer)
    assert "사용 중" in _text(client.get("/account/password"))
    assert _actions()[-3:] == ["user.totp_setup_started", "user.totp_failed", "user.totp_enabled"]
    # Neither the secret nor any code reaches the audit log.
    for entry in db.session.scalars(select(AuditEntry)):
        assert secret not in str(entry.data) and _code(secret) not in str(entry.data)


def test_the_code_that_confirmed_enrolment_cannot_log_in_again(client, app, login, clock):
    reviewer = UserFactory(roles=["reviewer"])
    db.session.commit()
    login(reviewer)
    client.post("/account/totp/start")
    db.session.expire_all()
    secret = totp.enrolment_secret(reviewer)
    assert client.post("/account/totp/confirm", data={"code": _code(secret)}).status_code == 302
    client.post("/logout")

    resp = _login_with_code(client, reviewer, _code(secret))
    assert resp.status_code == 422 and not _logged_in(client)
    clock.shift(STEP)
    assert client.post("/login/code", data={"code": _code(secret)}).status_code == 302
    assert _logged_in(client)


def test_applicants_are_not_offered_the_second_factor(client, app, login):
    applicant = UserFactory(roles=["applicant"])
    db.session.commit()
    login(applicant)
    assert "/account/totp" not in _text(client.get("/account/password"))
    assert client.get("/account/totp").status_code == 403
    assert client.post("/account/totp/start").status_code == 403
    db.session.expire_all()
    assert applicant.totp_secret is None


# --- logging in ----------------------------------------------------------------------------

def test_login_takes_two_steps_and_nobody_is_logged_in_between(client, app, clock):
    officer = _user_with_totp()
    resp = _password_step(client, officer, next="/account/password")
    assert resp.status_code == 302 and resp.headers["Location"] == "/login/code"
    assert not _logged_in(client)
    form = _text(client.get("/login/code"))
    assert 'autocomplete="one-time-code"' in form and 'for="code"' in form

    resp = client.post("/login/code", data={"code": _code()})
    assert resp.status_code == 302 and resp.headers["Location"] == "/account/password"
    assert _logged_in(client)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.login")).one()
    assert entry.data == {"second_factor": "totp"}


def test_a_wrong_code_sends_back_the_form_and_does_not_log_in(client, app, clock):
    officer = _user_with_totp()
    resp = _login_with_code(client, officer, _code(shift=5 * STEP))
    assert resp.status_code == 422 and WRONG_CODE_MESSAGE in _text(resp)
    assert not _logged_in(client)
    resp = client.post("/login/code", data={"code": "12345"})
    assert resp.status_code == 422 and "인증 코드는 숫자 6자리입니다." in _text(resp)
    # The form's own refusal (not six digits) is not a guess and costs nothing.
    assert _failures(officer)["127.0.0.1"] == 1
    # Spaces as the app shows them are fine.
    code = _code()
    assert client.post("/login/code", data={"code": f"{code[:3]} {code[3:]}"}).status_code == 302


def test_a_code_opens_the_door_once(app, clock):
    officer = _user_with_totp()
    phone = app.test_client()
    assert _login_with_code(phone, officer, _code()).status_code == 302

    # Someone who saw the code over the shoulder, within the same 30 seconds.
    thief = app.test_client()
    resp = _login_with_code(thief, officer, _code())
    assert resp.status_code == 422 and not _logged_in(thief)
    assert db.session.scalars(select(AuditEntry.data).where(AuditEntry.action == "user.login_failed")).one() \
        == {"reason": "reused_code", "failures": 1}

    clock.shift(STEP)
    assert _login_with_code(thief, officer, _code()).status_code == 302  # the next code is a new one


@pytest.mark.parametrize("steps, accepted", [(-1, True), (1, True), (-2, False), (2, False)])
def test_one_step_of_clock_drift_is_allowed_either_way(client, app, clock, steps, accepted):
    officer = _user_with_totp()
    resp = _login_with_code(client, officer, _code(shift=steps * STEP))
    assert (resp.status_code == 302) is accepted
    assert _logged_in(client) is accepted


def test_wrong_codes_and_wrong_passwords_share_one_throttle(client, app, clock):
    officer = _user_with_totp()
    wrong = _code(shift=10 * STEP)
    for _ in range(2):
        assert _password_step(client, officer, "Wrong-horse-9").status_code == 422
    # A right password does not wipe the count: otherwise codes could be guessed forever.
    resp = _login_with_code(client, officer, wrong)
    assert resp.status_code == 422 and WRONG_CODE_MESSAGE in _text(resp)
    assert _failures(officer) == {"127.0.0.1": 3, "*": 3}

    # The third failure in a row: the next try waits a second, even with the right code.
    resp = client.post("/login/code", data={"code": _code()})
    assert resp.status_code == 422 and "로그인 시도가 너무 많습니다. 1초 뒤에 다시 시도하십시오." in _text(resp)
    assert not _logged_in(client)
    assert _failures(officer)["127.0.0.1"] == 3  # an early try is not counted
    assert _actions()[-1] == "user.login_failed"

    clock.shift(timedelta(seconds=1))
    assert client.post("/login/code", data={"code": _code()}).status_code == 302
    assert _logged_in(client)
    assert _failures(officer) == {"127.0.0.1": 0, "*": 0}


def test_the_code_step_waits_five_minutes(client, app, clock):
    officer = _user_with_totp()
    _password_step(client, officer)
    clock.shift(timedelta(minutes=5))
    resp = client.post("/login/code", data={"code": _code()})
    assert resp.status_code == 302 and resp.headers["Location"] == "/login"
    assert "로그인 시간이 지났습니다." in _text(client.get("/login"))
    assert not _logged_in(client)
    assert client.get("/login/code").status_code == 302  # nothing pending any more


def test_the_code_step_without_a_password_first_goes_back_to_login(client, app):
    resp = client.post("/login/code", data={"code": "123456"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/login"


def test_users_without_the_factor_still_log_in_in_one_step(client, app, clock):
    officer = UserFactory(roles=["officer"])
    db.session.commit()
    resp = _password_step(client, officer)
    assert resp.status_code == 302 and resp.headers["Location"] == "/"
    assert _logged_in(client)


# --- passwords and keys --------------------------------------------------------------------

def test_a_password_reset_keeps_the_factor_on_and_voids_a_pending_login(client, app, clock):
    officer = _user_with_totp()
    _password_step(client, officer)
    credentials.reset_password(officer, NEW_PASSWORD)
    db.session.commit()

    # The old password's pending step does not survive the reset.
    resp = client.post("/login/code", data={"code": _code()})
    assert resp.headers["Location"] == "/login" and not _logged_in(client)

    assert totp.is_enabled(officer)
    assert _password_step(client, officer, NEW_PASSWORD).headers["Location"] == "/login/code"
    assert not _logged_in(client)
    assert client.post("/login/code", data={"code": _code()}).status_code == 302


def test_the_secret_is_sealed_with_the_secret_key(app, monkeypatch):
    officer = _user_with_totp()
    assert totp.unseal(officer.totp_secret, officer.id) == SECRET
    assert totp.unseal(officer.totp_secret, officer.id + 1) is None  # bound to its row

    monkeypatch.setitem(app.config, "SECRET_KEY", "rotated-key")
    assert totp.unseal(officer.totp_secret, officer.id) is None
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", ["test-secret"])
    assert totp.unseal(officer.totp_secret, officer.id) == SECRET


def test_an_unreadable_secret_refuses_the_login_without_counting_it(app, clock, monkeypatch):
    officer = _user_with_totp()
    monkeypatch.setitem(app.config, "SECRET_KEY", "rotated-key")
    outcome = signin.complete_login(officer.id, credentials.password_stamp(officer), _code())
    assert outcome.status == "unreadable"
    assert _failures(officer) == {}


# --- switching it off ----------------------------------------------------------------------

def test_switching_off_needs_the_password_and_a_current_code(client, app, clock):
    officer = _user_with_totp()
    assert _login_with_code(client, officer, _code()).status_code == 302
    clock.shift(STEP)

    resp = client.post("/account/totp/disable", data={"password": "Wrong-horse-9", "code": _code()})
    assert resp.status_code == 422 and "현재 비밀번호가 올바르지 않습니다." in _text(resp)
    resp = client.post("/account/totp/disable", data={"password": PASSWORD, "code": _code(shift=4 * STEP)})
    assert resp.status_code == 422 and "인증 코드가 올바르지 않거나 이미 사용한 코드입니다." in _text(resp)
    db.session.expire_all()
    assert totp.is_enabled(officer)

    assert client.post("/account/totp/disable", data={"password": PASSWORD, "code": _code()}).status_code == 302
    db.session.expire_all()
    assert not totp.is_enabled(officer) and officer.totp_secret is None
    assert _actions()[-2:] == ["user.totp_failed", "user.totp_disabled"]

    client.post("/logout")
    assert _password_step(client, officer).headers["Location"] == "/"


def test_someone_who_lost_the_role_can_still_switch_it_off(client, app, clock):
    former = _user_with_totp(role="applicant")
    assert _login_with_code(client, former, _code()).status_code == 302
    assert client.get("/account/totp").status_code == 200


def test_an_administrator_switches_it_off_for_a_lost_phone(client, app, clock):
    officer = _user_with_totp()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "totp-off", officer.email.upper()])
    assert result.exit_code == 0 and "switched off" in result.output
    db.session.expire_all()
    assert not totp.is_enabled(officer) and officer.totp_secret is None
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.totp_disabled")).one()
    assert entry.data == {"by_administrator": True, "via": "cli"}
    assert _password_step(client, officer).headers["Location"] == "/"

    assert "has no second factor" in runner.invoke(args=["users", "totp-off", officer.email]).output
    assert runner.invoke(args=["users", "totp-off", "nobody@example.kr"]).exit_code != 0
