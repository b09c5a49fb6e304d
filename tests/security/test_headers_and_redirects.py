"""Security headers on every kind of page, and no redirect that leaves the portal."""
from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

import pytest
from flask import url_for

from config import ProductionConfig
from tests.factories import UserFactory
from tests.security.conftest import sign_in
from tests.security.test_permission_matrix import EXPECTED, _url

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
