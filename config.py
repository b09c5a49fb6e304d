"""Configuration classes, selected by name in ``create_app``.

Production refuses to start without its secrets and services rather than
falling back to development defaults that would lose data or leak sessions.
"""
from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("GONGMO_INSTANCE", BASE_DIR / "instance"))


class ConfigError(RuntimeError):
    pass


class BaseConfig:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'gongmo.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL")
    # Without a broker, tasks run in the web process so `make run` works alone.
    TASKS_EAGER = not os.environ.get("REDIS_URL")

    # Links in mails sent by the worker, which has no request to take the host from.
    SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:5000")

    DISPLAY_TIMEZONE = "Asia/Seoul"
    BABEL_DEFAULT_LOCALE = "ko"
    BABEL_DEFAULT_TIMEZONE = "Asia/Seoul"
    LANGUAGES = ("ko", "en")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = 8 * 3600  # a long proposal form must survive a working day

    PASSWORD_RESET_MAX_AGE = 3600
    UPLOAD_DIR = str(INSTANCE_DIR / "uploads")
    MAIL_DIR = str(INSTANCE_DIR / "mail")
    MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
    MAX_PROPOSAL_BYTES = 200 * 1024 * 1024
    # Werkzeug refuses bodies above this before any view runs.
    MAX_CONTENT_LENGTH = 25 * 1024 * 1024

    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "file")  # file | smtp
    MAIL_HOST = os.environ.get("MAIL_HOST", "127.0.0.1")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_STARTTLS = os.environ.get("MAIL_STARTTLS", "0") == "1"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "Gongmo <no-reply@gongmo.local>")

    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_ENABLED = True


class DevelopmentConfig(BaseConfig):
    DEBUG = False  # the Werkzeug debugger must never be reachable, even in the demo


class TestingConfig(BaseConfig):
    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False  # tests that prove CSRF switch it back on
    TASKS_EAGER = True
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"


class ProductionConfig(BaseConfig):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    TASKS_EAGER = False
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")

    @classmethod
    def check(cls) -> None:
        missing = [k for k in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY") if not os.environ.get(k)]
        if missing:
            raise ConfigError(
                "Gongmo refuses to start in production without "
                + ", ".join(missing)
                + ". Set them in the environment (see README, 'Production')."
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load(name: str | None) -> type[BaseConfig]:
    name = name or os.environ.get("GONGMO_CONFIG", "development")
    try:
        cfg = CONFIGS[name]
    except KeyError:
        raise ConfigError(f"Unknown configuration {name!r}; choose one of {sorted(CONFIGS)}")
    if hasattr(cfg, "check"):
        cfg.check()
    if name == "production":
        # A subclass, so reading the environment never mutates the shared class.
        cfg = type("ProductionFromEnvironment", (cfg,), {
            "SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"],
            "SECRET_KEY": os.environ["SECRET_KEY"],
            "REDIS_URL": os.environ["REDIS_URL"],
            "RATELIMIT_STORAGE_URI": os.environ["REDIS_URL"],
        })
    return cfg
