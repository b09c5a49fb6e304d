"""Logs a machine reads: one JSON object per line, each carrying the id of the request it belongs to.

With ``LOG_FORMAT=json`` (production's default) every log record, the app's and the libraries',
is written to stderr as one JSON object: time, level, logger, message, request_id, and for the
line each request ends with, method, path, status, duration_ms and user_id. The request id is the
client's (or the proxy's) ``X-Request-ID`` when it looks like an id, otherwise a new one; it is
echoed in the response, handed to the Celery tasks the request queues, and logged by them, so
one id follows a submission from the browser to the mail the worker sends.
"""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar
from datetime import datetime, timezone

from flask import Flask, g, request

HEADER = "X-Request-ID"
TASK_HEADER = "gongmo_request_id"
# Letters, digits and a few separators: what proxies and tracers send. Anything else (a line
# break, a quote, a megabyte) is replaced, so a client cannot forge or flood a log line.
_SANE = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")
_request_id: ContextVar[str | None] = ContextVar("gongmo_request_id", default=None)
# Fields a record may carry (``extra=``) that the JSON line keeps.
FIELDS = ("method", "path", "status", "duration_ms", "user_id", "task", "task_id", "remote_addr")
_MARK = "_gongmo_json_handler"


def sane(value: str | None) -> str | None:
    return value if value and _SANE.fullmatch(value) else None


def new_id() -> str:
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    return _request_id.get()


def bind(request_id: str | None):
    """Make ``request_id`` the id of what runs in this context; returns the token to ``unbind``."""
    return _request_id.set(request_id)


def unbind(token) -> None:
    _request_id.reset(token)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or _request_id.get(),
        }
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_json(level: int | str = logging.INFO, stream=None) -> logging.Handler:
    """Send every record of the process to ``stream`` (stderr) as JSON lines; idempotent."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(old)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    setattr(handler, _MARK, True)
    root.addHandler(handler)
    root.setLevel(level)
    return handler


def _user_id() -> int | None:
    from flask_login import current_user

    try:
        return current_user.id if current_user and current_user.is_authenticated else None
    except Exception:  # noqa: BLE001 - a log line never fails the request
        return None


def init_app(app: Flask) -> None:
    if app.config.get("LOG_FORMAT") == "json":
        from flask.logging import default_handler

        app.logger.removeHandler(default_handler)  # the root's JSON handler writes the app's records
        configure_json(app.config.get("LOG_LEVEL") or logging.INFO)
    access = logging.getLogger("gongmo.request")

    @app.before_request
    def take_request_id():
        g.request_id = sane(request.headers.get(HEADER)) or new_id()
        g.request_started = time.perf_counter()
        g.request_id_token = bind(g.request_id)

    @app.after_request
    def echo_request_id(resp):
        request_id = g.get("request_id")
        if request_id:
            resp.headers[HEADER] = request_id
            started = g.get("request_started")
            if not access.isEnabledFor(logging.INFO):  # text logs: nobody reads the line, skip its cost
                return resp
            access.info("%s %s %s", request.method, request.path, resp.status_code, extra={
                "request_id": request_id, "method": request.method, "path": request.path,
                "status": resp.status_code, "user_id": _user_id(),
                "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
            })
        return resp

    @app.teardown_request
    def drop_request_id(_exc=None):
        token = g.pop("request_id_token", None)
        if token is not None:
            try:
                unbind(token)
            except ValueError:  # set in another context (a test client's copied context): nothing to undo
                pass
