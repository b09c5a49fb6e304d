"""Handing work to the Celery workers, the publishing side of Flask's Celery pattern.

The app registers a ``TaskQueue`` as ``app.extensions["tasks"]``; services send a task by
its name and never import ``workers/``, which defines the tasks and runs them. The Celery
client is built on first use, so a web process that runs its tasks in-process
(``TASKS_EAGER``, plain ``make run``) never imports Celery at all.
"""
from __future__ import annotations

from flask import Flask, current_app

DELIVER_OUTBOX = "gongmo.deliver_outbox"
SWEEP_OUTBOX = "gongmo.sweep_outbox"
RUN_DEADLINES = "gongmo.run_deadlines"
RECOMMEND_PANEL = "gongmo.recommend_panel"
DELIVER_WEBHOOK = "gongmo.deliver_webhook"
RUN_JOB = "gongmo.run_job"
SWEEP_STORAGE = "gongmo.sweep_storage"

# A web request that publishes while Redis is down must fail within about a second
# (the outbox row is safe; the sweep sends it later) rather than hang on retries.
BROKER_TIMEOUT_SECONDS = 1.0
# A job taken by a worker that then vanished goes back to the queue after this long; it
# must exceed the longest retry countdown (8 minutes), or a waiting retry would be handed
# out twice. The sweep does not wait for it anyway.
VISIBILITY_TIMEOUT_SECONDS = 3600
DEFAULT_BROKER = "redis://127.0.0.1:6379/0"


def broker_settings(redis_url: str | None) -> dict:
    """The Celery settings the publisher and the workers share."""
    return dict(
        broker_url=redis_url or DEFAULT_BROKER,
        task_ignore_result=True,
        result_backend=None,
        broker_connection_timeout=BROKER_TIMEOUT_SECONDS,
        task_publish_retry=False,
        broker_transport_options={
            "socket_connect_timeout": BROKER_TIMEOUT_SECONDS,
            "socket_timeout": 5,
            "max_retries": 0,
            "visibility_timeout": VISIBILITY_TIMEOUT_SECONDS,
        },
        timezone="UTC",
        enable_utc=True,
    )


class TaskQueue:
    def __init__(self, redis_url: str | None):
        self.redis_url = redis_url
        self._client = None

    @property
    def client(self):
        if self._client is None:
            from celery import Celery

            self._client = Celery("gongmo-publisher")
            self._client.conf.update(broker_settings(self.redis_url))
        return self._client

    def send(self, name: str, *args, **options) -> None:
        """Queue task ``name``; raises when the broker cannot be reached (callers keep a fallback)."""
        from app.core import logs

        request_id = logs.current_request_id()
        if request_id:  # the task logs under the id of the request that queued it
            options["headers"] = {**options.get("headers", {}), logs.TASK_HEADER: request_id}
        self.client.send_task(name, args=args, **options)


def init_app(app: Flask) -> None:
    app.extensions["tasks"] = TaskQueue(app.config.get("REDIS_URL"))


def send(name: str, *args, **options) -> None:
    current_app.extensions["tasks"].send(name, *args, **options)
