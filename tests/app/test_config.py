import os
import subprocess
import sys
from pathlib import Path

import pytest

import config

REPO = Path(__file__).resolve().parents[2]
GOOD_KEY = "k3J9-vQ2x_Lm8Zp4Rt7Wc1Yb6Nd0Hf5Ga2Se9Uo"
PRODUCTION_ENV = {
    "DATABASE_URL": "postgresql+psycopg://u@127.0.0.1/gongmo",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "SECRET_KEY": GOOD_KEY,
    "SITE_URL": "https://gongmo.example.go.kr",
    "TRUSTED_PROXIES": "1",
}


@pytest.fixture
def production_env(monkeypatch):
    for key in (*PRODUCTION_ENV, "TRUSTED_HOSTS"):
        monkeypatch.delenv(key, raising=False)
    for key, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(key, value)
    return monkeypatch


def test_production_refuses_to_start_without_its_services(production_env):
    for key in ("DATABASE_URL", "SECRET_KEY", "SITE_URL", "TRUSTED_PROXIES"):
        production_env.delenv(key)
    with pytest.raises(config.ConfigError) as err:
        config.load("production")
    for key in ("DATABASE_URL", "SECRET_KEY", "SITE_URL", "TRUSTED_PROXIES"):
        assert key in str(err.value)
    assert "REDIS_URL" not in str(err.value)


def test_production_uses_the_environment_and_secure_cookies(production_env):
    production_env.setenv("TRUSTED_HOSTS", "gongmo.go.kr, www.gongmo.go.kr")
    cfg = config.load("production")
    assert cfg.SQLALCHEMY_DATABASE_URI.startswith("postgresql")
    assert cfg.SESSION_COOKIE_SECURE and cfg.SESSION_COOKIE_HTTPONLY
    assert cfg.SESSION_COOKIE_SAMESITE == "Lax"
    assert cfg.TASKS_EAGER is False
    assert cfg.SECRET_KEY == GOOD_KEY and cfg.SITE_URL == "https://gongmo.example.go.kr"
    assert cfg.TRUSTED_PROXIES == 1 and cfg.TRUSTED_HOSTS == ["gongmo.go.kr", "www.gongmo.go.kr"]


@pytest.mark.parametrize("key", [
    "dev-only-not-secret", "test-secret", "changeme", "secret", "your-secret-key",
    "short-but-random-Xq9", "x" * 64, "dev-only-not-secret" + "-padded-to-be-long-enough-1234",
])
def test_production_refuses_a_known_short_or_repetitive_secret_key(production_env, key):
    production_env.setenv("SECRET_KEY", key)
    with pytest.raises(config.ConfigError, match="SECRET_KEY"):
        config.load("production")


@pytest.mark.parametrize("site_url", ["http://gongmo.example.go.kr", "gongmo.example.go.kr", "ftp://gongmo.example.go.kr",
                                      "https://", "https://gongmo.example.go.kr/?next=x"])
def test_production_refuses_a_site_url_that_is_not_https(production_env, site_url):
    production_env.setenv("SITE_URL", site_url)
    with pytest.raises(config.ConfigError, match="SITE_URL"):
        config.load("production")


@pytest.mark.parametrize("proxies", ["one", "-1", "1.5", "２", "99"])
def test_production_refuses_a_trusted_proxy_count_that_is_not_a_small_number(production_env, proxies):
    production_env.setenv("TRUSTED_PROXIES", proxies)
    with pytest.raises(config.ConfigError, match="TRUSTED_PROXIES"):
        config.load("production")


def test_unknown_configuration_name_is_refused():
    with pytest.raises(config.ConfigError):
        config.load("staging")


def test_development_runs_tasks_in_process_without_redis():
    # Without REDIS_URL at import time, development delivers mail in the web process.
    assert config.DevelopmentConfig.TASKS_EAGER in (True, False)
    assert config.DevelopmentConfig.SQLALCHEMY_DATABASE_URI.startswith(("sqlite:///", "postgresql"))


def test_no_configuration_carries_a_fixed_production_or_development_key():
    assert config.BaseConfig.SECRET_KEY is None
    assert config.DevelopmentConfig.SECRET_KEY is None and config.ProductionConfig.SECRET_KEY is None


@pytest.fixture(autouse=True)
def _limiter_restored():
    """A development app switches the limiter on: it is one object shared by every app of the session."""
    from app.extensions import limiter

    was_enabled = limiter.enabled
    yield
    limiter.enabled = was_enabled


