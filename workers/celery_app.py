"""The Celery application: ``celery -A workers.celery_app worker`` (and ``beat``).

Configured from ``config.py`` (the class named by GONGMO_CONFIG): ``REDIS_URL`` is
the broker; results are not kept. A JSON object in GONGMO_SETTINGS overrides single
settings (the tests point a worker at their own database, Redis and SMTP server).

Every task runs inside an app context of a Flask app created once per worker
process. Tasks take ids, never ORM objects: the row is read fresh in the worker.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from celery import Celery, Task
from flask import Flask, current_app, has_app_context

# The `celery` script puts the project on sys.path only while it imports this module
# and takes it off again afterwards; tasks import the app later, so a copy of our own
# stays at the end of the path for the worker's life.
sys.path.append(str(Path(__file__).resolve().parent.parent))

import config as config_module  # noqa: E402
from workers.schedule import beat_schedule  # noqa: E402

# A web request that publishes while Redis is down must fail within about a second
# (the outbox row is safe; the sweep sends it later) rather than hang on retries.
BROKER_TIMEOUT_SECONDS = 1.0


def overrides() -> dict:
    raw = os.environ.get("GONGMO_SETTINGS")
    return json.loads(raw) if raw else {}


def settings() -> dict:
    cfg = config_module.load(os.environ.get("GONGMO_CONFIG"))
    values = {k: getattr(cfg, k) for k in dir(cfg) if k.isupper()}
    values.update(overrides())
    return values


_flask_app: Flask | None = None


def flask_app() -> Flask:
    """The app tasks run in: the caller's when there is one, else one per process."""
    global _flask_app
    if has_app_context():
        return current_app._get_current_object()
    if _flask_app is None:
        from app import create_app

        _flask_app = create_app(os.environ.get("GONGMO_CONFIG"), **overrides())
    return _flask_app


class AppContextTask(Task):
    def __call__(self, *args, **kwargs):
        if has_app_context():
            return super().__call__(*args, **kwargs)
        with flask_app().app_context():
            return super().__call__(*args, **kwargs)


def make_celery(values: dict) -> Celery:
    os.makedirs(config_module.INSTANCE_DIR, exist_ok=True)  # beat keeps its schedule file there
    app = Celery("gongmo", task_cls=AppContextTask, include=["workers.tasks"])
    app.conf.update(
        broker_url=values.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
        task_ignore_result=True,
        result_backend=None,
        # A task is acknowledged only when done: a worker killed mid-task leaves it in the queue.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=BROKER_TIMEOUT_SECONDS,
        task_publish_retry=False,
        broker_transport_options={
            "socket_connect_timeout": BROKER_TIMEOUT_SECONDS,
            "socket_timeout": 5,
            "max_retries": 0,
            "visibility_timeout": 3600,
        },
        beat_schedule=beat_schedule(values),
        beat_schedule_filename=os.path.join(str(config_module.INSTANCE_DIR), "celerybeat-schedule"),
        timezone="UTC",
        enable_utc=True,
        worker_hijack_root_logger=False,
    )
    return app


celery = make_celery(settings())
app = celery


def bind_broker(url: str | None) -> None:
    """Publish to ``url`` from now on (the web app's REDIS_URL may differ from the environment's)."""
    if not url or celery.conf.broker_url == url:
        return
    celery.conf.broker_url = url
    # Drop the pools built for the previous broker.
    celery._pool = None
    if "amqp" in celery.__dict__:
        celery.amqp._producer_pool = None
