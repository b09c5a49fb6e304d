"""Security headers on every kind of page, and no redirect that leaves the portal."""
from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

import pytest
from flask import url_for

from config import ProductionConfig
from tests.factories import UserFactory
from tests.security.test_permission_matrix import EXPECTED, _url
from tests.support import sign_in

# Pages rendered as each persona: between them they open every GET page of the portal.
RENDERED_AS = ("anon", "owner", "pledged", "recused", "officer", "admin")
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE), "inline <script>"),
    (re.compile(r"<style\b", re.IGNORECASE), "<style> block"),
    (re.compile(r"\sstyle\s*=", re.IGNORECASE), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.IGNORECASE), "event handler attribute"),
    (re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE), "javascript: URL"),
]


def _csp(resp) -> dict[str, str]:
    policy = resp.headers.get("Content-Security-Policy", "")
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


def test_every_page_carries_the_security_headers_and_nothing_inline_the_policy_would_block(app, world):
    """The CSP allows no inline code, so a page with any would break in the browser: none may have it."""
    wrong = []
    seen = 0
    for persona in RENDERED_AS:
        client = app.test_client()
        sign_in(client, world.user(persona))
        for (endpoint, method), row in sorted(EXPECTED.items()):
            if method != "GET" or row[persona] != "ok" or endpoint == "static":
                continue
            resp = client.get(_url(app, world, endpoint))
            headers = resp.headers
            if headers.get("X-Frame-Options") != "DENY" or headers.get("X-Content-Type-Options") != "nosniff":
                wrong.append(f"{endpoint} as {persona}: framing/sniffing headers missing")
            csp = _csp(resp)
            if "'unsafe-inline'" in headers.get("Content-Security-Policy", "") or \
                    csp.get("script-src") != "script-src 'self'" or "frame-ancestors 'none'" not in csp.values():
                wrong.append(f"{endpoint} as {persona}: weak CSP {headers.get('Content-Security-Policy')!r}")
            if resp.mimetype == "text/html":
                seen += 1
                html = resp.get_data(as_text=True)
                for pattern, what in INLINE:
                    found = pattern.search(html)
                    if found:
                        wrong.append(f"{endpoint} as {persona}: {what}: {html[found.start():found.start() + 80]!r}")
    assert seen > 60
    assert not wrong, "\n".join(wrong)


def test_error_pages_and_downloads_carry_the_headers_too(app, client, world):
    sign_in(client, world.user("owner"))
    for url in ("/no/such/page", f"/proposals/{world.ids['other_proposal_id']}",
                f"/proposals/{world.ids['proposal_id']}/attachments/{world.ids['attachment_id']}"):
        resp = client.get(url)
        assert resp.headers["X-Frame-Options"] == "DENY" and resp.headers["X-Content-Type-Options"] == "nosniff"
        assert "'unsafe-inline'" not in resp.headers["Content-Security-Policy"]
    # A document is always a download, never rendered in the portal's origin.
    assert resp.headers["Content-Disposition"].startswith("attachment")


def test_strict_transport_security_in_production_only(make_app):
    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    production_like = make_app(SESSION_COOKIE_SECURE=True)
    with production_like.app_context():
        resp = production_like.test_client().get("/")
    hsts = resp.headers.get("Strict-Transport-Security", "")
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts
    assert resp.headers.get("Set-Cookie") is None or "Secure" in resp.headers["Set-Cookie"]


