"""Copying every blob of the running storage to another one (``flask storage migrate``).

Each blob is copied, then read back from the target and its SHA-256 compared with what it
must be: the key itself for a content-addressed blob (``ab/cd/<sha256>``), else the sum of the
source's bytes. A blob already at the target is not copied again but is verified all the same,
so a run that was cut off can simply be run again.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass, field

from app.core.storage import CHUNK, LocalStorage, Storage, spool_dir

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass
class MigrateResult:
    copied: int = 0
    present: int = 0  # already at the target
    verified: int = 0
    mismatched: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatched


def _sha256_of(stream) -> str:
    digest = hashlib.sha256()
    with stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def expected_sha256(source: Storage, key: str) -> str:
    name = key.rsplit("/", 1)[-1]
    return name if _SHA256.match(name) else _sha256_of(source.open(key))


def _copy(source: Storage, target: Storage, key: str) -> None:
    if isinstance(source, LocalStorage):
        target.put_file(key, source.path(key))
        return
    # Another kind of source: through a local spool file, never whole in memory.
    fd, tmp = tempfile.mkstemp(dir=spool_dir())
    try:
        with os.fdopen(fd, "wb") as out, source.open(key) as src:
            while chunk := src.read(CHUNK):
                out.write(chunk)
        target.put_file(key, tmp)
    finally:
        os.unlink(tmp)


def migrate(source: Storage, target: Storage, progress=None) -> MigrateResult:
    """Copy and verify every blob; ``progress(key, status)`` hears of each one."""
    result = MigrateResult()
    for key, _modified in source.keys():
        if target.exists(key):
            result.present += 1
        else:
            _copy(source, target, key)
            result.copied += 1
        want = expected_sha256(source, key)
        got = _sha256_of(target.open(key))
        status = "ok" if got == want else "mismatch"
        if status == "ok":
            result.verified += 1
        else:
            result.mismatched.append(key)
        if progress is not None:
            progress(key, status)
    return result
