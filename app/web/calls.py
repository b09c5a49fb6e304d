"""Public pages of calls: the list and each call's full announcement."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from app.calls import amendments, stages
from app.calls import calls as calls_service
from app.core import clock
from app.models.calls import CallStatus
from app.proposals import sections

bp = Blueprint("calls", __name__)


@bp.record_once
def _template_helpers(state) -> None:
    # Globals rather than a context processor so mail templates and the home page get them too.
    env = state.app.jinja_env
    env.globals["call_status_label"] = calls_service.status_label
    env.globals["call_groups"] = calls_service.group_calls
    env.filters["call_dday"] = calls_service.dday
    env.filters["call_remaining"] = calls_service.remaining_text
    env.filters["call_points"] = calls_service.points
    env.filters["call_percent"] = calls_service.percent
    env.globals["amendment_rows"] = amendments.rows


@bp.route("/calls")
def index():
    return render_template("calls/index.html", groups=calls_service.public_calls())


@bp.route("/calls/<code>")
def show(code: str):
    call = calls_service.public_call(code)
    if call is None:
        abort(404)
    locale = str(get_locale())
    at = clock.now()
    status = call.status(at)
    return render_template(
        "calls/show.html",
        call=call,
        status=status,
        at=at,
        rubric=calls_service.rubric_view(call, locale),
        procedure=stages.procedure_view(call, locale),
        apply=_apply_link(call, status),
        amendments=amendments.history(call),
        site_label=sections.site_label(call, locale),
    )


def _apply_link(call, status: str) -> dict | None:
    """Where the "신청서 작성" button leads, or None when there is nothing to offer."""
    if status != CallStatus.OPEN:
        return None
    if not current_user.is_authenticated:
        return {"url": url_for("auth.login", next=request.path), "login": True}
    # The drafting endpoint is built separately; until it exists the page still renders.
    if current_user.has_role("applicant") and "proposals.start" in current_app.view_functions:
        return {"url": url_for("proposals.start", code=call.code), "login": False}
    return None
