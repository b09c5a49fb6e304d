"""Absolute links to portal pages: always on SITE_URL, never on the Host a request carried.

A mail or a stored notice outlives the request that made it, and a request's Host header
is whatever the client sent: a password-reset mail built from it would carry a valid
token to the attacker's host. So every absolute URL, in a request or outside one (mails
rendered by workers, the CLI), starts with the configured SITE_URL, and the app's own
``url_for(..., _external=True)`` comes here too (``app.Gongmo.url_for``). In-app notices
keep only the path (``Notification._store_as_path``).
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for



def site_origin() -> str:
    parts = urlsplit(current_app.config["SITE_URL"])
    return f"{parts.scheme}://{parts.netloc}"


def portal_path(endpoint: str, **values) -> str:
    """The page's path on this site (with the prefix the app is mounted under)."""
    if has_request_context() or current_app.config.get("SERVER_NAME"):
        return url_for(endpoint, _external=False, **values)
    # Outside a request the prefix is SITE_URL's own path.
    with current_app.test_request_context(base_url=current_app.config["SITE_URL"]):
        return url_for(endpoint, _external=False, **values)


def portal_url(endpoint: str, *, external: bool = True, **values) -> str:
    path = portal_path(endpoint, **values)
    return site_origin() + path if external else path
