"""Attacks that only show over a real socket: a forged Host header and a forged session cookie.

The app is served for real on 127.0.0.1 (werkzeug's server in a thread, as the browser tests
do, or ``flask --app wsgi run`` in a subprocess, as ``make run`` does) and spoken to with
``http.client``, which sends exactly the headers written here.
"""
from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from email import policy
from email.parser import BytesParser
from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from app.extensions import db
from tests import services
from tests.factories import PASSWORD, UserFactory

REPO = Path(__file__).resolve().parents[2]
SITE_URL = "https://portal.gongmo.test"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@contextmanager
def serving(application):
    """``application`` on a free port of 127.0.0.1 for the block; yields the port."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="gongmo-attack-server", daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with application.app_context():
            db.engine.dispose()


def http_request(port: int, method: str, path: str, *, body: dict | None = None, headers: dict | None = None):
    """One raw request; returns (status, headers as a dict of lists, body text)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        data = urlencode(body) if body is not None else None
        conn.request(method, path, body=data, headers={**(FORM if body is not None else {}), **(headers or {})})
        resp = conn.getresponse()
        got: dict[str, list[str]] = {}
        for name, value in resp.getheaders():
            got.setdefault(name.lower(), []).append(value)
        return resp.status, got, resp.read().decode("utf-8", "replace")
    finally:
        conn.close()


def mails_in(folder: Path) -> list:
    return [BytesParser(policy=policy.default).parsebytes(f.read_bytes()) for f in sorted(folder.glob("*.eml"))]


def _links(mail) -> list[str]:
    text = mail.get_body(("plain",)).get_content() + mail.get_body(("html",)).get_content()
    return re.findall(r"https?://[^\s\"'<>]+", text)


# --- a forged Host header -------------------------------------------------------------------

@pytest.fixture
def reset_server(app, make_app, tmp_path):
    """A server whose mails land in a folder of this test; SITE_URL is not the address it listens on."""
    served = make_app(SERVER_NAME=None, SITE_URL=SITE_URL, TASKS_EAGER=True, MAIL_BACKEND="file",
                      MAIL_DIR=str(tmp_path / "mail"))
    served.mail_dir = tmp_path / "mail"
    return served


def test_a_forged_host_is_refused_before_any_mail_is_built(reset_server):
    victim = UserFactory(email="victim@example.kr")
    db.session.commit()
    with serving(reset_server) as port:
        for forged in ({"Host": "evil.example"}, {"Host": f"evil.example:{port}"},
                       {"Host": "127.0.0.1", "X-Forwarded-Host": "evil.example"}):
            status, _, _ = http_request(port, "POST", "/password/reset", body={"email": victim.email}, headers=forged)
            if "X-Forwarded-Host" in forged:
                # No proxy is trusted: the header is ignored and the honest host serves the request.
                assert status in (200, 302, 303)
            else:
                assert status == 400, forged
    # Only the request with the honest Host was answered, and its link is on SITE_URL.
    mails = mails_in(reset_server.mail_dir)
    assert len(mails) == 1
    links = _links(mails[0])
    assert links and all(link.startswith(SITE_URL + "/") for link in links), links
    assert "evil.example" not in str(mails[0])


def test_mailed_links_come_from_site_url_even_when_the_host_check_is_off(reset_server):
    """Defence in depth: with TRUSTED_HOSTS switched off, a forged Host still never reaches a mail."""
    victim = UserFactory(email="victim2@example.kr")
    db.session.commit()
    reset_server.config["TRUSTED_HOSTS"] = None  # a deployment that forgot the host list
    with serving(reset_server) as port:
        status, headers, _ = http_request(port, "POST", "/password/reset", body={"email": victim.email},
                                          headers={"Host": "evil.example"})
        assert status in (200, 302, 303)
        # Redirects are relative too: nothing in the answer names the forged host.
        assert "evil.example" not in " ".join(headers.get("location", []))
    mails = mails_in(reset_server.mail_dir)
    assert len(mails) == 1 and mails[0]["To"] == victim.email
    links = _links(mails[0])
    assert any("/password/reset/" in link for link in links)
    assert all(link.startswith(SITE_URL + "/") for link in links), links
    assert "evil.example" not in str(mails[0])


