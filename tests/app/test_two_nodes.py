"""Two web nodes (gunicorn processes, each with its own instance folder) on one PostgreSQL, Redis and
S3-compatible storage (moto's server): nothing a user does depends on which node answers."""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from app.core import clock
from app.extensions import db
from app.models import Attachment, OutboxMessage
from app.models.outbox import ReminderLog
from tests.app.builders import minimal_pdf
from tests.factories import PASSWORD, CallFactory, ProposalFactory, UserFactory, applicant_with_consortium
from tests.services import free_port, wait_for_port

pytestmark = [pytest.mark.pg_only, pytest.mark.redis]

REPO = Path(__file__).resolve().parents[2]
BUCKET = "gongmo-two-nodes"
GENERIC = "이메일 또는 비밀번호가 올바르지 않습니다."
THROTTLED = "로그인 시도가 너무 많습니다."
# One beat tick of the clock's work in a process of each node's, both let go at the same instant.
# They start with the nodes (importing the app takes seconds) and wait for a line on stdin.
CLOCK_TICK = ("import json, os, sys; from app import create_app; from config import TestingConfig; "
              "app = create_app(TestingConfig, **json.loads(os.environ['GONGMO_SETTINGS'])); "
              "from app.notifications import reminders; ctx = app.app_context(); ctx.push(); "
              "print('ready', flush=True); sys.stdin.readline(); print(json.dumps(reminders.run()), flush=True)")


@pytest.fixture
def shared(db_backend, database_url, request):
    if db_backend != "postgresql":
        pytest.skip("several nodes share a PostgreSQL database; SQLite is one machine's")
    redis_server, s3_server = request.getfixturevalue("redis_server"), request.getfixturevalue("s3_server")
    import boto3

    s3 = boto3.client("s3", endpoint_url=s3_server.endpoint_url)
    if BUCKET not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
        s3.create_bucket(Bucket=BUCKET)
    redis_server_url = redis_server.url
    import redis

    redis.Redis.from_url(redis_server_url).flushdb()  # no rate-limit counts of earlier tests
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": redis_server_url,
        "TASKS_EAGER": True,  # no worker here: a node sends its own mails (to its instance folder)
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": redis_server_url,
        "STORAGE_URL": f"s3://{BUCKET}/{secrets.token_hex(4)}",
        "S3_ENDPOINT_URL": s3_server.endpoint_url,
        "SECRET_KEY": secrets.token_urlsafe(48),  # every node signs sessions with the same key
        "SITE_URL": "http://127.0.0.1",
        "MAIL_BACKEND": "file",
    }


def _env(settings: dict, instance: Path) -> dict:
    instance.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, GONGMO_INSTANCE=str(instance), PYTHONUNBUFFERED="1")
    env.pop("REDIS_URL", None)
    env["GONGMO_SETTINGS"] = json.dumps(dict(settings, UPLOAD_DIR=str(instance / "uploads"),
                                             MAIL_DIR=str(instance / "mail")))
    return env


@pytest.fixture
def nodes(shared, tmp_path):
    """Two gunicorn processes and a clock process beside each; yields (base URL, instance, clock) per node."""
    started, clocks = [], []
    for name in ("a", "b"):
        port = free_port()
        instance = tmp_path / f"instance-{name}"
        log = open(tmp_path / f"node-{name}.log", "wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "2",
             "--graceful-timeout", "1", "tests.app.node_wsgi:app"],
            cwd=REPO, env=_env(shared, instance), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        started.append((proc, log, f"http://127.0.0.1:{port}", instance, port))
        clocks.append(subprocess.Popen([sys.executable, "-c", CLOCK_TICK], cwd=REPO, env=_env(shared, instance),
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       text=True))
    try:
        for _p, _l, url, _i, port in started:
            wait_for_port(port, timeout=60)
            _wait_ready(url)
        yield [(url, instance, tick) for (_p, _l, url, instance, _port), tick in zip(started, clocks)]
    finally:
        for proc in [p for p, *_ in started] + clocks:
            if proc.poll() is None:
                proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        for _p, log, *_ in started:
            log.close()


