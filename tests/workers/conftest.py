"""Real parts for the worker tests: an SMTP server, Celery worker and beat processes.

The worker and beat run as subprocesses of ``celery -A workers.celery_app`` against
the session's database and Redis; they see only committed data, so the tests that
use them commit and the ``live_app`` fixture empties the tables afterwards.
"""
from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from tests import services

REPO = Path(__file__).resolve().parents[2]
CELERY = [sys.executable, "-m", "celery", "-A", "workers.celery_app"]


@pytest.fixture
def sent(monkeypatch):
    """Every mail the in-process (eager) delivery hands to the transport, in order."""
    from app.notifications import mailer

    mails = []
    monkeypatch.setattr(mailer, "send", lambda mail: mails.append(mail))
    return mails


# --- SMTP ----------------------------------------------------------------------------

class Inbox:
    """An aiosmtpd handler that keeps what it accepted and can refuse or hold mail."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages: list = []
        self.refusals = 0
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.messages.clear()
            self.refusals = 0
        self.refuse_until = 0.0  # time.monotonic() before which every DATA gets a 451
        self.delay = 0.0
        self.hold_after: int | None = None  # hold the DATA of the message after this many
        self.held = threading.Event()
        self.released = threading.Event()
        # Called once, after the next mail is stored and before the server answers 250:
        # whatever it does (kill the sender) happens with the mail already delivered.
        self.after_accept = None
        self.hang_up_after_accept = False  # close the connection instead of answering 250

    async def handle_DATA(self, server, session, envelope):
        if time.monotonic() < self.refuse_until:
            with self.lock:
                self.refusals += 1
            return "451 4.3.0 Mailbox temporarily unavailable, try again later"
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.hold_after is not None and len(self.messages) >= self.hold_after:
            self.held.set()
            # If the client dies meanwhile, aiosmtpd cancels this coroutine: the mail
            # was never accepted, exactly as with a real server.
            while not self.released.is_set():
                await asyncio.sleep(0.02)
        mail = BytesParser(policy=policy.default).parsebytes(envelope.content)
        with self.lock:
            self.messages.append({"rcpt": list(envelope.rcpt_tos), "mail": mail})
        callback, self.after_accept = self.after_accept, None
        if callback:
            callback()
        if self.hang_up_after_accept:
            self.hang_up_after_accept = False
            server.transport.close()  # the answer is lost: the client cannot know it was delivered
        return "250 2.0.0 OK"

    def snapshot(self) -> list:
        with self.lock:
            return list(self.messages)

    def keys(self) -> Counter:
        return Counter(m["mail"]["X-Gongmo-Key"] for m in self.snapshot())

    def wait_for(self, count: int, timeout: float = 20.0, poke=None, every: float = 1.0) -> list:
        """Wait until ``count`` mails arrived; ``poke()`` is called every ``every`` s (e.g. a sweep)."""
        deadline = time.monotonic() + timeout
        last_poke = time.monotonic()
        while time.monotonic() < deadline:
            got = self.snapshot()
            if len(got) >= count:
                return got
            if poke and time.monotonic() - last_poke >= every:
                poke()
                last_poke = time.monotonic()
            time.sleep(0.05)
        raise AssertionError(f"expected {count} mails within {timeout}s, got {len(self.snapshot())}: {self.keys()}")


@pytest.fixture(scope="session")
def smtp_server():
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = services.free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.port = port
    yield inbox
    controller.stop()


@pytest.fixture
def inbox(smtp_server):
    smtp_server.reset()
    yield smtp_server
    smtp_server.reset()


# --- the app as the web process sees it ----------------------------------------------

@pytest.fixture(scope="session")
def live_settings(database_url, instance_dir, redis_server, smtp_server) -> dict:
    """Settings shared by the web app of the tests and the worker subprocesses."""
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": redis_server.url,
        "TASKS_EAGER": False,
        "MAIL_BACKEND": "smtp",
        "MAIL_HOST": "127.0.0.1",
        "MAIL_PORT": smtp_server.port,
        "MAIL_STARTTLS": False,
        "MAIL_USERNAME": None,
        "MAIL_TIMEOUT": 10,
        "MAIL_DIR": str(instance_dir / "mail"),
        "UPLOAD_DIR": str(instance_dir / "uploads"),
        "SERVER_NAME": "gongmo.test",
        "OUTBOX_RETRY_BASE_SECONDS": 0.5,
        "OUTBOX_LEASE_SECONDS": 3,
        "BEAT_DEADLINES_SECONDS": 1,
        "BEAT_SWEEP_SECONDS": 1,
    }


@pytest.fixture(scope="session")
def _live_app(_schema, make_app, live_settings):
    return make_app(**live_settings)


@pytest.fixture
def live_app(_live_app, redis_server):
    """An app context whose commits hand mails to the real broker; tables emptied afterwards."""
    from app.extensions import db
    from tests.conftest import _truncate_all
    from workers.celery_app import bind_broker

    if redis_server.process.poll() is not None:  # a fault test left it stopped
        redis_server.restart()
    bind_broker(redis_server.url)
    ctx = _live_app.app_context()
    ctx.push()
    try:
        yield _live_app
    finally:
        db.session.rollback()
        db.session.remove()
        _truncate_all(db)
        ctx.pop()


# --- worker and beat processes -------------------------------------------------------

class CeleryProcess:
    def __init__(self, argv: list[str], env: dict, log: Path, ready_marker: str | None):
        self.argv, self.env, self.log, self.ready_marker = argv, env, log, ready_marker
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30.0) -> "CeleryProcess":
        self._fh = open(self.log, "ab")
        self.proc = subprocess.Popen(self.argv, cwd=REPO, env=self.env, stdout=self._fh, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        if self.ready_marker:
            deadline = time.monotonic() + timeout
            while self.ready_marker not in self.output():
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{self.argv} did not start:\n{self.output()[-4000:]}")
                time.sleep(0.1)
        return self

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, nothing acknowledged or cleaned up."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        if getattr(self, "_fh", None):
            self._fh.close()


@pytest.fixture(scope="session")
def celery_env(live_settings) -> dict:
    env = dict(os.environ)
    env.pop("REDIS_URL", None)
    env.update(GONGMO_CONFIG="testing", GONGMO_SETTINGS=json.dumps(live_settings), PYTHONUNBUFFERED="1")
    return env


@pytest.fixture(scope="session")
def start_worker(celery_env, tmp_path_factory):
    """``start_worker(name)`` starts a real worker process; all are stopped at the end."""
    started: list[CeleryProcess] = []
    logs = tmp_path_factory.mktemp("celery")

    def start(name: str = "w", pool: str = "solo", concurrency: int = 1, settings: dict | None = None,
              queues: str | None = None, **env_overrides) -> CeleryProcess:
        env = dict(celery_env, **env_overrides)
        if settings:
            env["GONGMO_SETTINGS"] = json.dumps(dict(json.loads(celery_env["GONGMO_SETTINGS"]), **settings))
        argv = [*CELERY, "worker", f"--pool={pool}", f"--concurrency={concurrency}", "--loglevel=INFO",
                *(["-Q", queues] if queues else []),
                "--without-gossip", "--without-mingle", "--without-heartbeat",
                "-n", f"{name}-{len(started)}@%h"]
        proc = CeleryProcess(argv, env, logs / f"{name}-{len(started)}.log", ready_marker="ready.")
        started.append(proc)
        return proc.start()

    yield start
    for p in started:
        p.stop()


@pytest.fixture(scope="session")
def worker(start_worker):
    """One worker shared by the tests that do not kill theirs."""
    return start_worker("shared")


@pytest.fixture
def workers(start_worker):
    """``start_worker``, with this test's workers stopped when it ends.

    A test whose worker loads something big (Kiwi's model) or that must be the only consumer
    uses this rather than the session's shared ``worker``: a worker left running would take the
    jobs of the fault tests that count on their own worker (tests/workers/test_worker_faults.py).
    """
    started = []

    def start(*args, **kwargs):
        started.append(start_worker(*args, **kwargs))
        return started[-1]

    yield start
    for proc in started:
        proc.stop()


@pytest.fixture
def start_beat(celery_env, tmp_path):
    started: list[CeleryProcess] = []

    def start(name: str = "beat") -> CeleryProcess:
        argv = [*CELERY, "beat", "--loglevel=INFO", "--schedule", str(tmp_path / f"{name}-schedule")]
        proc = CeleryProcess(argv, celery_env, tmp_path / f"{name}.log", ready_marker="beat: Starting")
        started.append(proc)
        return proc.start()

    yield start
    for p in started:
        p.stop()
