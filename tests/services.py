"""Throw-away PostgreSQL and Redis servers for the test session.

Both listen on free ports on 127.0.0.1 and live in temporary directories that
vanish afterwards. PostgreSQL's initdb refuses root, so as root the cluster runs
as the ``postgres`` user.
"""
from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path


class ServiceUnavailable(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise ServiceUnavailable(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


def _pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for version in ("17", "16", "15", "14", "13"):
        candidate = Path(f"/usr/lib/postgresql/{version}/bin/{name}")
        if candidate.exists():
            return str(candidate)
    raise ServiceUnavailable(f"{name} not found: install Debian's postgresql (make test does)")


@dataclass
class Postgres:
    port: int
    datadir: Path
    as_user: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://gongmo@127.0.0.1:{self.port}/gongmo"

    def stop(self) -> None:
        subprocess.run([*self.as_user, _pg_bin("pg_ctl"), "-D", str(self.datadir), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(self.datadir.parent, ignore_errors=True)


def start_postgres() -> Postgres:
    base = Path(tempfile.mkdtemp(prefix="gongmo-pg-"))
    datadir = base / "data"
    as_user: list[str] = []
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        os.chown(base, pw.pw_uid, pw.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    init = subprocess.run(
        [*as_user, _pg_bin("initdb"), "-D", str(datadir), "-U", "gongmo", "--auth=trust",
         "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"],
        capture_output=True, text=True,
    )
    if init.returncode:
        raise ServiceUnavailable("initdb failed: " + init.stderr[-2000:])
    port = free_port()
    opts = (f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
    start = subprocess.run(
        [*as_user, _pg_bin("pg_ctl"), "-D", str(datadir), "-o", opts, "-l", str(base / "log"), "-w", "start"],
        capture_output=True, text=True,
    )
    if start.returncode:
        raise ServiceUnavailable("PostgreSQL did not start: " + start.stderr[-2000:])
    subprocess.run([_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "gongmo", "gongmo"],
                   check=True, capture_output=True)
    return Postgres(port=port, datadir=datadir, as_user=as_user)


@dataclass
class Redis:
    port: int
    process: subprocess.Popen
    workdir: Path

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def restart(self) -> None:
        """Start again on the same port (fault tests stop Redis mid-flight)."""
        self.stop()
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.process = _spawn_redis(self.port, self.workdir)
        wait_for_port(self.port)


def _spawn_redis(port: int, workdir: Path) -> subprocess.Popen:
    binary = shutil.which("redis-server")
    if not binary:
        raise ServiceUnavailable("redis-server not found: install Debian's redis-server (make test does)")
    return subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(workdir), "--protected-mode", "yes"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def start_redis() -> Redis:
    workdir = Path(tempfile.mkdtemp(prefix="gongmo-redis-"))
    port = free_port()
    proc = _spawn_redis(port, workdir)
    wait_for_port(port)
    return Redis(port=port, process=proc, workdir=workdir)


@dataclass
class S3Server:
    """moto's standalone S3-compatible server (MinIO is in neither Debian nor PyPI)."""

    port: int
    process: subprocess.Popen

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


def start_s3() -> S3Server:
    import sys
    import importlib.util

    if importlib.util.find_spec("moto.server") is None or importlib.util.find_spec("flask_cors") is None:
        raise ServiceUnavailable("moto[server] not installed: pip install -r requirements-dev.txt")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
    except ServiceUnavailable:
        proc.kill()
        raise
    return S3Server(port=port, process=proc)
