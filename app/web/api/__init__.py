"""The read API (/api/v1/) for other systems: flask-smorest views over the domain services.

The OpenAPI 3.1 document is generated from these views and their marshmallow schemas and
served at /api/v1/openapi.json (no documentation UI: nothing is loaded from a CDN). Public
routes are in ``public``, the token holders' in ``restricted``; both only call
``app.api.reads``. Every list is paginated (``page``, ``page_size``; the ``X-Pagination``
header and a ``Link`` header with first/prev/next/last), every answer carries an ETag and a
matching ``If-None-Match`` gets 304, every error is problem+json (``problems``), and the
app's Flask-Limiter counts requests per token, or per address without one.
"""
from __future__ import annotations

from flask import Flask

from app.web.api.blueprint import API_PREFIX, GongmoApi, bp


def init_api(app: Flask) -> None:
    from app.web.api import public, restricted  # noqa: F401 - add their views to bp

    app.config.setdefault("API_TITLE", "Gongmo API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", API_PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": "공모 포털의 읽기 전용 API. 공개 자료는 토큰 없이, 기관 자료는 담당자가 발급한 "
                                "토큰(Authorization: Bearer …)으로 읽습니다."},
        "servers": [{"url": "/"}],
    })
    api = GongmoApi(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.register_blueprint(bp)
    app.extensions["gongmo_api"] = api
