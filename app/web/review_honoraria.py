"""The reviewer's 평가수당: the calls they are paid for, and their own payment statement per call.

A statement is always the signed-in reviewer's own: the URL names only the call, so nobody can
ask for another reviewer's. A call without anything to pay them is a 404, like any call they
may not see. The bank details are shown masked (``bank.masked``), never in full.
"""
from __future__ import annotations

from flask import abort, render_template
from flask_login import current_user, login_required

from app.access import require_role
from app.extensions import db
from app.models import Call
from app.review import bank, honoraria
from app.review import honorarium_service as service
from app.review import review_access
from app.web.review import bp


@bp.route("/honoraria")
@login_required
def honoraria_list():
    require_role("reviewer")
    return render_template("review/honoraria.html", calls=service.calls_of_reviewer(current_user))


@bp.route("/honoraria/<int:call_id>")
@login_required
def honorarium_statement(call_id: int):
    call = db.session.get(Call, call_id)
    statement = (service.statement_of(call, current_user)
                 if call is not None and review_access.is_reviewer(current_user) else None)
    if statement is None:
        abort(404)
    profile = service.profile_of(current_user)
    return render_template("review/honorarium_statement.html", call=call, statement=statement,
                           affiliation=service.affiliation_of(current_user, call),
                           bank_masked=bank.masked(profile) if profile is not None else "",
                           settings=honoraria.configured())
