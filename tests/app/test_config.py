import pytest

import config


def test_production_refuses_to_start_without_its_services(monkeypatch):
    for key in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    with pytest.raises(config.ConfigError) as err:
        config.load("production")
    assert "DATABASE_URL" in str(err.value) and "SECRET_KEY" in str(err.value)
    assert "REDIS_URL" not in str(err.value)


def test_production_uses_the_environment_and_secure_cookies(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@127.0.0.1/gongmo")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    cfg = config.load("production")
    assert cfg.SQLALCHEMY_DATABASE_URI.startswith("postgresql")
    assert cfg.SESSION_COOKIE_SECURE and cfg.SESSION_COOKIE_HTTPONLY
    assert cfg.SESSION_COOKIE_SAMESITE == "Lax"
    assert cfg.TASKS_EAGER is False


def test_unknown_configuration_name_is_refused():
    with pytest.raises(config.ConfigError):
        config.load("staging")


def test_development_runs_tasks_in_process_without_redis():
    # Without REDIS_URL at import time, development delivers mail in the web process.
    assert config.DevelopmentConfig.TASKS_EAGER in (True, False)
    assert config.DevelopmentConfig.SQLALCHEMY_DATABASE_URI.startswith(("sqlite:///", "postgresql"))