def test_no_strict_transport_security_over_plain_http_in_development(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


# What attackers put in a ``next``: other hosts in every spelling browsers accept.
HOSTILE_NEXT = [
    "https://evil.example/", "http://evil.example", "//evil.example", "///evil.example", "////evil.example",
    "/\\evil.example", "\\\\evil.example", "\\/evil.example", "/\t/evil.example", "/\n/evil.example",
    " //evil.example", "https:evil.example", "http:/evil.example", "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>", "/%2F%2Fevil.example", "%2F%2Fevil.example",
    "/ /evil.example", "//evil.example@gongmo.test", "https://gongmo.test@evil.example/",
    "\u3000//evil.example", "/\u200b/evil.example", "／／evil.example",
]


def _stays_home(location: str) -> bool:
    parts = urlsplit(location)
    if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "gongmo.test"):
        return False
    # What a browser makes of it: backslashes are slashes, tabs and newlines vanish.
    browser = re.sub(r"[\t\n\r]", "", location.replace("\\", "/")).lstrip()
    return not browser.startswith("//") and (parts.netloc or browser.startswith("/"))


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_login_never_redirects_off_site(client, app, target):
    user = UserFactory()
    resp = client.post(f"/login?next={quote(target)}", data={"email": user.email, "password": "Correct-horse-9"})
    assert resp.status_code == 302
    assert _stays_home(resp.headers["Location"]), resp.headers["Location"]
    resp = client.post("/logout")
    resp = client.post("/login", data={"email": user.email, "password": "Correct-horse-9", "next": target})
    assert resp.status_code == 302 and _stays_home(resp.headers["Location"]), resp.headers["Location"]
    # Already logged in, the login page forwards to ``next`` at once.
    resp = client.get(f"/login?next={quote(target)}")
    assert resp.status_code == 302 and _stays_home(resp.headers["Location"]), resp.headers["Location"]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_locale_switch_never_redirects_off_site(client, target):
    resp = client.post("/locale/en", data={"next": target})
    assert resp.status_code == 302 and _stays_home(resp.headers["Location"]), resp.headers["Location"]


def test_local_next_is_followed(client, app):
    """The guard is not a blanket refusal: a path in the portal is where the user lands."""
    user = UserFactory()
    resp = client.post("/login?next=/my/proposals", data={"email": user.email, "password": "Correct-horse-9"})
    assert urlsplit(resp.headers["Location"]).path == "/my/proposals"
    resp = client.post("/locale/ko", data={"next": "/calls?page=2"})
    assert resp.headers["Location"].endswith("/calls?page=2")


def test_the_call_page_login_link_carries_a_local_next(client, app):
    from tests.factories import CallFactory

    call = CallFactory()
    html = client.get(url_for("calls.show", code=call.code)).get_data(as_text=True)
    link = re.search(r'href="([^"]*/login\?next=[^"]*)"', html)
    assert link is not None
    assert _stays_home(link.group(1)) and ("%2Fcalls%2F" in link.group(1) or "/calls/" in link.group(1))


# --- private pages are never cached --------------------------------------------------------

def test_every_page_a_signed_in_user_sees_is_no_store_and_static_assets_are_not(app, world):
    """Proposals, sheets, rankings and files stay out of shared browser caches and proxies."""
    wrong = []
    for persona in ("owner", "pledged", "officer", "admin"):
        client = app.test_client()
        sign_in(client, world.user(persona))
        for (endpoint, method), row in sorted(EXPECTED.items()):
            if method != "GET" or row[persona] != "ok" or endpoint == "static":
                continue
            resp = client.get(_url(app, world, endpoint))
            if resp.headers.get("Cache-Control") != "no-store":
                wrong.append(f"{endpoint} as {persona}: Cache-Control {resp.headers.get('Cache-Control')!r}")
        # Downloads and error pages too.
        for url in (f"/proposals/{world.ids['proposal_id']}/attachments/{world.ids['attachment_id']}",
                    "/no/such/page"):
            resp = client.get(url)
            if resp.headers.get("Cache-Control") != "no-store":
                wrong.append(f"{url} as {persona}: Cache-Control {resp.headers.get('Cache-Control')!r}")
        static = client.get("/static/css/gongmo.css")
        assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", "")
    assert not wrong, "\n".join(wrong)


# --- challenges: one loader, one rule --------------------------------------------------------