def _wait_ready(base: str, timeout: float = 60.0) -> None:
    """gunicorn listens before its worker has imported the app: ready when /readyz says so."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if requests.get(f"{base}/readyz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{base} did not become ready")
        time.sleep(0.2)


def _login(session: requests.Session, base: str, email: str, password: str = PASSWORD) -> requests.Response:
    return session.post(f"{base}/login", data={"email": email, "password": password}, allow_redirects=False)


def test_two_nodes_share_sessions_files_limits_and_the_clock(app, shared, nodes):
    (a, instance_a, tick_a), (b, instance_b, tick_b) = nodes
    assert instance_a != instance_b

    # --- a session made on one node works on the other ------------------------------------
    lead, consortium = applicant_with_consortium()
    proposal = ProposalFactory(consortium=consortium, created_by_id=lead.id)
    db.session.commit()
    browser = requests.Session()  # cookies of 127.0.0.1, whatever the port: like one site behind a balancer
    assert _login(browser, a, lead.email).status_code == 302
    assert browser.get(f"{b}/account/password", allow_redirects=False).status_code == 200
    assert requests.get(f"{b}/account/password", allow_redirects=False).status_code == 302  # without it: login

    # --- an upload through one node is downloadable through the other ---------------------
    pdf = minimal_pdf()
    resp = browser.post(f"{a}/proposals/{proposal.id}/attachments", data={"kind": "plan"},
                        files={"file": ("사업계획서.pdf", pdf, "application/pdf")}, allow_redirects=False)
    assert resp.status_code == 303, resp.text[:2000]
    db.session.expire_all()
    attachment = db.session.scalar(select(Attachment).where(Attachment.proposal_id == proposal.id))
    got = browser.get(f"{b}/proposals/{proposal.id}/attachments/{attachment.id}")
    assert got.status_code == 200 and got.content == pdf
    # Neither node kept the blob in its own folder: it is in the shared bucket.
    assert not [p for p in (instance_a / "uploads").rglob("*") if p.is_file() and ".incoming" not in p.parts]
    assert not [p for p in (instance_b / "uploads").rglob("*") if p.is_file() and ".incoming" not in p.parts]

    # --- the login throttle counts failures on both nodes together ------------------------
    victim = UserFactory()
    db.session.commit()
    stranger = requests.Session()
    for node in (a, b, a):  # the free failures, spread over the nodes
        assert GENERIC in _login(stranger, node, victim.email, "Wrong-horse-9").text
    refused = _login(stranger, b, victim.email)  # even the right password now waits, on the other node
    assert refused.status_code == 422 and THROTTLED in refused.text

    # --- Flask-Limiter's counts are in Redis: 10 login posts a minute per address, all nodes --
    posts = 5  # so far: one login, three failures, one refusal
    while posts < 10:
        _login(requests.Session(), (a, b)[posts % 2], f"nobody{posts}@example.org", "Wrong-horse-9")
        posts += 1
    assert _login(requests.Session(), a, "nobody@example.org").status_code == 429
    assert _login(requests.Session(), b, "nobody@example.org").status_code == 429

    # --- the clock's work runs once, however many nodes run it at the same time ------------
    call = CallFactory(opens_at=clock.now() - timedelta(days=30), closes_at=clock.now() + timedelta(days=2, hours=12))
    ProposalFactory(call=call, consortium=consortium, created_by_id=lead.id)
    db.session.commit()
    ticks = (tick_a, tick_b)
    for tick in ticks:  # both have built their app; let them go together
        assert tick.stdout.readline().strip() == "ready", tick.stderr.read()
    for tick in ticks:
        tick.stdin.write("go\n")
        tick.stdin.flush()
    outcomes = [t.communicate(timeout=60) for t in ticks]
    assert all(t.returncode == 0 for t in ticks), outcomes
    done = [json.loads(out.strip().splitlines()[-1])["deadline_reminders"] for out, _err in outcomes]
    assert sorted(done) == [0, 1]
    db.session.expire_all()
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.template == "deadline_reminder")) == 1
    assert db.session.scalar(select(func.count(ReminderLog.id)).where(ReminderLog.kind == "d3")) == 1
    mails = [p for i in (instance_a, instance_b) for p in (i / "mail").rglob("*.eml")]
    assert len(mails) == 1
