"""Configuration classes, selected by name in ``create_app``.

Production refuses to start without its secrets and services rather than
falling back to development defaults that would lose data or leak sessions.
"""
from __future__ import annotations

import os
import secrets
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("GONGMO_INSTANCE", BASE_DIR / "instance"))

MIN_SECRET_KEY_LENGTH = 32
# Keys that were published (this project's old defaults) or that people type when told to
# "set a secret": a session signed with one of them can be forged by anyone.
KNOWN_SECRET_KEYS = frozenset({
    "dev-only-not-secret", "test-secret", "changeme", "change-me", "change_me", "secret", "secret-key",
    "secret_key", "secretkey", "supersecret", "super-secret", "your-secret-key", "please-change-me",
    "development", "dev", "default", "password", "gongmo", "flask", "insecure",
})
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class ConfigError(RuntimeError):
    pass


def _host_list(raw: str | None) -> list[str]:
    return [h.strip() for h in (raw or "").split(",") if h.strip()]


def secret_key_problem(key: str | None) -> str | None:
    """Why ``key`` must not sign sessions, or None when it may."""
    if not key:
        return "SECRET_KEY is missing"
    if key.strip().lower() in KNOWN_SECRET_KEYS or any(known in key.lower() for known in
                                                      ("dev-only-not-secret", "changeme", "change-me")):
        return "SECRET_KEY is a published or placeholder value"
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return f"SECRET_KEY is shorter than {MIN_SECRET_KEY_LENGTH} characters"
    if len(set(key)) < 10:
        return "SECRET_KEY repeats too few characters to be random"
    return None


def site_url_problem(url: str | None) -> str | None:
    """Why ``url`` cannot be the address every mailed link starts with, or None."""
    if not url:
        return "SITE_URL is missing"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        return "SITE_URL must look like https://gongmo.example.go.kr"
    # Plain http only on the machine itself (a benchmark, a smoke test): nobody else can be sent there.
    if parts.scheme != "https" and parts.hostname not in LOOPBACK_HOSTS:
        return "SITE_URL must start with https://"
    return None


def instance_secret_key(path: str | Path) -> str:
    """The development key: made once, at random, into the instance folder (mode 0600).

    Kept across restarts so a restart does not log everyone out; two processes starting
    at once (web and worker) end up with the same key, whoever wrote it first.
    """
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
        try:
            os.link(tmp, path)  # atomic, and refuses to replace a key another process wrote
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
    key = path.read_text().strip()
    if secret_key_problem(key):
        raise ConfigError(f"{path} does not hold a usable key; delete it and a new one is made")
    return key


class BaseConfig:
    # No default: a key that ships with the code signs nothing. Development reads (or makes)
    # SECRET_KEY_FILE, tests have their own, production refuses to start without one.
    SECRET_KEY: str | None = None
    SECRET_KEY_FILE: str | None = None
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'gongmo.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL")
    # Without a broker, tasks run in the web process so `make run` works alone.
    TASKS_EAGER = not os.environ.get("REDIS_URL")

    # Every absolute link (mails, notifications) starts with this, never with the Host a
    # request carried: a forged Host must not put an attacker's address into a mail.
    SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:5000")
    # Hosts a request may name, besides SITE_URL's (and SERVER_NAME's); others get a 400.
    TRUSTED_HOSTS = _host_list(os.environ.get("TRUSTED_HOSTS"))
    # Reverse proxies in front of the app (nginx = 1). Their X-Forwarded-For/-Proto/-Host
    # are believed; with 0 nobody's are, so a client cannot pick its own address.
    TRUSTED_PROXIES = 0

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
    # Seals reviewers' bank details (app/core/sealing.py); unset, a key derived from the SECRET_KEY.
    # Former values in DATA_KEY_FALLBACKS (comma-separated in the environment) still open what they sealed.
    DATA_KEY = os.environ.get("DATA_KEY") or None
    DATA_KEY_FALLBACKS = _host_list(os.environ.get("DATA_KEY_FALLBACKS"))
    # The expertise code list (산업기술분류) that `flask pool load-codes` and the demo load.
    EXPERTISE_CODES_FILE = os.environ.get("EXPERTISE_CODES_FILE") or str(BASE_DIR / "app" / "reference" / "expertise_codes.csv")
    UPLOAD_DIR = str(INSTANCE_DIR / "uploads")
    # Where blobs live (app/core/storage.py): unset = UPLOAD_DIR; s3://bucket/prefix for an
    # S3-compatible store shared by every node (S3_ENDPOINT_URL when it is not AWS itself).
    STORAGE_URL = os.environ.get("STORAGE_URL") or None
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL") or None
    # Files above this go to S3 in parts of STORAGE_MULTIPART_CHUNKSIZE (at least 5 MiB).
    STORAGE_MULTIPART_THRESHOLD = int(os.environ.get("STORAGE_MULTIPART_THRESHOLD") or 8 * 1024 * 1024)
    STORAGE_MULTIPART_CHUNKSIZE = int(os.environ.get("STORAGE_MULTIPART_CHUNKSIZE") or 8 * 1024 * 1024)
    # The orphan sweep leaves a blob no row names alone this long: its row may not be committed yet.
    STORAGE_ORPHAN_GRACE_HOURS = float(os.environ.get("STORAGE_ORPHAN_GRACE_HOURS") or 24)
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
    # The read API (/api/v1/, app/web/api/): requests per token (or per address without one).
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "120/minute")
    API_ADDRESS_RATE_LIMIT = os.environ.get("API_ADDRESS_RATE_LIMIT", "600/minute")  # per address, any token

    # "json": one JSON object per log line, with the request id (app/core/logs.py); "text": Flask's own.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    # Outbound webhooks (app/notifications/webhooks.py): only https:// endpoints when true
    # (loopback excepted), and how long one POST may take.
    WEBHOOK_HTTPS_ONLY = os.environ.get("WEBHOOK_HTTPS_ONLY", "0") == "1"
    WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS") or 10)

    # Reviewers' honoraria (평가수당) are 기타소득 (소득세법 §21①19, 인적용역); see app/review/honoraria.py.
    # Share of each payment deemed necessary expenses (소득세법 시행령 §87: 60 % since 2019).
    HONORARIUM_NECESSARY_EXPENSE_RATE = Decimal("0.60")
    # Withholding income tax on the rest, the 기타소득금액 (소득세법 §129①6 라: 20 %).
    HONORARIUM_INCOME_TAX_RATE = Decimal("0.20")
    # 지방소득세 as a share of the income tax withheld (지방세법 §103-13: 10 %), i.e. 2 % of 기타소득금액.
    HONORARIUM_LOCAL_TAX_RATE = Decimal("0.10")
    # A payment (per item, 건별) up to this many won is not taxed: 과세최저한 (소득세법 §84) is a
    # 기타소득금액 of 50,000원, which with 60 % expenses is a gross payment of 125,000원.
    HONORARIUM_TAX_FREE_UP_TO = 125_000

    # Exclusion of reviewers (제척; app/review/conflict_rules.py). A sanction under evaluation law
    # excludes for this many years from its start.
    SANCTION_YEARS = 3
    # A joint project or co-authorship with a member organisation excludes for this many years back.
    CONFLICT_JOINT_WORK_YEARS = 3
    # Organisation types where only the same department (학과·부서) of a member excludes, not the whole body.
    CONFLICT_SAME_DEPARTMENT_TYPES = ("university", "research_institute")
    # Exclude every concurrent applicant of the call from its competitors, not only reciprocal pairs.
    CONFLICT_EXCLUDE_COMPETITORS = False

    # After the award (app/agreements, app/projects): the plan revision is due this many days after
    # the officer asks for it, the agreement signed within this many days of its notice, annual
    # reports this many days after 31 December and the final report after the period's last day.
    PLAN_REVISION_DAYS = 20
    AGREEMENT_SIGNING_DAYS = 30
    ANNUAL_REPORT_DAYS = 60
    FINAL_REPORT_DAYS = 60


