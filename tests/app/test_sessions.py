"""Server-side sessions: a copied or forged cookie is worth nothing once its session has ended.

Issue 9, item 2: a copied session cookie kept working after logout, and reactivating an
account revived its old cookies. The cookie now names a row of ``user_sessions``.
"""
from __future__ import annotations

import http.client
import re
import threading
from urllib.parse import urlencode, urlsplit

import pytest
from flask_login.utils import encode_cookie
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, UserSession
from app.accounts import sessions
from app.accounts import credentials
from tests.factories import PASSWORD, UserFactory
from tests.support import sign_in

NEW_PASSWORD = "Better-staple-42"


def _logged_in(client) -> bool:
    return client.get("/account/password").status_code == 200


def _cookie(client, name: str = "session") -> str:
    cookie = client.get_cookie(name, domain="gongmo.test")
    assert cookie is not None, f"no {name} cookie"
    return cookie.value


def _copy_to_new_client(app, value: str, name: str = "session"):
    thief = app.test_client()
    thief.set_cookie(name, value, domain="gongmo.test")
    return thief


def _signed_session(app, data: dict) -> str:
    """A session cookie signed with the app's own key: what somebody who knows SECRET_KEY can make."""
    return app.session_interface.get_signing_serializer(app).dumps(data)


def test_a_copied_cookie_stops_working_at_logout(client, app, login):
    user = UserFactory()
    db.session.commit()
    login(user)
    copied = _cookie(client)
    thief = _copy_to_new_client(app, copied)
    assert _logged_in(thief)  # a copy works while the session lasts: that is what a cookie is

    client.post("/logout")
    assert not _logged_in(client)
    assert not _logged_in(thief)
    row = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)).one()
    assert row.revoked_at is not None


def test_deactivating_ends_every_session_and_reactivating_revives_none(client, app, login):
    admin = UserFactory(roles=["admin"])
    user = UserFactory()
    db.session.commit()
    laptop, phone = app.test_client(), app.test_client()
    for device in (laptop, phone):
        assert device.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    copied = _cookie(laptop)

    login(admin, PASSWORD)
    client.post(f"/admin/users/{user.id}/active", data={"active": "off"})
    assert not _logged_in(laptop) and not _logged_in(phone)
    client.post(f"/admin/users/{user.id}/active", data={"active": "on"})
    db.session.refresh(user)
    assert user.active
    # Before this change the account's id was all a cookie held, so the old cookies came back to life.
    assert not _logged_in(laptop) and not _logged_in(phone)
    assert not _logged_in(_copy_to_new_client(app, copied))
    assert sessions.live_count(user) == 0
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.deactivated")).one()
    assert entry.data["sessions_ended"] == 2
    # The owner simply logs in again.
    assert laptop.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302


def test_changing_the_password_ends_the_other_sessions_only(app, login):
    user = UserFactory()
    db.session.commit()
    here = login(user)
    elsewhere = app.test_client()
    elsewhere.post("/login", data={"email": user.email, "password": PASSWORD})
    resp = here.post("/account/password", data={
        "current_password": PASSWORD, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert resp.status_code == 302
    assert _logged_in(here) and not _logged_in(elsewhere)
    assert sessions.live_count(user) == 1


def test_a_password_reset_ends_every_session(app, login):
    user = UserFactory()
    db.session.commit()
    client = login(user)
    credentials.reset_password(user, NEW_PASSWORD)
    db.session.commit()
    assert not _logged_in(client)


def test_a_cookie_forged_with_the_secret_key_opens_nothing(app, client):
    """Whoever knows SECRET_KEY can sign any session, but cannot invent a live session's token."""
    user = UserFactory(roles=["admin"])
    db.session.commit()
    stamp = int(user.password_changed_at.timestamp())
    for forged_id in (f"{user.id}:{stamp}", str(user.id), "x" * 43):
        thief = _copy_to_new_client(app, _signed_session(app, {"_user_id": forged_id, "_fresh": True}))
        assert not _logged_in(thief), forged_id
        assert thief.get("/admin/users").status_code == 302


def test_a_remember_cookie_follows_the_same_rule(app, login):
    """Flask-Login's remember-me cookie names the same session: ended means ended."""
    user = UserFactory()
    db.session.commit()
    client = login(user)
    token = _cookie(client)  # only to learn the session token below
    live = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)).one()
    session_token = app.session_interface.get_signing_serializer(app).loads(token)["_user_id"]
    assert sessions._digest(session_token) == live.token_hash  # the cookie holds the token, the row its hash

    remembered = _copy_to_new_client(app, encode_cookie(session_token), name="remember_token")
    assert _logged_in(remembered)
    client.post("/logout")
    again = _copy_to_new_client(app, encode_cookie(session_token), name="remember_token")
    assert not _logged_in(again)


def test_the_database_holds_no_usable_token(app, login):
    user = UserFactory()
    db.session.commit()
    client = login(user)
    token = app.session_interface.get_signing_serializer(app).loads(_cookie(client))["_user_id"]
    row = db.session.scalars(select(UserSession)).one()
    assert token not in (row.token_hash, str(row.id)) and len(token) >= 40
    assert row.client == "127.0.0.1"
    # A session id made of the row's stored hash is not a token.
    assert sessions.load(row.token_hash) is None


def test_an_unverified_account_has_no_session_even_with_a_row(app):
    """Defence in depth: whatever made a session row, an unproved address loads nobody."""
    user = UserFactory(unverified=True)
    client = sign_in(app.test_client(), user)
    assert sessions.live_count(user) == 1
    assert not _logged_in(client)


# --- the same, as raw HTTP against a real server --------------------------------------------


@pytest.fixture
def served(make_app):
    """The app behind werkzeug's HTTP server on 127.0.0.1 (a thread), spoken to with raw HTTP."""
    from werkzeug.serving import make_server

    served_app = make_app(SERVER_NAME=None)
    server = make_server("127.0.0.1", 0, served_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with served_app.app_context():
            db.engine.dispose()


def _http(server, method: str, path: str, *, cookie: str | None = None, form: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
    headers = {"Cookie": cookie} if cookie else {}
    body = None
    if form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    resp = conn.getresponse()
    resp.read()
    conn.close()
    return resp


def test_raw_http_a_replayed_cookie_is_refused_after_logout(app, served):
    user = UserFactory()
    db.session.commit()
    resp = _http(served, "POST", "/login", form={"email": user.email, "password": PASSWORD})
    assert resp.status == 302
    cookie = re.match(r"(session=[^;]+)", resp.getheader("Set-Cookie")).group(1)
    assert _http(served, "GET", "/account/password", cookie=cookie).status == 200

    assert _http(served, "POST", "/logout", cookie=cookie).status == 302
    replay = _http(served, "GET", "/account/password", cookie=cookie)
    assert replay.status == 302 and urlsplit(replay.getheader("Location")).path == "/login"
