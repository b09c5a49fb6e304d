"""Gongmo: the application factory."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, has_request_context, session
from flask_login import current_user

import config as config_module
from app.extensions import babel, csrf, db, limiter, login_manager, migrate


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


def create_app(config: str | type | None = None, **overrides) -> Flask:
    app = Flask(__name__, instance_relative_config=False)
    cfg = config if isinstance(config, type) else config_module.load(config)
    app.config.from_object(cfg)
    app.config.update(overrides)
    Path(app.config["UPLOAD_DIR"]).mkdir(parents=True, exist_ok=True)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, default_timezone="Asia/Seoul",
                   default_translation_directories=str(Path(__file__).resolve().parent.parent / "translations"))
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None

    from app import models  # noqa: F401 - register every table
    from app.services import outbox  # noqa: F401 - register the after-commit hook
    from app.web import register_web

    register_web(app)

    from app.cli import register_cli

    register_cli(app)
    return app
