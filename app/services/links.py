"""Links to portal pages from code that may run outside a request (mails from workers, the CLI).

The worker has no request to take the host from, so the site's address comes from
SERVER_NAME or SITE_URL.
"""
from __future__ import annotations

from flask import current_app, has_request_context, url_for


def portal_url(endpoint: str, *, external: bool = True, **values) -> str:
    if has_request_context() or current_app.config.get("SERVER_NAME"):
        return url_for(endpoint, _external=external, **values)
    with current_app.test_request_context(base_url=current_app.config.get("SITE_URL") or "http://127.0.0.1:5000"):
        return url_for(endpoint, _external=external, **values)
