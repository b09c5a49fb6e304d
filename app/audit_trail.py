"""A call's audit trail as its officers read it: who did what and when, newest first.

The entries of a call are those ``audit.record`` tied to it (``call_id``) and, for entries
written before it did, those about the call itself. Each page is a fixed number of
queries, however long the trail.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from app.extensions import db
from app.models import AuditEntry, Call, User
from app.core.clock import KST

PAGE_SIZE = 50
SYSTEM = "system"

# The "what" filter: a readable name for each family of actions and the prefixes it covers.
KINDS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "call": (_l("공모 설정·일정"), ("call.",)),
    "proposal": (_l("신청서·첨부 서류"), ("proposal.", "attachment.")),
    "review": (_l("평가위원·배정·평가표·기피"), ("review.", "reviewer.", "challenge.", "panel.",
                                              "presentation.", "reviewer_pool.", "sanction.")),
    "honoraria": (_l("평가수당"), ("honorarium.",)),
    "selection": (_l("적격성 검토·평가 결과·이의신청"), ("screening.", "results.", "objection.",
                                                              "committee.")),
}

OBJECT_LABELS = {
    "call": _l("공모"), "proposal": _l("신청서"), "attachment": _l("첨부 서류"),
    "reviewassignment": _l("평가 배정"), "reviewsheet": _l("평가표"),
    "reviewerpoolentry": _l("평가위원 풀"), "challenge": _l("기피신청"), "result": _l("평가 결과"), "objection": _l("이의신청"),
}


@dataclass(frozen=True)
class Filters:
    who: str = ""  # "" everyone, SYSTEM, or a user id as text
    what: str = ""  # "" everything, or a key of KINDS
    since: date | None = None  # Seoul calendar days, both included
    until: date | None = None


@dataclass(frozen=True)
class Row:
    entry: AuditEntry
    actor_name: str | None  # None: the system (the clock, a command)

    @property
    def object_label(self) -> str:
        label = OBJECT_LABELS.get(self.entry.object_type, self.entry.object_type)
        return f"{label} #{self.entry.object_id}" if self.entry.object_id is not None else str(label)

    @property
    def changes(self) -> list[tuple[str, str, str]]:
        found = (self.entry.data or {}).get("changes")
        if not isinstance(found, dict):
            return []
        return [(field, shown(pair[0]), shown(pair[1])) for field, pair in found.items()
                if isinstance(pair, list) and len(pair) == 2]

    @property
    def details(self) -> list[tuple[str, str]]:
        return [(key, shown(value)) for key, value in sorted((self.entry.data or {}).items()) if key != "changes"]


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    total: int
    number: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def shown(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def _of_call(call: Call):
    return or_(AuditEntry.call_id == call.id,
               and_(AuditEntry.call_id.is_(None), AuditEntry.object_type == "call", AuditEntry.object_id == call.id))


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=KST)


def _conditions(call: Call, filters: Filters) -> list:
    where = [_of_call(call)]
    if filters.who == SYSTEM:
        where.append(AuditEntry.actor_id.is_(None))
    elif filters.who.isdigit():
        where.append(AuditEntry.actor_id == int(filters.who))
    if filters.what in KINDS:
        where.append(or_(*(AuditEntry.action.startswith(p, autoescape=True) for p in KINDS[filters.what][1])))
    if filters.since is not None:
        where.append(AuditEntry.at >= _day_start(filters.since))
    if filters.until is not None:
        where.append(AuditEntry.at < _day_start(filters.until + timedelta(days=1)))
    return where


def actors(call: Call) -> list[tuple[int, str, str]]:
    """Everyone who appears in the call's trail, as (id, name, email), by name."""
    query = (select(User.id, User.name, User.email)
             .where(User.id.in_(select(AuditEntry.actor_id).where(_of_call(call)).distinct()))
             .order_by(User.name, User.id))
    return [tuple(row) for row in db.session.execute(query)]


def page_of(call: Call, filters: Filters, number: int = 1) -> Page:
    """One page of the call's entries that match ``filters``, newest first."""
    where = _conditions(call, filters)
    total = db.session.scalar(select(func.count(AuditEntry.id)).where(*where)) or 0
    number = max(1, min(number, max(1, -(-total // PAGE_SIZE))))
    query = (select(AuditEntry, User.name)
             .outerjoin(User, User.id == AuditEntry.actor_id)
             .where(*where)
             .order_by(AuditEntry.id.desc())
             .limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE))
    rows = [Row(entry, name) for entry, name in db.session.execute(query)]
    return Page(rows, total, number)
