"""Probes for a load balancer or an orchestrator: ``/healthz`` (the process answers) and ``/readyz``.

``/healthz`` touches nothing: a node whose database is down is still alive, and restarting it
would not help. ``/readyz`` checks what a request needs (the database, Redis when configured,
the blob storage) and answers 503 naming what failed, so the balancer sends no traffic there.
Neither needs a login, a CSRF token or a rate limit. A probe names a host of the site like any
request (TRUSTED_HOSTS may list the nodes' own addresses): the Host check stays one rule for all.
"""
from __future__ import annotations

import os
import time
from enum import StrEnum

from flask import Blueprint, Flask, current_app, jsonify
from sqlalchemy import text

from app.extensions import db, limiter

bp = Blueprint("health", __name__)


class Readiness(StrEnum):
    """What /readyz says of itself and of each thing it checked."""

    OK = "ok"
    FAILED = "failed"
TIMEOUT_SECONDS = 2.0


@bp.route("/healthz")
@limiter.exempt
def healthz():
    return jsonify(status="ok"), 200, {"Cache-Control": "no-store"}


def _database() -> None:
    with db.engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def _redis() -> None:
    import redis

    client = redis.Redis.from_url(current_app.config["REDIS_URL"], socket_connect_timeout=TIMEOUT_SECONDS,
                                  socket_timeout=TIMEOUT_SECONDS)
    try:
        client.ping()
    finally:
        client.close()


def _storage() -> None:
    store = current_app.extensions["storage"]
    bucket = getattr(store, "bucket", None)
    if bucket is not None:
        # HEAD on the bucket fails for a missing bucket, refused credentials or an unreachable
        # server (asking for an absent key would just answer "no"), with a client of its own
        # that gives up in seconds instead of the storage's patient retries.
        _s3_probe_client(store).head_bucket(Bucket=bucket)
        return
    root = getattr(store, "root", None)
    if root is not None and not (os.path.isdir(root) and os.access(root, os.W_OK)):
        raise OSError(f"{root} is not a writable directory")


def _s3_probe_client(store):
    cached = current_app.extensions.get("readyz_s3")
    if cached is None or cached[0] is not store:
        import boto3
        from botocore.config import Config

        client = boto3.session.Session().client(
            "s3", endpoint_url=getattr(store, "endpoint_url", None),
            config=Config(connect_timeout=TIMEOUT_SECONDS, read_timeout=TIMEOUT_SECONDS,
                          retries={"max_attempts": 1, "mode": "standard"}))
        cached = current_app.extensions["readyz_s3"] = (store, client)
    return cached[1]


@bp.route("/readyz")
@limiter.exempt
def readyz():
    checks = {"database": _database}
    if current_app.config.get("REDIS_URL"):
        checks["redis"] = _redis
    if "storage" in current_app.extensions:
        checks["storage"] = _storage
    report, failed = {}, []
    for name, check in checks.items():
        started = time.monotonic()
        try:
            check()
            report[name] = {"status": Readiness.OK, "ms": round((time.monotonic() - started) * 1000, 1)}
        except Exception as exc:  # noqa: BLE001 - whatever broke, the probe names it and says 503
            current_app.logger.warning("readiness check %s failed: %s: %s", name, type(exc).__name__, exc)
            report[name] = {"status": Readiness.FAILED, "error": type(exc).__name__}
            failed.append(name)
    body = {"status": Readiness.FAILED if failed else Readiness.OK, "failed": failed, "checks": report}
    return jsonify(body), 503 if failed else 200, {"Cache-Control": "no-store"}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