class DevelopmentConfig(BaseConfig):
    DEBUG = False  # the Werkzeug debugger must never be reachable, even in the demo
    SECRET_KEY_FILE = str(INSTANCE_DIR / "secret_key")
    TRUSTED_HOSTS = [*BaseConfig.TRUSTED_HOSTS, *LOOPBACK_HOSTS]


class TestingConfig(BaseConfig):
    TESTING = True
    SECRET_KEY = "test-secret"
    # Whatever the shell exports, tests seal with the key derived from their own SECRET_KEY.
    DATA_KEY = None
    DATA_KEY_FALLBACKS: list[str] = []
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    SITE_URL = "http://gongmo.test"
    TRUSTED_HOSTS = ["gongmo.test", *LOOPBACK_HOSTS]
    WTF_CSRF_ENABLED = False  # tests that prove CSRF switch it back on
    TASKS_EAGER = True
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"


class ProductionConfig(BaseConfig):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    TASKS_EAGER = False
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    WEBHOOK_HTTPS_ONLY = os.environ.get("WEBHOOK_HTTPS_ONLY", "1") == "1"

    REQUIRED = ("SECRET_KEY", "SITE_URL", "TRUSTED_PROXIES", "DATABASE_URL", "REDIS_URL")

    @classmethod
    def check(cls) -> None:
        missing = [k for k in cls.REQUIRED if not os.environ.get(k)]
        if missing:
            raise ConfigError(
                "Gongmo refuses to start in production without "
                + ", ".join(missing)
                + ". Set them in the environment (see README, 'Production')."
            )
        problems = [p for p in (secret_key_problem(os.environ["SECRET_KEY"]),
                                site_url_problem(os.environ["SITE_URL"]),
                                _proxies_problem(os.environ["TRUSTED_PROXIES"])) if p]
        if problems:
            raise ConfigError("Gongmo refuses to start in production: " + "; ".join(problems)
                              + " (see README, 'Production').")


def _proxies_problem(raw: str) -> str | None:
    if not raw.strip().isascii() or not raw.strip().isdigit() or int(raw) > 10:
        return "TRUSTED_PROXIES must be the number of reverse proxies in front of the app (0 without one)"
    return None


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
    # Subclasses, so reading the environment never mutates the shared classes.
    if name == "production":
        cfg = type("ProductionFromEnvironment", (cfg,), {
            "SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"],
            "SECRET_KEY": os.environ["SECRET_KEY"],
            "REDIS_URL": os.environ["REDIS_URL"],
            "RATELIMIT_STORAGE_URI": os.environ["REDIS_URL"],
            "SITE_URL": os.environ["SITE_URL"],
            "TRUSTED_PROXIES": int(os.environ["TRUSTED_PROXIES"]),
            "TRUSTED_HOSTS": _host_list(os.environ.get("TRUSTED_HOSTS")),
        })
    elif name == "development":
        proxies = os.environ.get("TRUSTED_PROXIES") or "0"
        if _proxies_problem(proxies):
            raise ConfigError(_proxies_problem(proxies))
        values = {"TRUSTED_PROXIES": int(proxies)}
        key = os.environ.get("SECRET_KEY")
        if key:  # an operator's own key; a known one is refused here too
            if secret_key_problem(key):
                raise ConfigError(f"{secret_key_problem(key)}; unset it and development makes its own")
            values["SECRET_KEY"] = key
        cfg = type("DevelopmentFromEnvironment", (cfg,), values)
    return cfg
