"""Gongmo: the application factory."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, has_request_context, session
from flask.globals import _cv_request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

import config as config_module
from app.core import migrations, particles
from app.extensions import babel, csrf, db, limiter, login_manager


def select_locale() -> str:
    languages = ("ko", "en")
    if not has_request_context():  # services run from workers, the CLI and tests: Korean, the source language
        return "ko"
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return "ko"  # Korean first, whatever the browser says


class Gongmo(Flask):
    def url_for(self, endpoint, *, _anchor=None, _method=None, _scheme=None, _external=None, **values) -> str:
        """Relative links as Flask builds them; absolute ones always on SITE_URL (app/core/links.py).

        Flask would take an absolute link's host from the request, i.e. from the client.
        """
        req = _cv_request.get(None)
        if req is not None and req.url_adapter is None:
            # The request named a host this site does not answer to and is getting its 400
            # page: that page's links are built as on SITE_URL.
            with self.test_request_context(base_url=self.config["SITE_URL"]):
                return self.url_for(endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme,
                                    _external=_external, **values)
        if _external is None:
            _external = _scheme is not None or req is None
        if not _external:
            return super().url_for(endpoint, _anchor=_anchor, _method=_method, _external=False, **values)
        from app.core import links

        return links.portal_url(endpoint, _anchor=_anchor, _method=_method, **values)


def trusted_hosts(config) -> list[str]:
    """The hosts a request may name: SITE_URL's, SERVER_NAME's and the configured extras."""
    hosts = list(config.get("TRUSTED_HOSTS") or ())
    for url in (config.get("SITE_URL"), "//" + (config.get("SERVER_NAME") or "")):
        host = urlsplit(url or "").hostname
        if host and host not in hosts:
            hosts.append(host)
    return hosts


def create_app(config: str | type | None = None, **overrides) -> Flask:
    app = Gongmo(__name__, instance_relative_config=False)
    cfg = config if isinstance(config, type) else config_module.load(config)
    app.config.from_object(cfg)
    app.config.update(overrides)
    if not app.config.get("SECRET_KEY") and app.config.get("SECRET_KEY_FILE"):
        app.config["SECRET_KEY"] = config_module.instance_secret_key(app.config["SECRET_KEY_FILE"])
    if not app.config.get("SECRET_KEY"):
        raise config_module.ConfigError("Gongmo refuses to start without a SECRET_KEY (see README, 'Production').")
    # Werkzeug answers 400 to a Host outside this list before any view can build a link from it.
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config)
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        # Believe exactly as many X-Forwarded-* hops as there are proxies of ours: the address
        # a client writes into the header itself is further left and never taken.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    Path(app.config["UPLOAD_DIR"]).mkdir(parents=True, exist_ok=True)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    migrations.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"),
                        render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, default_timezone="Asia/Seoul",
                   default_translation_directories=str(Path(__file__).resolve().parent.parent / "translations"))
    particles.install_jinja(app.jinja_env)  # after Flask-Babel installed Jinja's gettext
    from app.core import logs

    logs.init_app(app)  # first: every later hook, even a refusal, runs with the request id
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None

    from app.core import storage, tasks

    tasks.init_app(app)
    storage.init_app(app)

    from app import models  # noqa: F401 - register every table
    from app.notifications import outbox  # noqa: F401 - register the after-commit hook
    from app.web import register_web

    register_web(app)

    from app.cli import register_cli

    register_cli(app)
    return app
