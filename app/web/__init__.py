"""Blueprints, template helpers, error pages and security headers."""
from __future__ import annotations

from importlib import import_module

from urllib.parse import urlsplit

from flask import (
    Flask, abort, current_app, has_request_context, redirect, render_template, request, session, url_for,
)
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

from app.extensions import db, login_manager
from app.core import clock, money, numbers, romanise
from app.notifications import outbox
from app.core.markdown import render_markdown
from app.core.safe_redirect import local_path, safe_next
from app.proposals.validation import human_bytes


@login_manager.user_loader
def load_user(session_id: str):
    # The cookie (session or remember-me) names a server-side session, not an account: one that
    # was logged out, ended by a password change or a deactivation, or never existed, loads nobody.
    from app.accounts import sessions

    return sessions.load(session_id)


VIEW_MODULES = (
    "app.web.account",
    "app.web.officer_calls", "app.web.officer_call_sections", "app.web.officer_audit", "app.web.officer_steps", "app.web.officer_stages", "app.web.officer_stage_run",
    "app.web.proposals.attachments", "app.web.proposals.challenges", "app.web.proposals.consortia",
    "app.web.proposals.drafting", "app.web.proposals.results", "app.web.proposals.submission",
    "app.web.proposals.printing",
    "app.web.officer_reviewers", "app.web.officer_committee", "app.web.officer_panels", "app.web.panel_answer",
    "app.web.officer_pool", "app.web.review_profile", "app.web.officer_sanctions",
    "app.web.officer_honoraria", "app.web.review_honoraria",
    "app.web.officer_presentation", "app.web.proposals.presentation", "app.web.review_presentation",
    "app.web.selection.dashboard", "app.web.selection.exports", "app.web.selection.objections",
    "app.web.selection.results", "app.web.selection.screening", "app.web.selection.bundle",
    "app.web.projects.overview",
    "app.web.projects.reports",
    "app.web.projects.changes", "app.web.projects.inspections", "app.web.projects.portfolio",
    "app.web.agreements.pages", "app.web.agreements.steps", "app.web.agreements.signing",
    "app.web.officer_agreements",
    "app.web.market.listings", "app.web.market.groups",
    "app.web.market.messages", "app.web.market.kickoff",
    "app.web.call_qa", "app.web.officer_qa",
    "app.web.call_sessions", "app.web.officer_sessions",
    "app.web.officer_api_tokens",
    "app.web.officer_webhooks",
)