def test_another_consortiums_challenge_page_is_not_found_like_every_proposal_page(app, world):
    client = app.test_client()
    sign_in(client, world.user("owner"))
    other = world.ids["other_proposal_id"]
    for method, body in (("GET", None), ("POST", {"target_organisation": "어느 기관", "reason": "다른 컨소시엄 기피신청"})):
        resp = client.open(f"/proposals/{other}/challenges", method=method, data=body)
        assert resp.status_code == 404, method
        assert client.get(f"/proposals/{other}").status_code == 404  # the same answer as its main page
    # An id that names no proposal at all answers the same.
    assert client.get("/proposals/999999/challenges").status_code == 404
    # The call's officer sees the proposal, but its challenges page is the consortium's side of it
    # (like its result page): not the officer's to see, so the same 404.
    officer = app.test_client()
    sign_in(officer, world.user("officer"))
    assert officer.get(f"/proposals/{world.ids['proposal_id']}/challenges").status_code == 404


# --- notification links stay on the site ------------------------------------------------------

def test_notification_links_are_stored_as_paths_whatever_a_caller_passes(app):
    from app.extensions import db
    from app.models import Notification

    user = UserFactory()
    cases = {
        "https://gongmo.test/review/a/1": "/review/a/1",
        "http://evil.example/calls/AX?x=1#top": "/calls/AX?x=1#top",
        "/my/proposals/3/result": "/my/proposals/3/result",
        "//evil.example/x": "/x",
        "/\\evil.example": "",
        "javascript:alert(1)": "",
        "": "",
    }
    for given, stored in cases.items():
        n = Notification(user_id=user.id, kind="test", message="알림", url=given)
        db.session.add(n)
        db.session.flush()
        db.session.expire(n)
        assert n.url == stored, given


@pytest.mark.parametrize("target", HOSTILE_NEXT + ["https://evil.example/calls"])
def test_following_a_notification_never_leaves_the_site(client, app, target):
    from sqlalchemy import update

    from app.extensions import db
    from app.models import Notification

    user = UserFactory()
    n = Notification(user_id=user.id, kind="test", message="알림", url="/calls")
    db.session.add(n)
    db.session.flush()
    # Written past the model, as a row from before the rule would be.
    db.session.execute(update(Notification).where(Notification.id == n.id).values(url=target))
    db.session.commit()
    sign_in(client, user)
    resp = client.post(f"/notifications/{n.id}/read")
    assert resp.status_code == 302 and _stays_home(resp.headers["Location"]), resp.headers["Location"]
    # Now read, the notice is a plain link on the list: it stays on the site too.
    page = client.get("/notifications").get_data(as_text=True)
    for href in re.findall(r'href="([^"#][^"]*)"', page):  # in-page anchors aside
        assert _stays_home(href.replace("&amp;", "&")), href


def test_the_migration_turns_stored_absolute_links_into_paths(app):
    import importlib.util
    from pathlib import Path

    from alembic.migration import MigrationContext
    from alembic.operations import Operations
    from sqlalchemy import update

    from app.extensions import db
    from app.models import Notification

    user = UserFactory()
    rows = {"http://evil.example/review/a/5": "/review/a/5", "https://gongmo.test/calls/AX?p=1": "/calls/AX?p=1",
            "/my/proposals": "/my/proposals", "//evil.example": "", "/\\evil.example": "", "": ""}
    ids = {}
    for url in rows:
        n = Notification(user_id=user.id, kind="test", message="알림", url="/")
        db.session.add(n)
        db.session.flush()
        db.session.execute(update(Notification).where(Notification.id == n.id).values(url=url))
        ids[url] = n.id
    db.session.commit()
    path = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "5e1c2a7b9d10_security_round_two.py"
    spec = importlib.util.spec_from_file_location("round_two", path)
    revision = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(revision)
    with db.engine.begin() as conn:
        with Operations.context(MigrationContext.configure(conn)):
            revision._links_up()
    db.session.expire_all()
    for url, stored in rows.items():
        assert db.session.get(Notification, ids[url]).url == stored, url


# --- absolute links never come from the request -----------------------------------------------

