"""The Celery application: ``celery -A workers.celery_app worker`` (and ``beat``).

Configured from ``config.py`` (the class named by GONGMO_CONFIG): ``REDIS_URL`` is
the broker; results are not kept. A JSON object in GONGMO_SETTINGS overrides single
settings (the tests point a worker at their own database, Redis and SMTP server).

Every task runs inside an app context of a Flask app created once per worker
process. Tasks take ids, never ORM objects: the row is read fresh in the worker.
"""
from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

from celery import Celery, Task, bootsteps, signals
from flask import Flask, current_app, has_app_context

# The `celery` script puts the project on sys.path only while it imports this module
# and takes it off again afterwards; tasks import the app later, so a copy of our own
# stays at the end of the path for the worker's life.
sys.path.append(str(Path(__file__).resolve().parent.parent))

import config as config_module  # noqa: E402
from workers.schedule import beat_schedule  # noqa: E402

from app.core.tasks import SWEEP_OUTBOX, broker_settings  # noqa: E402

log = logging.getLogger(__name__)


def broker_transport(url: str | None) -> str | None:
    """Our Redis transport for redis:// (workers/broker.py says why), kombu's for anything else."""
    from workers.broker import TRANSPORT

    return TRANSPORT if (url or "redis://").startswith("redis://") else None


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
        broker_settings(values.get("REDIS_URL")),
        # A task is acknowledged only when done: a worker killed mid-task leaves it in the queue.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        # A worker outlives any broker outage: it waits for Redis at start and reconnects
        # after losing it, for as long as it takes (Celery's default gives up after 100 tries).
        broker_connection_retry=True,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        # A mail being sent when the connection drops is left to finish: the outbox row, not
        # the broker's acknowledgement, records whether it went out.
        worker_cancel_long_running_tasks_on_connection_loss=False,
        broker_transport=broker_transport(values.get("REDIS_URL")),
        beat_schedule=beat_schedule(values),
        beat_schedule_filename=os.path.join(str(config_module.INSTANCE_DIR), "celerybeat-schedule"),
        worker_hijack_root_logger=False,
    )
    return app


class SweepOnConnect(bootsteps.StartStopStep):
    """Sweep the outbox each time the worker connects to the broker: at start and after an outage.

    Rows written while Redis was down were handed to no worker; so a deployment without
    beat still sends them as soon as a worker is (back) up. A second sweep follows once a
    lease has run out, for the rows a worker that died was holding.
    """

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def start(self, c):
        from app.notifications.outbox import LEASE_SECONDS

        lease = float(SETTINGS.get("OUTBOX_LEASE_SECONDS") or LEASE_SECONDS)
        for countdown in (0, lease + 1):
            try:
                # Over the connection that has just come up: the publishing pool may still
                # hold sockets from before the outage.
                c.app.send_task(SWEEP_OUTBOX, countdown=countdown, connection=c.connection)
            except Exception:  # noqa: BLE001 - the broker went again; the next connect sweeps
                log.warning("could not queue the outbox sweep after connecting", exc_info=True)


SETTINGS = settings()
celery = make_celery(SETTINGS)
celery.steps["consumer"].add(SweepOnConnect)
app = celery

if SETTINGS.get("LOG_FORMAT") == "json":
    @signals.setup_logging.connect
    def json_logs(loglevel=None, **_kwargs):
        """The worker's and beat's lines as JSON, like the web's (app/core/logs.py), not Celery's own."""
        from app.core import logs

        logs.configure_json(loglevel or logging.INFO)


@signals.task_prerun.connect
def bind_request_id(task_id=None, task=None, **_kwargs):
    """A task logs under the id of the request that queued it, or under its own id."""
    from app.core import logs

    request_id = logs.sane(task.request.get(logs.TASK_HEADER) if task is not None else None) or task_id
    _task_log_tokens[task_id] = logs.bind(request_id)


@signals.task_postrun.connect
def unbind_request_id(task_id=None, **_kwargs):
    from app.core import logs

    token = _task_log_tokens.pop(task_id, None)
    if token is not None:
        try:
            logs.unbind(token)
        except ValueError:  # bound in another context: nothing of this one to undo
            pass


_task_log_tokens: dict = {}


def bind_broker(url: str | None) -> None:
    """Publish to ``url`` from now on (the web app's REDIS_URL may differ from the environment's)."""
    if not url or celery.conf.broker_url == url:
        return
    celery.conf.broker_url = url
    celery.conf.broker_transport = broker_transport(url)
    # Drop the pools built for the previous broker.
    celery._pool = None
    if "amqp" in celery.__dict__:
        celery.amqp._producer_pool = None
