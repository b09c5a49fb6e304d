"""Growing delays per (address, client) and across clients, instead of a lock-out anyone could trigger.

Issue 9, item 7: five wrong passwords locked the account even against the right one.
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import LoginThrottle
from app.accounts import login_throttle
from tests.factories import PASSWORD, UserFactory

WRONG = "Wrong-horse-9"
GENERIC = "이메일 또는 비밀번호가 올바르지 않습니다."


def _text(resp) -> str:
    return resp.get_data(as_text=True)


def _from(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _try(client, email: str, password: str):
    return client.post("/login", data={"email": email, "password": password})


def _wait_message(resp) -> str | None:
    found = re.search(r"로그인 시도가 너무 많습니다\. (\d+(?:초|분)) 뒤에", _text(resp))
    return found.group(1) if found else None


def _logged_in(client) -> bool:
    return client.get("/account/password").status_code == 200


def _comparable(resp, email: str) -> str:
    return re.sub(r'(name="csrf_token"[^>]*value=)"[^"]*"', r"\1", _text(resp).replace(email, "X"))


def test_the_owner_gets_in_from_another_address_while_a_stranger_keeps_failing(app, clock):
    user = UserFactory()
    db.session.commit()
    stranger = _from(app, "198.51.100.7")
    for _ in range(8):
        clock.shift(timedelta(minutes=1))
        _try(stranger, user.email, WRONG)
    assert _wait_message(_try(stranger, user.email, PASSWORD)) is not None  # the stranger is slowed down
    owner = _from(app, "192.0.2.10")
    assert _try(owner, user.email, PASSWORD).status_code == 302
    assert _logged_in(owner)


def test_after_three_failures_each_attempt_waits_twice_as_long_up_to_fifteen_minutes(app, clock):
    user = UserFactory()
    db.session.commit()
    client = _from(app, "192.0.2.20")
    for _ in range(3):
        assert GENERIC in _text(_try(client, user.email, WRONG))
    expected = ["1초", "2초", "4초", "8초", "16초", "32초", "2분", "3분", "5분", "9분", "15분", "15분"]
    for n, wait in enumerate(expected, start=3):
        # Early, even with the right password: refused with the wait, and not counted.
        early = _try(client, user.email, PASSWORD)
        assert early.status_code == 422 and _wait_message(early) == wait, (n, _wait_message(early))
        assert GENERIC not in _text(early)
        seconds = min(2 ** (n - 3), 900)
        clock.shift(timedelta(seconds=seconds))
        assert GENERIC in _text(_try(client, user.email, WRONG))
    row = db.session.scalars(select(LoginThrottle).where(LoginThrottle.client == "192.0.2.20")).one()
    assert row.failures == 3 + len(expected)


def test_an_early_attempt_does_not_reveal_the_password_nor_lengthen_the_wait(app, clock):
    user = UserFactory()
    db.session.commit()
    client = _from(app, "192.0.2.30")
    for _ in range(4):
        _try(client, user.email, WRONG)
    right, wrong = _try(client, user.email, PASSWORD), _try(client, user.email, WRONG)
    assert right.status_code == wrong.status_code == 422
    assert _comparable(right, user.email) == _comparable(wrong, user.email)
    clock.shift(timedelta(seconds=2))  # the wait after the fourth failure, not more
    assert _try(client, user.email, PASSWORD).status_code == 302


def test_an_unknown_address_is_throttled_exactly_like_a_known_one(app, clock):
    user = UserFactory(email="known@example.kr")
    db.session.commit()
    known, unknown = _from(app, "192.0.2.40"), _from(app, "192.0.2.41")
    for step in range(6):
        a = _try(known, "known@example.kr", WRONG)
        b = _try(unknown, "ghost@example.kr", WRONG)
        assert a.status_code == b.status_code, step
        assert _comparable(a, "known@example.kr") == _comparable(b, "ghost@example.kr"), step
    assert user.id  # the known one exists; nothing in the answers said so


def test_many_addresses_slow_down_the_account_but_not_a_client_that_signed_in_before(app, clock):
    user = UserFactory()
    db.session.commit()
    usual = _from(app, "192.0.2.50")
    assert _try(usual, user.email, PASSWORD).status_code == 302
    usual.post("/logout")
    # A guesser with five addresses, two tries each: never three from one, yet ten in all.
    for i in range(5):
        guesser = _from(app, f"203.0.113.{i + 1}")
        for _ in range(2):
            assert _wait_message(_try(guesser, user.email, WRONG)) is None
    # From here on every new address waits, growing like the per-address wait.
    fresh = _from(app, "203.0.113.200")
    resp = _try(fresh, user.email, PASSWORD)
    assert resp.status_code == 422 and _wait_message(resp) == "1초"
    # The owner's usual client is exempt from the account-wide wait.
    assert _try(usual, user.email, PASSWORD).status_code == 302
    # And the account-wide count starts afresh after a complete sign-in.
    assert _try(fresh, user.email, PASSWORD).status_code == 302


def test_every_web_process_sees_the_same_counters(app, make_app, clock):
    """The counters live in the database: another app instance (another process) refuses too."""
    user = UserFactory()
    db.session.commit()
    first = _from(app, "192.0.2.60")
    for _ in range(3):
        _try(first, user.email, WRONG)
    other_process = make_app()
    try:
        second = _from(other_process, "192.0.2.60")
        assert _wait_message(_try(second, user.email, PASSWORD)) == "1초"
    finally:
        with other_process.app_context():
            db.engine.dispose()


def test_a_password_reset_lifts_the_wait(app, clock):
    from app.accounts import credentials

    user = UserFactory()
    db.session.commit()
    client = _from(app, "192.0.2.70")
    for _ in range(6):
        clock.shift(timedelta(seconds=10))
        _try(client, user.email, WRONG)
    assert _wait_message(_try(client, user.email, PASSWORD)) is not None
    credentials.reset_password(user, "Better-staple-42")
    db.session.commit()
    assert _try(client, user.email, "Better-staple-42").status_code == 302


def test_a_quiet_day_starts_the_count_afresh_and_old_rows_are_dropped(app, clock):
    user = UserFactory()
    db.session.commit()
    client = _from(app, "192.0.2.80")
    for _ in range(5):
        _try(client, user.email, WRONG)
        clock.shift(timedelta(seconds=30))
    clock.shift(timedelta(days=1))
    for _ in range(2):
        assert _wait_message(_try(client, user.email, WRONG)) is None
    clock.shift(timedelta(days=31))
    _try(_from(app, "192.0.2.81"), "someone@example.kr", WRONG)
    left = db.session.scalar(select(func.count()).select_from(LoginThrottle).where(LoginThrottle.email == user.email))
    assert left == 0


@pytest.mark.parametrize("remote, key", [
    ("192.0.2.1", "192.0.2.1"),
    ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),  # one subscriber's /64 counts as one client
    ("::ffff:192.0.2.1", "192.0.2.1"),
    ("", "unknown"),
    (None, "unknown"),
])
def test_the_client_key(remote, key):
    assert login_throttle.client_key(remote) == key


def test_concurrent_failures_are_all_counted(app, db_backend):
    """Several processes failing at once for one address: no count is lost, no row is made twice."""
    if db_backend != "postgresql":
        pytest.skip("SQLite serialises writers by refusing them; production runs on PostgreSQL")
    import threading

    from app.accounts import signin

    user = UserFactory()
    db.session.commit()
    email, errors = user.email, []
    start = threading.Barrier(8)

    def attempt(i: int) -> None:
        try:
            with app.app_context():
                start.wait()
                signin.authenticate(email, WRONG, f"198.51.100.{i}")
                db.session.commit()
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors
    db.session.expire_all()
    rows = {row.client: row.failures for row in db.session.scalars(select(LoginThrottle))}
    assert rows.pop("*") == 8
    assert rows == {f"198.51.100.{i}": 1 for i in range(8)}
