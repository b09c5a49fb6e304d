"""The API's routes for token holders: an agency's own calls, by the token's scopes.

A request without a usable token is a 401 before anything is looked up; a call of another agency
(or programme), or a scope the token lacks, is a 404 like a call that does not exist, as
everywhere in the portal.
"""
from __future__ import annotations

from flask import abort, request
from flask_smorest import Page

from app.api import reads, tokens
from app.extensions import db
from app.models.api import ApiScope
from app.web.api.blueprint import bp
from app.web.api.schemas import (
    DecisionSchema, ProjectSchema, ProposalSchema, ScreeningSchema, StageScoreSchema, TokenSchema,
)

SECURED = {"security": [{"bearerAuth": []}]}


def secured(func):
    """Document the bearer token and the refusals every route of this module answers."""
    for decorator in (bp.doc(**SECURED), bp.alt_response(401, response="UNAUTHORIZED"),
                      bp.alt_response(404, response="NOT_FOUND"), bp.alt_response(429, response="TOO_MANY_REQUESTS")):
        func = decorator(func)
    return func


def _token():
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    token = tokens.authenticate(secret.strip() if scheme.lower() == "bearer" else None)
    if token is None:
        abort(401)
    db.session.commit()  # the token's last use
    return token


def _call(code: str, scope: ApiScope):
    token = _token()
    call = reads.public_call(code)
    if call is None or not tokens.may_read(token, call, scope):
        abort(404)
    return call


@bp.route("/token")
@bp.etag
@bp.response(200, TokenSchema)
@secured
def token():
    """The token itself

    Its name, agency, programme (if limited to one), scopes and expiry: a client's check that its
    token works.
    """
    return tokens.describe(_token())


@bp.route("/calls/<code>/proposals")
@bp.etag
@bp.response(200, ProposalSchema(many=True))
@secured
@bp.paginate(Page)
def proposals(code: str):
    """Submitted proposals (scope proposals:read)

    Metadata and status of every proposal that was submitted (withdrawn ones too), in receipt
    order: never the applicants' texts or files.
    """
    return reads.proposals(_call(code, ApiScope.PROPOSALS))


@bp.route("/calls/<code>/proposals/<int:proposal_id>")
@bp.etag
@bp.response(200, ProposalSchema)
@secured
def proposal(code: str, proposal_id: int):
    """One submitted proposal (scope proposals:read)"""
    found = reads.proposal(_call(code, ApiScope.PROPOSALS), proposal_id)
    if found is None:
        abort(404)
    return found


@bp.route("/calls/<code>/screening")
@bp.etag
@bp.response(200, ScreeningSchema(many=True))
@secured
@bp.paginate(Page)
def screening(code: str):
    """요건검토 outcomes (scope screening:read)

    Each submitted proposal: pending, confirmed (eligible) or rejected, with the officer's reason.
    """
    return reads.screening_rows(_call(code, ApiScope.SCREENING))


@bp.route("/calls/<code>/scores")
@bp.etag
@bp.response(200, StageScoreSchema(many=True))
@secured
@bp.paginate(Page)
def scores(code: str):
    """Each evaluation stage's results (scope scores:read)

    Stage by stage, in rank order: total, pass, and whether the proposal goes on.
    """
    return reads.stage_scores(_call(code, ApiScope.SCORES))


@bp.route("/calls/<code>/decisions")
@bp.etag
@bp.response(200, DecisionSchema(many=True))
@secured
@bp.paginate(Page)
def decisions(code: str):
    """The final ranking and selection (scope decisions:read)

    ``selected`` is the decision of record; ``engine_selected`` what the scores gave (they differ
    only by an officer's override, whose reason is given).
    """
    return reads.decisions(_call(code, ApiScope.DECISIONS))


@bp.route("/calls/<code>/projects")
@bp.etag
@bp.response(200, ProjectSchema(many=True))
@secured
@bp.paginate(Page)
def projects(code: str):
    """Awarded projects' KPIs and budget execution (scope projects:read)"""
    return reads.projects(_call(code, ApiScope.PROJECTS))
