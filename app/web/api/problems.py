"""Errors of the read API as ``application/problem+json`` (RFC 9457): type, title, status, detail.

The API blueprint's handler answers whatever its views raise (401, 404, 400 for a bad query,
429, 500); the app's error pages hand over the rest under /api/ (an unknown address, a method
the route does not take), so a client never gets an HTML page from the API.
"""
from __future__ import annotations

import json
import time
from http import HTTPStatus

import marshmallow as ma
from flask import current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from app.extensions import db, limiter

MIMETYPE = "application/problem+json"
PREFIX = "/api/"


class ProblemSchema(ma.Schema):
    """A problem document, as every error of the API answers."""

    type = ma.fields.String(required=True, metadata={"description": "A URI naming the kind of problem; "
                                                                    "about:blank when the status says it all."})
    title = ma.fields.String(required=True, metadata={"description": "The HTTP status's phrase."})
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String(required=True, metadata={"description": "What went wrong, for a person."})
    errors = ma.fields.Dict(metadata={"description": "For a bad query (400): each parameter's problems."})


def _details() -> dict[int, str]:
    return {
        400: _("요청의 매개변수가 올바르지 않습니다."),
        401: _("유효한 API 토큰이 필요합니다. Authorization: Bearer 헤더로 보내십시오."),
        403: _("이 요청을 처리할 권한이 없습니다."),
        404: _("요청한 자료를 찾을 수 없습니다."),
        405: _("허용되지 않은 요청 방식입니다."),
        429: _("요청이 너무 많습니다. 잠시 후 다시 시도하십시오."),
        500: _("서버 오류가 발생했습니다."),
    }


def problem(status: int, detail: str | None = None, *, headers: dict | None = None, **extra):
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status,
            "detail": detail or _details().get(status) or HTTPStatus(status).description, **extra}
    resp = current_app.response_class(json.dumps(body, ensure_ascii=False), status=status, mimetype=MIMETYPE)
    resp.headers.update(headers or {})
    return resp


def _retry_after() -> str:
    current = limiter.current_limit
    return str(max(1, int(current.reset_at - time.time()))) if current is not None else "60"


def from_exception(error: HTTPException):
    """The problem for an HTTP error raised in or around the API."""
    code = error.code or 500
    if code == 304:  # flask-smorest's ETag match: an empty answer, the client keeps its copy
        resp = current_app.response_class(status=304)
        sent = request.if_none_match.as_set()
        if len(sent) == 1:  # the one that matched
            resp.set_etag(next(iter(sent)))
        return resp
    if code >= 500:
        db.session.rollback()
        code = 500
    data = getattr(error, "data", None) or {}
    headers = dict(data.get("headers") or {})
    extra = {}
    errors = data.get("errors") or data.get("messages")
    if errors:
        # webargs nests the parameters under their location ("query"): one level is enough.
        extra["errors"] = errors.get("query", errors) if isinstance(errors, dict) else {"request": errors}
        code = 400
    if code == 429:
        headers["Retry-After"] = _retry_after()
    if code == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="gongmo"'
    if code == 405 and isinstance(getattr(error, "valid_methods", None), (list, tuple, set)):
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    detail = data.get("message") if isinstance(data.get("message"), str) else None
    return problem(code if code in HTTPStatus._value2member_map_ else 500, detail, headers=headers, **extra)
