"""Writing and verifying the audit log.

``record`` adds an entry to the current transaction, so the entry exists exactly
when the change it describes does. An entry knows the call it belongs to, when there
is one, so the call's officers can read its trail (``app.audit_trail``).
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select, text

from app.extensions import db
from app.models import AuditEntry, Call, Proposal
from app.core.clock import now

GENESIS = "0" * 64
_LOCK_KEY = 0x6A6F6D67  # any constant: one advisory lock serialises the chain on PostgreSQL


def _digest(prev_hash: str, at, actor_id, action, object_type, object_id, data, call_id=None) -> str:
    fields = [prev_hash, at.isoformat(), actor_id, action, object_type, object_id, data]
    # Entries written before the call was recorded hashed seven fields: they keep verifying.
    if call_id is not None:
        fields.append(call_id)
    payload = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list]:
    """``{field: [old, new]}`` for every field whose value differs, as JSON-ready values.

    Callers snapshot the fields they may change before applying the change, and pass the
    result as ``record(..., changes=...)``: the entry then says what each field was and became,
    and a field that was submitted unchanged is not listed.
    """
    def plain(value):
        return json.loads(json.dumps(value, ensure_ascii=False, default=str))

    return {k: [plain(before.get(k)), plain(after.get(k))] for k in sorted(set(before) | set(after))
            if plain(before.get(k)) != plain(after.get(k))}


def _call_id_of(obj, call, data: dict) -> int | None:
    """The call an entry belongs to: ``call=`` if given, else the object's own call."""
    if call is not None:
        return getattr(call, "id", call)
    if isinstance(obj, Call):
        return obj.id
    found = getattr(obj, "call_id", None)
    # A sheet, a challenge, an objection, an attachment: their call is their parent's.
    for parent in ("assignment", "proposal"):
        if found is None and obj is not None and hasattr(type(obj), f"{parent}_id"):
            found = getattr(getattr(obj, parent, None), "call_id", None)
    if found is None and isinstance(data.get("call_id"), int):
        found = data["call_id"]
    if found is None and isinstance(data.get("proposal_id"), int):
        # About something of a proposal not yet linked to it (an upload being added): its call.
        found = db.session.scalar(select(Proposal.call_id).where(Proposal.id == data["proposal_id"]))
    return found if isinstance(found, int) else None


def record(actor, action: str, obj=None, *, object_type: str | None = None, call=None, **data: Any) -> AuditEntry:
    """Append an entry; ``call`` (a Call or its id) names its call when ``obj`` does not."""
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
    call_id = _call_id_of(obj, call, data)
    entry = AuditEntry(
        at=at, actor_id=actor_id, action=action, object_type=otype, object_id=oid,
        data=data, call_id=call_id, prev_hash=prev,
        hash=_digest(prev, at, actor_id, action, otype, oid, data, call_id),
    )
    session.add(entry)
    session.flush()
    return entry


def verify() -> int | None:
    """The id of the first entry whose link is broken, or None when the chain holds."""
    prev = GENESIS
    for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).yield_per(500):
        expected = _digest(prev, e.at, e.actor_id, e.action, e.object_type, e.object_id, e.data, e.call_id)
        if e.prev_hash != prev or e.hash != expected:
            return e.id
        prev = e.hash
    return None
