"""Deleting blobs that no row names any more.

Blobs are content-addressed and shared (two proposals may hold the same file; a submitted
version keeps the files it was submitted with), so none is deleted with its row. Instead the
sweep lists the storage, collects every key any row names, and deletes what is left once it
is older than the grace period: a blob is stored before the row that names it is committed,
and such a row may still be on its way. Storing a blob again makes it young (``put_file``),
and each candidate's age is read once more right before it is deleted.

Which columns name a blob is read from the models, so a new table is covered when it follows
the naming (a column ending in ``storage_key``, or listed in ``BLOB_COLUMNS``, or carrying
``info={"blob": True}``); frozen versions (a JSON ``snapshot`` column) name their files by
``storage_key`` or ``sha256`` anywhere inside.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask import current_app
from sqlalchemy import JSON, String, select

from app import audit
from app.core import clock, storage
from app.extensions import db
from app.proposals.attachments import storage_key

log = logging.getLogger(__name__)

# Blob columns whose names do not end in "storage_key".
BLOB_COLUMNS = {("agreements", "document_key"), ("jobs", "result_key")}
SNAPSHOT_COLUMN = "snapshot"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
BATCH = 500


@dataclass(frozen=True)
class SweepResult:
    scanned: int
    referenced: int
    deleted: int
    young: int  # unnamed but within the grace period
    spooled: int = 0  # local spool files of uploads that never finished

    def as_dict(self) -> dict:
        return {"scanned": self.scanned, "referenced": self.referenced, "deleted": self.deleted,
                "young": self.young, "spooled": self.spooled}


def blob_columns() -> list:
    """Every column of every table that holds a storage key."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, String):
                continue
            if (column.name.endswith("storage_key") or (table.name, column.name) in BLOB_COLUMNS
                    or column.info.get("blob")):
                found.append(column)
    return found


def snapshot_columns() -> list:
    return [t.columns[SNAPSHOT_COLUMN] for t in db.metadata.sorted_tables
            if SNAPSHOT_COLUMN in t.columns and isinstance(t.columns[SNAPSHOT_COLUMN].type, JSON)]


def _keys_in(value) -> Iterator[str]:
    if isinstance(value, dict):
        for name, inner in value.items():
            if name == "storage_key" and isinstance(inner, str) and inner:
                yield inner
            elif name == "sha256" and isinstance(inner, str) and _SHA256.match(inner):
                yield storage_key(inner)
            else:
                yield from _keys_in(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _keys_in(inner)


def referenced_keys() -> set[str]:
    """Every key a row names, directly or inside a frozen version."""
    keys: set[str] = set()
    for column in blob_columns():
        keys.update(k for k in db.session.scalars(select(column).where(column.isnot(None))) if k)
    for column in snapshot_columns():
        for snap in db.session.scalars(select(column).execution_options(yield_per=BATCH)):
            keys.update(_keys_in(snap))
    return keys


def _sweep_spool(cutoff: datetime) -> int:
    """Spool files left by an upload whose process died half-way (the rest clean up after themselves)."""
    removed = 0
    for path in storage.spool_dir().iterdir():
        if path.is_file() and datetime.fromtimestamp(path.stat().st_mtime, timezone.utc) <= cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def default_grace() -> timedelta:
    return timedelta(hours=float(current_app.config.get("STORAGE_ORPHAN_GRACE_HOURS", 24)))


def sweep(grace: timedelta | None = None) -> SweepResult:
    """Delete every blob no row names that is older than ``grace``; audited with the counts.

    The storage is listed before the rows are read, so a blob stored meanwhile is not even a
    candidate. The caller commits (the audit entry).
    """
    grace = default_grace() if grace is None else grace
    store = storage.get()
    cutoff = clock.now() - grace
    listed = list(store.keys())
    named = referenced_keys()
    deleted = young = referenced = 0
    for key, modified in listed:
        if key in named:
            referenced += 1
            continue
        if modified > cutoff:
            young += 1
            continue
        fresh = store.last_modified(key)
        if fresh is None:
            continue
        if fresh > cutoff:  # stored again since it was listed: its row is on the way
            young += 1
            continue
        store.delete(key)
        deleted += 1
        log.info("storage sweep: deleted orphan %s (last written %s)", key, fresh.isoformat())
    result = SweepResult(scanned=len(listed), referenced=referenced, deleted=deleted, young=young,
                         spooled=_sweep_spool(cutoff))
    audit.record(None, "storage.swept", object_type="storage", storage=store.url,
                 grace_hours=grace.total_seconds() / 3600, **result.as_dict())
    log.info("storage sweep of %s: %s", store.url, result.as_dict())
    return result
