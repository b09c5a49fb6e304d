"""Writing and verifying the audit log.

``record`` adds an entry to the current transaction, so the entry exists exactly
when the change it describes does.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select, text

from app.extensions import db
from app.models import AuditEntry
from app.core.clock import now

GENESIS = "0" * 64
_LOCK_KEY = 0x6A6F6D67  # any constant: one advisory lock serialises the chain on PostgreSQL


def _digest(prev_hash: str, at, actor_id, action, object_type, object_id, data) -> str:
    payload = json.dumps(
        [prev_hash, at.isoformat(), actor_id, action, object_type, object_id, data],
        sort_keys=True, ensure_ascii=False, default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def record(actor, action: str, obj=None, *, object_type: str | None = None, **data: Any) -> AuditEntry:
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    prev = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)) or GENESIS
    if obj is not None:
        session.flush()
    at = now().replace(microsecond=0)
    actor_id = getattr(actor, "id", actor)
    otype = object_type or (type(obj).__name__.lower() if obj is not None else "")
    oid = getattr(obj, "id", None)
    entry = AuditEntry(
        at=at, actor_id=actor_id, action=action, object_type=otype, object_id=oid,
        data=data, prev_hash=prev,
        hash=_digest(prev, at, actor_id, action, otype, oid, data),
    )
    session.add(entry)
    session.flush()
    return entry


def verify() -> int | None:
    """The id of the first entry whose link is broken, or None when the chain holds."""
    prev = GENESIS
    for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).yield_per(500):
        expected = _digest(prev, e.at, e.actor_id, e.action, e.object_type, e.object_id, e.data)
        if e.prev_hash != prev or e.hash != expected:
            return e.id
        prev = e.hash
    return None
