"""The programme officer's console: calls, screening, reviewers, results, dashboard, exports.

One blueprint whose views live with their domain (``app.web.officer_calls``,
``app.web.officer_reviewers``, ``app.web.selection``); ``register_web`` imports them.
A page of one call loads it with ``loaders.call_for_officer`` (404 for anyone who is not
its officer); only the pages without a call (the index, a new call) answer a non-officer 403.
"""
from flask import Blueprint

from app import access

bp = Blueprint("officer", __name__, url_prefix="/officer")


def require_officer() -> None:
    access.require_role("officer", "admin")