class DatabaseId(IntegerConverter):
    """``<int:…>`` in every route: a number past the integer id columns names no row.

    It is a 404 like any unknown id, instead of an out-of-range error from the database.
    """

    def __init__(self, map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def register_web(app: Flask) -> None:
    # Before any blueprint: rules pick their converters when they are added.
    app.url_map.converters["int"] = DatabaseId

    # The modules that add views to a blueprint defined in another module.
    for name in VIEW_MODULES:
        import_module(name)
    from app.web.admin import bp as admin_bp
    from app.web.auth import bp as auth_bp
    from app.web.calls import bp as calls_bp
    from app.web.main import bp as main_bp
    from app.web.officer import bp as officer_bp
    from app.web.proposals import bp as proposals_bp
    from app.web.review import bp as review_bp

    from app.web.finance import bp as finance_bp
    from app.web.agreements import bp as agreements_bp
    from app.web.projects import bp as projects_bp
    from app.web.market import bp as market_bp
    from app.web.jobs import bp as jobs_bp

    for bp in (main_bp, auth_bp, calls_bp, proposals_bp, review_bp, officer_bp, admin_bp, finance_bp,
               agreements_bp, projects_bp, market_bp, jobs_bp):
        app.register_blueprint(bp)
    from app.web import health

    health.init_app(app)
    from app.web.api import init_api

    init_api(app)  # the read API (/api/v1/) and its OpenAPI document

    # Korean readers read 억원 and 원; English readers KRW with thousands separators.
    app.jinja_env.filters["won"] = money.won_for_reader
    app.jinja_env.filters["eok"] = money.eok_for_reader
    app.jinja_env.filters["plain"] = numbers.plain  # 20, not 2E+1
    app.jinja_env.filters["million"] = money.million_for_reader
    app.jinja_env.filters["place"] = romanise.place_for_reader  # 서울 → Seoul for English readers
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["local_path"] = local_path

    @app.template_filter("site_label")
    def site_label(call_or_snapshot) -> str:
        """What a call names the site a proposal targets (대상 산업단지, 조성 입지 …), from the call
        or, for a frozen version, from its snapshot."""
        from app.proposals import sections

        locale = str(get_locale())
        if isinstance(call_or_snapshot, dict):
            return sections.frozen_site_label(call_or_snapshot, locale)
        return sections.site_label(call_or_snapshot, locale)

    @app.template_filter("stage_title")
    def stage_title(stage) -> str:
        """An evaluation stage as a page names it: 서면평가, 발표평가, 현장평가."""
        from app.calls.stages import kind_label

        return kind_label(stage.kind) if stage is not None else ""

    @app.template_filter("kst")
    def kst_filter(value, fmt: str = "yyyy-MM-dd HH:mm"):
        if value is None:
            return ""
        return format_datetime(value, fmt) + " KST"

    @app.template_filter("iso")
    def iso_filter(value):
        return value.isoformat() if value else ""

    @app.context_processor
    def inject():
        from flask_login import current_user

        unread = 0
        # Mails are rendered by workers and the CLI too, where there is no request and no user.
        if has_request_context() and current_user and current_user.is_authenticated:
            unread = outbox.unread_count(current_user)
        return {"locale": str(get_locale()), "now": clock.now(), "unread_count": unread}

    @app.route("/locale/<code>", methods=["POST"])
    def set_locale(code: str):
        if code in app.config["LANGUAGES"]:
            session["locale"] = code
        return redirect(safe_next(request.form.get("next")) or url_for("main.index"))

    @app.before_request
    def refuse_nul_characters():
        # PostgreSQL text cannot hold NUL, and no typed input contains one: refused at the door
        # (400) instead of failing in the database (500) wherever a path, query or form value lands.
        values = list((request.view_args or {}).values())
        values += [x for key, items in request.args.lists() for x in (key, *items)]
        if request.method == "POST":
            values += [x for key, items in request.form.lists() for x in (key, *items)]
        if any(isinstance(v, str) and "\x00" in v for v in values):
            abort(400, description=_("입력값에 허용되지 않는 문자(NUL)가 있습니다."))

    @app.after_request
    def security_headers(resp):
        resp.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        )
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            resp.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint != "static" and _signed_in():
            # Proposals, sheets, rankings, files: nothing a signed-in user is shown may stay in a
            # shared browser's cache or a proxy after they log out. One rule, every page.
            resp.headers["Cache-Control"] = "no-store"
            resp.headers.pop("Expires", None)
        return resp

    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, _error_page(code))


def _signed_in() -> bool:
    from flask_login import current_user

    return bool(current_user and current_user.is_authenticated)


def _error_page(code: int):
    def handler(error):
        if request.path.startswith("/api/"):  # an unknown API address or method: problem+json, not a page
            from app.web.api import problems

            return problems.from_exception(error)
        if code == 500:
            db.session.rollback()
        messages = {
            400: _("잘못된 요청입니다."),
            403: _("이 페이지에 접근할 권한이 없습니다."),
            404: _("페이지를 찾을 수 없습니다."),
            405: _("허용되지 않은 요청 방식입니다."),
            413: _("파일이 너무 큽니다."),
            429: _("요청이 너무 많습니다. 잠시 후 다시 시도하십시오."),
            500: _("서버 오류가 발생했습니다. 입력한 내용은 변경되지 않았습니다."),
        }
        detail = getattr(error, "description", "") if code == 400 else ""
        resp = getattr(error, "get_response", None)
        retry = resp().headers.get("Retry-After", "") if code == 429 and resp else ""
        page = render_template("error.html", code=code, message=messages[code], detail=detail, back=_came_from(),
                               retry_after=int(retry) if retry.isdigit() else None,
                               max_upload=human_bytes(current_app.config.get("MAX_CONTENT_LENGTH") or 0))
        return page, code, ({"Retry-After": retry} if retry else {})

    return handler


def _came_from() -> str:
    """The page of this site the user came from, to offer the way back; '' for another site or this page."""
    referrer = request.referrer or ""
    # Our own hosts from the configuration, never the request's Host (which a client can forge).
    ours = {urlsplit(current_app.config["SITE_URL"]).netloc, *(current_app.config.get("TRUSTED_HOSTS") or ())}
    if not referrer or urlsplit(referrer).netloc not in ours:
        return ""
    back = local_path(referrer)
    return "" if back in ("", request.full_path.rstrip("?"), request.path) else back