def test_the_configured_proxy_may_name_the_host_only_among_trusted_ones(app, make_app, tmp_path):
    """Behind one trusted proxy, X-Forwarded-Host is believed, so the host list is what stops it."""
    victim = UserFactory(email="victim3@example.kr")
    db.session.commit()
    proxied = make_app(SERVER_NAME=None, SITE_URL=SITE_URL, TRUSTED_PROXIES=1, MAIL_DIR=str(tmp_path / "mail"))
    with serving(proxied) as port:
        status, _, _ = http_request(port, "POST", "/password/reset", body={"email": victim.email},
                                    headers={"X-Forwarded-Host": "evil.example", "X-Forwarded-For": "203.0.113.9"})
        assert status == 400
        status, _, _ = http_request(port, "POST", "/password/reset", body={"email": victim.email},
                                    headers={"X-Forwarded-Host": "portal.gongmo.test", "X-Forwarded-For": "203.0.113.9",
                                             "X-Forwarded-Proto": "https"})
        assert status in (200, 302, 303)
    mails = mails_in(tmp_path / "mail")
    assert len(mails) == 1 and all(link.startswith(SITE_URL + "/") for link in _links(mails[0]))


# --- a session cookie signed with the old published key ---------------------------------------

OLD_PUBLISHED_KEY = "dev-only-not-secret"


def _serializer(key: str):
    holder = Flask("forger")
    holder.secret_key = key
    return SecureCookieSessionInterface().get_signing_serializer(holder)


class DevServer:
    """``flask --app wsgi run`` with GONGMO_CONFIG=development, as ``make run`` starts it."""

    def __init__(self, instance: Path, database_url: str, log: Path):
        self.instance, self.database_url, self.log = instance, database_url, log
        self.port = services.free_port()
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "DevServer":
        env = {k: v for k, v in os.environ.items()
               if k not in ("SECRET_KEY", "REDIS_URL", "SITE_URL", "TRUSTED_HOSTS", "TRUSTED_PROXIES", "GONGMO_SETTINGS")}
        env.update(GONGMO_CONFIG="development", GONGMO_INSTANCE=str(self.instance), DATABASE_URL=self.database_url,
                   PYTHONUNBUFFERED="1")
        self._fh = open(self.log, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "run", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=REPO, env=env, stdout=self._fh, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            try:
                http_request(self.port, "GET", "/static/css/gongmo.css")
                return self
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.__exit__()
                    raise RuntimeError("the development server did not start:\n" + self.log.read_text()[-3000:])
                time.sleep(0.2)

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._fh.close()


def _cookie(headers: dict) -> str:
    for value in headers.get("set-cookie", []):
        if value.startswith("session="):
            return value.split(";", 1)[0].split("=", 1)[1]
    raise AssertionError(f"no session cookie in {headers.get('set-cookie')}")


def _log_in(port: int, email: str) -> str:
    status, headers, html = http_request(port, "GET", "/login")
    assert status == 200
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    status, headers, body = http_request(
        port, "POST", "/login", body={"email": email, "password": PASSWORD, "csrf_token": token},
        headers={"Cookie": f"session={_cookie(headers)}", "Referer": f"http://127.0.0.1:{port}/login"})
    assert status == 302, body[:2000]
    return _cookie(headers)


def _page(port: int, cookie: str) -> int:
    status, headers, _ = http_request(port, "GET", "/account/password", headers={"Cookie": f"session={cookie}"})
    return status


@pytest.mark.slow
def test_a_session_forged_with_the_old_published_key_is_refused_by_make_run(app, database_url, tmp_path):
    admin = UserFactory(roles=["admin"], email="admin@example.go.kr")
    db.session.commit()
    instance = tmp_path / "instance"
    with DevServer(instance, database_url, tmp_path / "dev-server.log") as server:
        real = _log_in(server.port, admin.email)
        assert _page(server.port, real) == 200  # the real cookie opens the page: the probe works

        # What the attacker of the issue did: the admin's session (its content is readable
        # without any key), signed again with the published key.
        _, payload = _serializer("not needed to read").loads_unsafe(real)
        for forged_payload in (payload, {"_user_id": str(admin.id), "_fresh": True}):
            forged = _serializer(OLD_PUBLISHED_KEY).dumps(dict(forged_payload))
            assert _page(server.port, forged) == 302  # to the login form: nobody is signed in

        key_file = instance / "secret_key"
        assert key_file.stat().st_mode & 0o777 == 0o600
        key = key_file.read_text().strip()
        assert len(key) >= 32 and key != OLD_PUBLISHED_KEY
        assert _serializer(key).loads(real) == payload  # the instance key is the one that signs

    # The key is kept across restarts: the same session still works, the forged one still does not.
    with DevServer(instance, database_url, tmp_path / "dev-server-2.log") as server:
        assert key_file.read_text().strip() == key
        assert _page(server.port, real) == 200
        assert _page(server.port, _serializer(OLD_PUBLISHED_KEY).dumps(dict(payload))) == 302