def test_absolute_links_built_in_a_request_use_site_url_not_the_host(make_app):
    from app.core.links import portal_url

    trusting = make_app(SERVER_NAME=None, SITE_URL="https://portal.gongmo.test")
    trusting.config["TRUSTED_HOSTS"] = None
    with trusting.test_request_context("/", base_url="http://evil.example:8080"):
        assert url_for("auth.login", _external=True) == "https://portal.gongmo.test/login"
        assert url_for("auth.login", _external=True, _scheme="http") == "https://portal.gongmo.test/login"
        assert portal_url("calls.show", code="AX-2025") == "https://portal.gongmo.test/calls/AX-2025"
        assert portal_url("calls.show", code="AX-2025", external=False) == "/calls/AX-2025"
        assert url_for("auth.login") == "/login"  # relative links stay relative
    with trusting.app_context():  # a worker or the CLI: no request at all
        assert url_for("auth.reset_request") == "https://portal.gongmo.test/password/reset"


def test_no_code_reads_the_host_of_a_request():
    """A link built from request.host (or url_root, host_url...) would bring the forged Host back."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    pattern = re.compile(r"request\.(host|host_url|url_root|base_url|root_url|url)\b|HTTP_HOST|X-Forwarded-Host")
    found = []
    for folder in ("app", "forms", "workers"):
        for path in (root / folder).rglob("*"):
            if path.suffix in (".py", ".html", ".txt") and path.is_file():
                for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                    if pattern.search(line):
                        found.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert not found, "\n".join(found)


# --- the client's address: believed only from a configured proxy ------------------------------

def _probe(application):
    """Two routes of the test's own: the address the app believes, and a limited action."""
    from flask import request

    from app.extensions import limiter

    def address():
        return f"{request.remote_addr} {request.scheme}"

    def limited():
        return "ok"

    application.add_url_rule("/_probe/address", "probe_address", address)
    application.add_url_rule("/_probe/limited", "probe_limited", limiter.limit("2/minute")(limited), methods=["POST"])
    return application


def test_without_a_trusted_proxy_x_forwarded_for_changes_nothing(app, make_app):
    from app.extensions import limiter

    was_enabled = limiter.enabled
    direct = _probe(make_app(RATELIMIT_ENABLED=True))
    try:
        c = direct.test_client()
        env = {"REMOTE_ADDR": "198.51.100.7"}
        spoof = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
        assert c.get("/_probe/address", headers=spoof, environ_base=env).get_data(as_text=True) == "198.51.100.7 http"
        # A new made-up address per request does not buy a new allowance.
        codes = [c.post("/_probe/limited", headers={"X-Forwarded-For": f"203.0.113.{i}"}, environ_base=env).status_code
                 for i in range(4)]
        assert codes == [200, 200, 429, 429]
    finally:
        limiter.enabled = was_enabled  # the limiter is one object shared by every app of the session


def test_behind_one_trusted_proxy_the_client_is_the_address_the_proxy_saw(app, make_app):
    from app.extensions import limiter

    was_enabled = limiter.enabled
    proxied = _probe(make_app(RATELIMIT_ENABLED=True, TRUSTED_PROXIES=1))
    try:
        c = proxied.test_client()
        proxy = {"REMOTE_ADDR": "127.0.0.1"}  # nginx on the same host
        # The client wrote its own X-Forwarded-For; nginx appended the address it really saw.
        headers = {"X-Forwarded-For": "192.0.2.66, 203.0.113.9", "X-Forwarded-Proto": "https"}
        assert c.get("/_probe/address", headers=headers, environ_base=proxy).get_data(as_text=True) == \
            "203.0.113.9 https"
        # Clients behind the one proxy no longer share one allowance ...
        codes = [c.post("/_probe/limited", headers={"X-Forwarded-For": f"203.0.113.{100 + i}"},
                        environ_base=proxy).status_code for i in range(4)]
        assert codes == [200] * 4
        # ... and each keeps its own.
        codes = [c.post("/_probe/limited", headers={"X-Forwarded-For": f"192.0.2.1, 203.0.113.{i}"},
                        environ_base=proxy).status_code for i in (50, 50, 50)]
        assert codes == [200, 200, 429]
    finally:
        limiter.enabled = was_enabled
