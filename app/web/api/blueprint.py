"""The API's blueprint: flask-smorest's Api and Blueprint as the portal uses them (problem+json
errors on the blueprint alone, 400 for a bad query, Link headers, one rate limit for the API)."""
from __future__ import annotations

import hashlib
import json
from urllib.parse import urlencode

from flask import current_app, request
from flask_smorest import Api, Blueprint
from flask_smorest.utils import prepare_response
from flask_limiter.util import get_remote_address
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException

from app.extensions import csrf, limiter
from app.web.api import problems

API_PREFIX = "/api/v1"


class BadRequestParser(FlaskParser):
    """A query the API cannot use is a 400 (webargs says 422)."""

    DEFAULT_VALIDATION_STATUS = 400


class ApiBlueprint(Blueprint):
    PAGINATION_ARGUMENTS_PARSER = BadRequestParser()
    ARGUMENTS_PARSER = BadRequestParser()
    DEFAULT_PAGINATION_PARAMETERS = {"page": 1, "page_size": 20, "max_page_size": 100}

    def _set_pagination_metadata(self, page_params, result, headers):
        result, headers = super()._set_pagination_metadata(page_params, result, headers)
        meta = json.loads(headers[self.PAGINATION_HEADER_NAME])
        links = []
        for rel, key in (("first", "first_page"), ("prev", "previous_page"), ("next", "next_page"),
                         ("last", "last_page")):
            if key in meta:
                query = {**request.args.to_dict(), "page": meta[key], "page_size": page_params.page_size}
                links.append(f'<{request.path}?{urlencode(query)}>; rel="{rel}"')
        if links:
            headers["Link"] = ", ".join(links)
        return result, headers

    def _document_pagination_metadata(self, spec, resp_doc):
        super()._document_pagination_metadata(spec, resp_doc)
        resp_doc["headers"]["Link"] = {"description": "RFC 8288 links to the first, previous, next and last pages.",
                                       "schema": {"type": "string"}}


class GongmoApi(Api):
    """flask-smorest's Api, with problem+json errors handled by the API's blueprint alone.

    flask-smorest would register its JSON error handler for every HTTP error of the whole app,
    turning the portal's error pages into JSON."""

    ERROR_SCHEMA = problems.ProblemSchema

    def _register_error_handlers(self):
        pass

    def _register_responses(self):
        super()._register_responses()
        for name, description in (("DEFAULT_ERROR", "Problem (RFC 9457)"),
                                  ("UNAUTHORIZED", "Missing, unknown, revoked or expired token"),
                                  ("NOT_FOUND", "No such call or object, or not the token's to read"),
                                  ("BAD_REQUEST", "A query parameter the API cannot use"),
                                  ("TOO_MANY_REQUESTS", "Rate limit reached; see Retry-After")):
            response = {"description": description, "schema": self.ERROR_SCHEMA}
            prepare_response(response, self.spec, problems.MIMETYPE)
            # Replaces flask-smorest's lazy default (its own error schema, as application/json).
            self.spec.components.responses_lazy.pop(name, None)
            self.spec.components.response(name, response, lazy=True)


bp = ApiBlueprint("api", __name__, url_prefix=API_PREFIX,
                  description="공모 포털의 읽기 전용 API: 공개 공모 정보와, 토큰 보유 기관의 평가 자료")


@bp.errorhandler(HTTPException)
def _problem(error):
    return problems.from_exception(error)


def rate_key() -> str:
    """Per token (its hash: no database read before counting), or per client address."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer ") and header[7:].strip():
        return "api-token:" + hashlib.sha256(header[7:].strip().encode()).hexdigest()[:32]
    return "api-ip:" + (get_remote_address() or "")


limiter.shared_limit(lambda: current_app.config.get("API_RATE_LIMIT", "120/minute"), scope="api",
                     key_func=rate_key)(bp)
# And per address whatever the token: made-up tokens, each a count of its own, do not get further.
limiter.shared_limit(lambda: current_app.config.get("API_ADDRESS_RATE_LIMIT", "600/minute"), scope="api-address",
                     key_func=lambda: "api-address:" + (get_remote_address() or ""))(bp)
# Bearer tokens, never cookies: a page of another site cannot make a browser send one, so there is
# nothing for CSRF to protect (and every route is a GET).
csrf.exempt(bp)


@bp.after_request
def _cache_headers(resp):
    # Revalidate every time with the ETag; what a token reads must never sit in a shared cache.
    if resp.status_code < 400:
        resp.headers["Cache-Control"] = "private, no-cache" if request.headers.get("Authorization") else "no-cache"
    resp.headers["Vary"] = "Authorization"
    return resp