def _development_app(tmp_path, **overrides):
    from app import create_app

    return create_app("development", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'dev.sqlite3'}",
                      UPLOAD_DIR=str(tmp_path / "uploads"), MAIL_DIR=str(tmp_path / "mail"), **overrides)


def test_development_makes_a_random_key_once_and_keeps_it(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("TRUSTED_PROXIES", raising=False)
    key_file = tmp_path / "instance" / "secret_key"
    first = _development_app(tmp_path, SECRET_KEY_FILE=str(key_file))
    key = first.config["SECRET_KEY"]
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert len(key) >= 32 and config.secret_key_problem(key) is None
    assert _development_app(tmp_path, SECRET_KEY_FILE=str(key_file)).config["SECRET_KEY"] == key  # a restart
    other = tmp_path / "elsewhere" / "secret_key"
    assert _development_app(tmp_path, SECRET_KEY_FILE=str(other)).config["SECRET_KEY"] != key  # another machine


def test_development_refuses_a_published_key_from_the_environment(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "dev-only-not-secret")
    monkeypatch.delenv("TRUSTED_PROXIES", raising=False)
    with pytest.raises(config.ConfigError, match="SECRET_KEY"):
        config.load("development")


def test_an_app_without_any_key_refuses_to_start():
    from app import create_app

    keyless = type("Keyless", (config.DevelopmentConfig,), {"SECRET_KEY_FILE": None})
    with pytest.raises(config.ConfigError, match="SECRET_KEY"):
        create_app(keyless)


def test_the_hosts_a_request_may_name_come_from_configuration(monkeypatch, tmp_path):
    from app import trusted_hosts

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("TRUSTED_PROXIES", raising=False)
    assert trusted_hosts({"SITE_URL": "https://gongmo.example.go.kr", "TRUSTED_HOSTS": ["www.gongmo.go.kr"]}) == \
        ["www.gongmo.go.kr", "gongmo.example.go.kr"]
    assert trusted_hosts({"SITE_URL": "http://127.0.0.1:5000", "SERVER_NAME": "gongmo.test:8080"}) == \
        ["127.0.0.1", "gongmo.test"]
    dev = _development_app(tmp_path, SECRET_KEY_FILE=str(tmp_path / "k"))
    assert {"127.0.0.1", "localhost"} <= set(dev.config["TRUSTED_HOSTS"])
    asset = "/static/css/gongmo.css"  # no database behind it: the host check alone decides
    refused = dev.test_client().get(asset, headers={"Host": "evil.example"})
    assert refused.status_code == 400 and "//evil.example" not in refused.get_data(as_text=True)
    assert dev.test_client().get(asset, headers={"Host": "localhost:5000"}).status_code == 200


def _import_wsgi(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("GONGMO_CONFIG", "SECRET_KEY", "GONGMO_SETTINGS", "TRUSTED_PROXIES")}
    clean.update(env)
    return subprocess.run([sys.executable, "-c", "import wsgi; print('served', wsgi.app.config['SECRET_KEY'] != '')"],
                          cwd=REPO, env=clean, capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_wsgi_serves_nothing_unless_the_configuration_is_named(tmp_path):
    for env in ({}, {"GONGMO_CONFIG": ""}, {"GONGMO_CONFIG": "testing"}):
        done = _import_wsgi(**env)
        assert done.returncode != 0 and "GONGMO_CONFIG" in done.stderr, (env, done.stderr[-2000:])
        assert "served" not in done.stdout
    # What `make run` sets: the demo serves, with its own key in the instance folder.
    done = _import_wsgi(GONGMO_CONFIG="development", GONGMO_INSTANCE=str(tmp_path / "instance"))
    assert done.returncode == 0 and "served True" in done.stdout, done.stderr[-2000:]
    assert (tmp_path / "instance" / "secret_key").exists()
    # Production without its settings says which are missing.
    done = _import_wsgi(GONGMO_CONFIG="production", DATABASE_URL="", REDIS_URL="", SITE_URL="")
    assert done.returncode != 0 and "SECRET_KEY" in done.stderr and "SITE_URL" in done.stderr


def test_make_run_worker_and_beat_name_the_development_configuration():
    done = subprocess.run(["make", "-n", "-p", "run"], cwd=REPO, capture_output=True, text=True, timeout=60,
                          env={k: v for k, v in os.environ.items() if k != "GONGMO_CONFIG"})
    for target in ("run", "worker", "beat"):
        assert f"{target}: GONGMO_CONFIG = development" in done.stdout
