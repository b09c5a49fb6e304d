"""The API's public routes: what the portal's call pages show everyone, no token needed."""
from __future__ import annotations

from flask import abort
from flask_smorest import Page

from app.api import reads
from app.web.api.blueprint import bp
from app.web.api.schemas import (
    AmendmentSchema, AnnouncedResultSchema, CallSchema, CallSummarySchema, FaqEntrySchema, StageSchema,
)

# Every route may answer these besides its own.
for_any = bp.alt_response(429, response="TOO_MANY_REQUESTS")


def _call(code: str):
    call = reads.public_call(code)
    if call is None:  # a draft is nobody's, like an unknown code
        abort(404)
    return call


@bp.route("/calls")
@bp.etag
@bp.response(200, CallSummarySchema(many=True))
@bp.alt_response(400, response="BAD_REQUEST")
@for_any
@bp.paginate(Page)
def calls():
    """Published calls

    Open calls first (closing soonest), then upcoming ones, then past ones (newest first).
    """
    return [reads.call_view(c) for c in reads.public_calls()]


@bp.route("/calls/<code>")
@bp.etag
@bp.response(200, CallSchema)
@bp.alt_response(404, response="NOT_FOUND")
@for_any
def call(code: str):
    """One published call"""
    return reads.call_view(_call(code))


@bp.route("/calls/<code>/stages")
@bp.etag
@bp.response(200, StageSchema(many=True))
@bp.alt_response(404, response="NOT_FOUND")
@bp.alt_response(400, response="BAD_REQUEST")
@for_any
@bp.paginate(Page)
def stages(code: str):
    """The call's selection procedure

    요건검토 (position 0), then each evaluation stage with its panel, due date, shortlist rule and weight.
    """
    return reads.stages(_call(code))


@bp.route("/calls/<code>/amendments")
@bp.etag
@bp.response(200, AmendmentSchema(many=True))
@bp.alt_response(404, response="NOT_FOUND")
@bp.alt_response(400, response="BAD_REQUEST")
@for_any
@bp.paginate(Page)
def amendments(code: str):
    """The call's amendments (변경공고)

    Each with its number, reason and every changed field's old and new text, first first.
    """
    return reads.amendment_list(_call(code))


@bp.route("/calls/<code>/faq")
@bp.etag
@bp.response(200, FaqEntrySchema(many=True))
@bp.alt_response(404, response="NOT_FOUND")
@bp.alt_response(400, response="BAD_REQUEST")
@for_any
@bp.paginate(Page)
def faq(code: str):
    """The call's FAQ, in the officers' order"""
    return reads.faq_entries(_call(code))


@bp.route("/calls/<code>/results")
@bp.etag
@bp.response(200, AnnouncedResultSchema(many=True))
@bp.alt_response(404, response="NOT_FOUND")
@bp.alt_response(400, response="BAD_REQUEST")
@for_any
@bp.paginate(Page)
def results(code: str):
    """The announced selection

    The selected proposals once the results are announced (receipt number, lead organisation,
    consortium, site), in rank order; an empty list before. Scores are for token holders.
    """
    return reads.announced_results(_call(code))
