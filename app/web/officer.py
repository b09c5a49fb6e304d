"""The programme officer's console: calls, screening, reviewers, results, dashboard, exports.

One blueprint whose views live with their domain (``app.calls.officer_views``,
``app.review.officer_views``, ``app.selection.views``); ``register_web`` imports them.
"""
from flask import Blueprint
from flask_login import current_user

from app import access
from app.extensions import db
from app.models import Call

bp = Blueprint("officer", __name__, url_prefix="/officer")


def officer_call(call_id: int) -> Call:
    """The call, if it exists and the current user is one of its officers (404, then 403)."""
    call = db.get_or_404(Call, call_id)
    access.require(access.is_officer_for_call(current_user, call))
    return call


def require_officer() -> None:
    access.require(current_user.has_role("officer", "admin"))
