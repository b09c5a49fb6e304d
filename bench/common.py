"""What the web benchmarks share: the real services, the data, an HTTP client and the figures.

``Stack`` starts a throw-away PostgreSQL and Redis (through tests/services.py), an SMTP
sink (aiosmtpd, in its own process), creates the schema, and runs the app the way
production does: gunicorn with the ``production`` configuration and a Celery worker,
each as a subprocess. Everything lives in one temporary directory that is removed at
the end.

PostgreSQL: tests/services.py starts it with fsync, synchronous_commit and
full_page_writes off (fast tests); the benchmarks restart it with PostgreSQL's
defaults, so every commit waits for its WAL flush as it would in production.

The load generator uses ``http.client`` in threads (no third-party HTTP client is
installed); each request opens its own connection, as a browser does after an idle
keep-alive connection was closed by the server.
"""
from __future__ import annotations

import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests import services

VENV_BIN = Path(sys.executable).parent
SECRET_KEY = "bench-" + uuid.uuid4().hex
PASSWORD = "Correct-horse-9"


# --- the machine ---------------------------------------------------------------------

def machine(pg_url: str | None = None, redis_port: int | None = None) -> dict:
    def first(path: str, prefix: str) -> str:
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(prefix):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return "?"

    info = {
        "nproc": os.cpu_count(),
        "cpu": first("/proc/cpuinfo", "model name"),
        "ram": first("/proc/meminfo", "MemTotal"),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "load_before": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }
    try:
        import gunicorn

        info["gunicorn"] = gunicorn.__version__
    except ImportError:
        pass
    if pg_url:
        import psycopg

        with psycopg.connect(pg_url.replace("postgresql+psycopg", "postgresql")) as conn:
            info["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
            info["pg_fsync"] = conn.execute("SHOW fsync").fetchone()[0]
    if redis_port:
        import redis

        info["redis"] = redis.Redis(port=redis_port).info("server")["redis_version"]
    return info


def print_machine(info: dict) -> None:
    print("machine: " + ", ".join(f"{k}={v}" for k, v in info.items()))


# --- figures -------------------------------------------------------------------------

def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100); NaN when there are no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def latency_line(name: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return (f"{name:<22} n={len(ms):>5}  p50={percentile(ms, 50):7.1f} ms  p95={percentile(ms, 95):7.1f} ms  "
            f"p99={percentile(ms, 99):7.1f} ms  max={max(ms) if ms else float('nan'):7.1f} ms")


# --- processes -----------------------------------------------------------------------

def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may contain spaces and parentheses: the fields start after the last ")".
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid:
            out.append(int(entry.name))
    return sorted(out)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used so far (those that vanished count 0)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


class CpuMeter:
    """CPU used by each part of the stack between start() and stop(), and the share of the
    machine's CPU time the hypervisor gave to others (steal).

    Parts: ``web`` (the gunicorn workers of every node), ``pg``, ``redis``, ``proxy``,
    ``s3`` (the object store), ``celery`` (the worker and its pool), ``smtp`` (the sink),
    ``load`` (this process: the simulated browsers).
    """

    def __init__(self, stack: Stack):
        self.stack = stack

    def _pids(self) -> tuple[list[int], list[int]]:
        return self.stack.web_workers(), self.stack.postgres_pids()

    def _parts(self) -> dict[str, float]:
        web, pg = self._pids()
        parts = {"web": cpu_seconds(web), "pg": cpu_seconds(pg), "redis": cpu_seconds([self.stack.redis.process.pid]),
                 "load": time.process_time()}
        for proc in self.stack.processes:
            if proc.proc is None or proc.name.startswith("gunicorn"):
                continue
            parts[proc.name] = parts.get(proc.name, 0.0) + cpu_seconds([proc.proc.pid, *_children(proc.proc.pid)])
        if getattr(self.stack, "s3", None) is not None:
            parts["s3"] = cpu_seconds([self.stack.s3.process.pid])
        return parts

    @staticmethod
    def _stat() -> list[int]:
        return [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]

    def start(self) -> CpuMeter:
        self.parts0 = self._parts()
        self.stat0, self.t0 = self._stat(), time.monotonic()
        return self

    def stop(self) -> dict:
        parts = self._parts()
        stat = self._stat()
        seconds = time.monotonic() - self.t0
        delta = [b - a for a, b in zip(self.stat0, stat)]
        steal = delta[7] if len(delta) > 7 else 0
        busy = 1 - (delta[3] + delta[4]) / max(1, sum(delta))
        used = {name: value - self.parts0.get(name, 0.0) for name, value in parts.items()}
        # Everything the benchmark runs is one of its parts; the rest of the busy time is the neighbours'.
        ours = sum(used.values()) / ((os.cpu_count() or 1) * seconds)
        return {**used, "parts": used, "seconds": seconds, "steal_share": steal / max(1, sum(delta)),
                "busy_share": busy, "others_share": max(0.0, busy - ours)}

    @staticmethod
    def where_time_went(cpu: dict) -> str:
        """CPU seconds per part, largest first, with its share of the machine over the run."""
        capacity = (os.cpu_count() or 1) * cpu["seconds"]
        return ", ".join(f"{name} {value:.0f} s ({value / capacity:.0%})"
                         for name, value in sorted(cpu["parts"].items(), key=lambda kv: -kv[1]))

    @staticmethod
    def describe(cpu: dict) -> str:
        return (f"machine busy {cpu['busy_share']:.0%}, of which other tenants ~{cpu['others_share']:.0%}; "
                f"stolen by the hypervisor {cpu['steal_share']:.1%}")


def memory_of(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak resident) in KiB, and VmRSS split into RssAnon (the process's own
    heap) and RssFile (mapped files: the interpreter and the extension modules' libraries)."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
            values[key] = int(rest.split()[0])
    return values


class Process:
    def __init__(self, name: str, argv: list[str], env: dict, log: Path):
        self.name, self.argv, self.env, self.log = name, argv, env, log
        self.proc: subprocess.Popen | None = None

    def start(self, ready: str | None = None, timeout: float = 60.0, port: int | None = None) -> Process:
        self._fh = open(self.log, "ab")  # noqa: SIM115 - the child writes to it until stop()
        self.proc = subprocess.Popen(self.argv, cwd=REPO, env=self.env, stdout=self._fh, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.output()[-4000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not start in {timeout}s:\n{self.output()[-4000:]}")
            if ready and ready in self.output():
                break
            if port is not None:
                try:
                    services.wait_for_port(port, timeout=0.2)
                    break
                except services.ServiceUnavailable:
                    pass
            if ready is None and port is None:
                break
            time.sleep(0.1)
        return self

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        import signal

        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        if getattr(self, "_fh", None):
            self._fh.close()


def start_durable_postgres() -> services.Postgres:
    """A throw-away cluster from tests/services.py, restarted with production's durability settings."""
    pg = services.start_postgres()
    base = pg.datadir.parent
    opts = f"-p {pg.port} -k {base} -c listen_addresses=127.0.0.1 -c max_connections=200"
    done = subprocess.run(
        [*pg.as_user, services._pg_bin("pg_ctl"), "-D", str(pg.datadir), "-o", opts, "-l", str(base / "log"),
         "-w", "-m", "fast", "restart"],
        capture_output=True, text=True, check=False,
    )
    if done.returncode:
        pg.stop()
        raise services.ServiceUnavailable("PostgreSQL did not restart: " + done.stderr[-2000:])
    return pg


# --- the SMTP sink -------------------------------------------------------------------

def smtp_sink_main(port: int, out: str) -> None:
    """``python bench/common.py smtp-sink PORT FILE``: accept every mail, log key and recipients."""
    import asyncio
    import threading
    from email import policy
    from email.parser import BytesParser

    from aiosmtpd.controller import Controller

    lock = threading.Lock()
    fh = open(out, "a", encoding="utf-8")  # noqa: SIM115 - open for the life of the process

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            mail = BytesParser(policy=policy.default).parsebytes(envelope.content, headersonly=True)
            line = json.dumps({"key": mail["X-Gongmo-Key"], "rcpt": list(envelope.rcpt_tos),
                               "message_id": mail["Message-ID"], "at": time.time()})
            with lock:
                fh.write(line + "\n")
                fh.flush()
            return "250 2.0.0 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    print("smtp sink ready", flush=True)
    try:
        asyncio.run(asyncio.Event().wait())
    finally:
        controller.stop()


def read_mails(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# --- the stack -----------------------------------------------------------------------

@dataclass
class Stack:
    """PostgreSQL, Redis, SMTP sink, schema, gunicorn and a Celery worker; ``with Stack() as s:``."""

    gunicorn_workers: int = 4  # per node
    gunicorn_threads: int = 2
    celery_concurrency: int = 2
    keep: bool = False
    # Several web nodes, each with its own instance folder, behind bench/proxy.py on web_port;
    # they share PostgreSQL, Redis and the blob store (a directory, or moto's S3 server).
    nodes: int = 1
    storage: str = "local"  # or "s3"
    base: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="gongmo-bench-")))
    processes: list[Process] = field(default_factory=list)

    def __enter__(self) -> Self:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # The environment both the subprocesses and this process's app read.
    def start(self) -> None:
        self.pg = start_durable_postgres()
        self.redis = services.start_redis()
        self.instance = self.base / "instance"
        (self.instance / "uploads").mkdir(parents=True)
        blob_env = self._start_blob_store()
        self.mail_log = self.base / "mails.jsonl"
        self.smtp_port = services.free_port()
        self.web_port = services.free_port()
        self.env = dict(os.environ)
        for k in ("GONGMO_SETTINGS", "TEST_DATABASE_URL"):
            self.env.pop(k, None)
        self.env.update(
            GONGMO_CONFIG="production", DATABASE_URL=self.pg.url, REDIS_URL=self.redis.url, SECRET_KEY=SECRET_KEY,
            GONGMO_INSTANCE=str(self.instance), MAIL_BACKEND="smtp", MAIL_HOST="127.0.0.1",
            MAIL_PORT=str(self.smtp_port), MAIL_STARTTLS="0", SITE_URL=f"http://127.0.0.1:{self.web_port}",
            TRUSTED_PROXIES="0", PYTHONUNBUFFERED="1", **blob_env,
        )
        # This process builds the data with the same configuration the server reads.
        os.environ.update({k: self.env[k] for k in (
            "GONGMO_CONFIG", "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "GONGMO_INSTANCE", "MAIL_BACKEND",
            "MAIL_HOST", "MAIL_PORT", "SITE_URL", "TRUSTED_PROXIES", *blob_env)})
        self.smtp = self._spawn("smtp", [sys.executable, str(Path(__file__).resolve()), "smtp-sink",
                                         str(self.smtp_port), str(self.mail_log)]).start(port=self.smtp_port)
        self.app = self._app()
        with self.app.app_context():
            from app.extensions import db

            db.create_all()

    def _start_blob_store(self) -> dict[str, str]:
        """The blob store every node and this process share; its settings as environment variables."""
        if self.storage == "local":
            return {"STORAGE_URL": f"file://{self.base / 'blobs'}"}
        if self.storage != "s3":
            raise ValueError(f"storage {self.storage!r}: local or s3")
        import boto3

        self.s3 = services.start_s3()
        credentials = {"aws_access_key_id": "gongmo-bench", "aws_secret_access_key": "gongmo-bench-secret",
                       "region_name": "us-east-1"}
        boto3.client("s3", endpoint_url=self.s3.endpoint_url, **credentials).create_bucket(Bucket="gongmo-bench")
        return {"STORAGE_URL": "s3://gongmo-bench/blobs", "S3_ENDPOINT_URL": self.s3.endpoint_url,
                "AWS_ACCESS_KEY_ID": credentials["aws_access_key_id"],
                "AWS_SECRET_ACCESS_KEY": credentials["aws_secret_access_key"],
                "AWS_DEFAULT_REGION": credentials["region_name"]}

    def _app(self):
        from app import create_app

        return create_app("production", SQLALCHEMY_DATABASE_URI=self.pg.url, REDIS_URL=self.redis.url,
                          SECRET_KEY=SECRET_KEY, UPLOAD_DIR=str(self.instance / "uploads"),
                          STORAGE_URL=self.env["STORAGE_URL"], S3_ENDPOINT_URL=self.env.get("S3_ENDPOINT_URL"),
                          MAIL_DIR=str(self.instance / "mail"), RATELIMIT_STORAGE_URI=self.redis.url)

    def _spawn(self, name: str, argv: list[str], env: dict | None = None) -> Process:
        proc = Process(name, argv, env or self.env, self.base / f"{name}.log")
        self.processes.append(proc)
        return proc

    def start_web(self) -> None:
        """gunicorn on web_port, or one per node behind the proxy on web_port."""
        ports = [self.web_port] if self.nodes == 1 else [services.free_port() for _ in range(self.nodes)]
        self.gunicorns = []
        for i, port in enumerate(ports, start=1):
            env = self.env
            if self.nodes > 1:
                instance = self.base / f"instance-node{i}"  # its own uploads spool, mail dir, logs
                env = dict(self.env, GONGMO_INSTANCE=str(instance))
            argv = [str(VENV_BIN / "gunicorn"), "-w", str(self.gunicorn_workers), "--threads",
                    str(self.gunicorn_threads), "-k", "gthread", "-b", f"127.0.0.1:{port}", "--timeout", "120",
                    "--backlog", "4096", "--error-logfile", "-", "--log-level", "warning", "wsgi:app"]
            name = "gunicorn" if self.nodes == 1 else f"gunicorn-node{i}"
            self.gunicorns.append(self._spawn(name, argv, env).start(port=port, timeout=60))
        # Port open means the master listens; wait until every worker has booted and answers.
        deadline = time.monotonic() + 60
        while len(self.web_workers()) < self.gunicorn_workers * self.nodes and time.monotonic() < deadline:
            time.sleep(0.2)
        for port in ports:
            Browser(port).get("/")  # the first request loads templates in one worker
        if self.nodes > 1:
            self.proxy = self._spawn("proxy", [sys.executable, str(Path(__file__).with_name("proxy.py")),
                                               str(self.web_port), *map(str, ports)]).start(port=self.web_port)

    def start_worker(self) -> None:
        # ``python -m celery`` puts the repository on sys.path for the pool's children too; the
        # ``celery`` script only while it loads the app, so a task's lazy ``import app`` would fail.
        argv = [sys.executable, "-m", "celery", "-A", "workers.celery_app", "worker", "--loglevel=WARNING",
                f"--concurrency={self.celery_concurrency}", "--without-gossip", "--without-mingle",
                "--without-heartbeat", "-n", "bench@%h"]
        self.worker = self._spawn("celery", argv).start(timeout=60)
        # Celery prints its banner at INFO; at WARNING the worker is up once its children are.
        deadline = time.monotonic() + 60
        while len(_children(self.worker.proc.pid)) < self.celery_concurrency and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(2)

    def web_workers(self) -> list[int]:
        return [pid for g in self.gunicorns for pid in _children(g.proc.pid)]

    def postgres_pids(self) -> list[int]:
        try:
            postmaster = int((self.pg.datadir / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return []
        return [postmaster, *_children(postmaster)]

    def web_memory(self) -> dict[int, dict[str, int]]:
        return {pid: memory_of(pid) for pid in self.web_workers()}

    def stop(self) -> None:
        for proc in reversed(self.processes):
            try:
                proc.stop()
            except Exception as exc:  # noqa: BLE001 - stop the others anyway
                print(f"stopping {proc.name}: {exc}", file=sys.stderr)
        for service in ("s3", "redis", "pg"):
            if hasattr(self, service):
                getattr(self, service).stop()
        if not self.keep:
            shutil.rmtree(self.base, ignore_errors=True)


# --- data ----------------------------------------------------------------------------

def new_call(db, *, code: str, opens_at, closes_at, phase: str = "published"):
    """The AX 2025 call's configuration (complexes, types, rubric, policy) with its officer agency."""
    from decimal import Decimal

    from app.models import (
        Call,
        CallSection,
        IndustrialComplex,
        InfraType,
        Organisation,
        Programme,
        RequiredAttachment,
    )
    from app.demo import ax2025
    from app.accounts import brn

    agency = Organisation(name="한국산업단지공단", type="public_agency", region="대구",
                          brn=brn.with_check_digit("501820000"))
    programme = Programme(name="AX 실증산단 구축사업", ministry="산업통상자원부", agency=agency)
    call = Call(
        programme=programme, code=code, title="2025년 AX 실증산단 구축사업 공모",
        description_md=ax2025.DESCRIPTION_MD, opens_at=opens_at, closes_at=closes_at,
        awards=ax2025.AWARDS, per_award_cap=ax2025.PER_AWARD_CAP, total_cap=ax2025.TOTAL_CAP,
        first_year=ax2025.FIRST_YEAR, last_year=ax2025.LAST_YEAR, min_local_ratio=Decimal(ax2025.MIN_LOCAL_RATIO),
        rubric=ax2025.rubric(), policy=ax2025.policy(), phase=phase,
    )
    for name, region, year in ax2025.COMPLEXES:
        call.complexes.append(IndustrialComplex(name=name, region=region, designated_year=year))
    for i, (key, ko, en) in enumerate(ax2025.INFRA_TYPES):
        call.infra_types.append(InfraType(key=key, label_ko=ko, label_en=en, position=i))
    for i, row in enumerate(ax2025.SECTIONS):
        call.sections.append(CallSection(**row, position=i))
    call.site_label_ko, call.site_label_en = ax2025.SITE_LABEL
    for i, (key, ko, en, required) in enumerate(ax2025.ATTACHMENT_KINDS):
        call.attachment_kinds.append(RequiredAttachment(key=key, label_ko=ko, label_en=en, required=required,
                                                        position=i))
    db.session.add(call)
    db.session.flush()
    return call


class Brns:
    """Valid, distinct 사업자등록번호 for the generated organisations."""

    def __init__(self, start: int = 200_000_001):
        self.next = start

    def __call__(self) -> str:
        from app.accounts import brn

        self.next += 1
        return brn.with_check_digit(str(self.next)[:9])


def applicant_and_consortium(db, n: int, brns: Brns, password_hash: str):
    """An applicant whose organisation leads consortium ``n``."""
    from app.models import Consortium, ConsortiumMember, Organisation, User
    from app.core import clock

    org = Organisation(name=f"벤치 주관기관 {n}", type="public_agency", region="경남", brn=brns())
    now = clock.now()
    # A confirmed person of the organisation, and the lead's own row confirmed by its creator:
    # an unconfirmed one may see nothing of the consortium.
    user = User(email=f"applicant{n}@bench.kr", name=f"신청자{n}", password_hash=password_hash, organisation=org,
                locale="ko", email_verified_at=now, organisation_confirmed_at=now)
    user.grant("applicant")
    db.session.add_all([org, user])
    db.session.flush()
    consortium = Consortium(name=f"벤치 컨소시엄 {n}", lead_org=org, created_by_id=user.id)
    consortium.members.append(ConsortiumMember(organisation=org, role="lead", confirmed_at=now,
                                               confirmed_by_id=user.id))
    db.session.add(consortium)
    return user, consortium


def fill_proposal(proposal, call, *, infra_keys=("openlab", "lead_factory"), pocs: int = 2,
                  private_per_year: int = 1_000_000_000) -> None:
    """Every section a complete proposal has, with a budget that balances (no attachments, no master plan)."""
    from decimal import Decimal

    from app.models import BudgetLine, InfraItem, Kpi, PocPlan

    years = call.years
    national_per_year = 3_500_000_000
    local_per_year = 1_400_000_000
    grand = (national_per_year + local_per_year + private_per_year) * len(years)
    # Split the grand total over the rows so that rows and table agree to the won.
    rows = len(infra_keys) + pocs
    share, rest = divmod(grand, rows)
    amounts = [share + (rest if i == 0 else 0) for i in range(rows)]
    proposal.summary = "산업단지 입주기업의 AI 전환을 실증합니다."
    proposal.strategic_industries = "기계, 방산"
    set_text(proposal, "alliance", "입주기업 30개사, AI 공급기업 10개사, 대학 2곳이 참여하는 얼라이언스")
    set_text(proposal, "aidc", "지역 AI 데이터센터의 GPU 자원을 연계합니다.")
    for i, key in enumerate(infra_keys):
        proposal.infra_items.append(InfraItem(type_key=key, description=f"{key} 구축", budget=amounts[i], position=i))
    for i in range(pocs):
        plan = PocPlan(tenant_firm=f"입주기업 {i + 1}", problem="불량 검출이 늦습니다.", ai_solution="비전 AI 검사",
                       budget=amounts[len(infra_keys) + i], position=i)
        plan.kpis.append(Kpi(name="불량률", unit="%", baseline=Decimal("3.5"), target=Decimal("1.2"), position=0))
        proposal.poc_plans.append(plan)
    for year in years:
        for source, amount in (("national", national_per_year), ("local", local_per_year),
                               ("private_cash", private_per_year)):
            proposal.budget_lines.append(BudgetLine(year=year, source=source, amount=amount))


def store_blob(data: bytes) -> tuple[str, str]:
    """Put ``data`` in the app's blob store under its content address; (sha256, storage key)."""
    import hashlib

    from app.core import storage

    sha = hashlib.sha256(data).hexdigest()
    key = f"{sha[:2]}/{sha[2:4]}/{sha}"
    storage.get().put_bytes(key, data)
    return sha, key


def pdf_bytes(size: int, seed: bytes = b"", bulk: bytes | None = None) -> bytes:
    """A valid one-page PDF of about ``size`` bytes whose bulk is one binary stream object.

    ``seed`` makes each file unique (and its sha256 its own); ``bulk`` is random filler
    that may be shared between files, so a load generator need not make 3 MB of random
    bytes per upload.
    """
    from app.demo import pdf

    filler = max(0, size - 600 - len(seed))
    payload = seed + (bulk[:filler] if bulk is not None and len(bulk) >= filler else os.urandom(filler))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(payload) + payload + b"\nendstream",
    ]
    return pdf.assemble(objects, header=b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")


def session_cookie(app, user) -> str:
    """A signed Flask session holding the logged-in user, as POST /login would leave it.

    The benchmarks sign sessions instead of logging in through the form: the login form
    is rate-limited per client address (all simulated users share 127.0.0.1), and the
    rush is about saving and submitting, not about password hashing.
    """
    from app.extensions import db
    from app.accounts import sessions

    token = sessions.start(user)  # the server-side session the cookie names (needs the app context)
    db.session.commit()
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.dumps({"_user_id": token, "_fresh": True})


# --- HTTP ----------------------------------------------------------------------------

@dataclass
class Response:
    status: int
    headers: dict
    body: bytes
    seconds: float
    request_id: str = ""  # the X-Request-ID sent: the server's log line of the request carries it

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def location(self) -> str | None:
        loc = self.headers.get("location")
        if loc and loc.startswith("http"):
            loc = "/" + loc.split("/", 3)[3] if loc.count("/") >= 3 else "/"
        return loc


def server_durations(logs: list[Path]) -> dict[str, float]:
    """Seconds each request took inside the app, by request id, from the JSON request log lines
    (logger ``gongmo.request``) the production configuration writes to the nodes' logs."""
    took = {}
    for log in logs:
        if not log.exists():
            continue
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
            if not line.startswith("{") or '"gongmo.request"' not in line:
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("request_id") and entry.get("duration_ms") is not None:
                took[entry["request_id"]] = entry["duration_ms"] / 1000
    return took


def time_split_line(name: str, pairs: list[tuple[str, float]], inside: dict[str, float]) -> str:
    """Client latency split into the app's own time and the rest (queues, proxy, network)."""
    app_s = [inside[rid] * 1000 for rid, _ in pairs if rid in inside]
    rest = [(total - inside[rid]) * 1000 for rid, total in pairs if rid in inside]
    return (f"{name:<22} in the app p50={percentile(app_s, 50):6.0f} p99={percentile(app_s, 99):6.0f} ms; "
            f"waiting p50={percentile(rest, 50):6.0f} p99={percentile(rest, 99):6.0f} ms "
            f"({len(app_s)} of {len(pairs)} matched in the logs)")


def csrf_from(html: str) -> str:
    m = re.search(r'<input[^>]*name="csrf_token"[^>]*>', html)
    if not m:
        raise ValueError("no CSRF token on the page")
    value = re.search(r'value="([^"]+)"', m.group(0))
    return value.group(1)


class Browser:
    """One user's browser: a cookie jar and plain HTTP/1.1, a new connection per request."""

    def __init__(self, port: int, cookies: dict | None = None, timeout: float = 120.0):
        self.port = port
        self.cookies = dict(cookies or {})
        self.timeout = timeout

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Response:
        import http.client

        hdrs = {"Accept": "text/html,application/xhtml+xml", "Accept-Language": "ko-KR,ko;q=0.9",
                "User-Agent": "gongmo-bench", "Connection": "close"}
        if self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        hdrs.update(headers or {})
        hdrs.setdefault("X-Request-ID", "bench-" + uuid.uuid4().hex[:20])
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            started = time.perf_counter()
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
            elapsed = time.perf_counter() - started
            for raw in resp.headers.get_all("Set-Cookie") or []:
                pair = raw.split(";", 1)[0]
                name, _, value = pair.partition("=")
                if value and "expires=thu, 01 jan 1970" not in raw.lower():
                    self.cookies[name.strip()] = value.strip()
                else:
                    self.cookies.pop(name.strip(), None)
            headers_out = {k.lower(): v for k, v in resp.getheaders()}
            return Response(resp.status, headers_out, data, elapsed, hdrs["X-Request-ID"])
        finally:
            conn.close()

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post_form(self, path: str, fields: dict) -> Response:
        from urllib.parse import urlencode

        return self.request("POST", path, urlencode(fields).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})

    def post_multipart(self, path: str, fields: dict, files: dict[str, tuple[str, bytes, str]]) -> Response:
        boundary = "----gongmo" + uuid.uuid4().hex
        parts = []
        for name, value in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, (filename, data, ctype) in files.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                         f"Content-Type: {ctype}\r\n\r\n".encode() + data + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request("POST", path, b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"})

    def follow(self, resp: Response) -> Response | None:
        if resp.status in (301, 302, 303, 307, 308) and resp.location:
            return self.get(resp.location)
        return None


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "smtp-sink":
        smtp_sink_main(int(sys.argv[2]), sys.argv[3])
    else:
        sys.exit("usage: common.py smtp-sink PORT FILE")


def set_text(proposal, key: str, body: str) -> None:
    """The answer to one of the call's text sections, written straight into the rows."""
    from app.models import ProposalText

    row = next((t for t in proposal.texts if t.section_key == key), None)
    if row is None:
        proposal.texts.append(ProposalText(section_key=key, body=body))
    else:
        row.body = body
