"""The one clock of the application.

Every rule about time (deadlines, reminders, token expiry) asks this module, so
tests move time with time-machine and production never mixes naive and aware times.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

KST = ZoneInfo("Asia/Seoul")

# Set only inside ``as_of``; None (the default everywhere else) is the real time.
_as_of: ContextVar[datetime | None] = ContextVar("gongmo_clock_as_of", default=None)


def now() -> datetime:
    fixed = _as_of.get()
    return fixed if fixed is not None else datetime.now(timezone.utc)


@contextmanager
def as_of(instant: datetime) -> Iterator[None]:
    """Inside the block, ``now()`` is ``instant`` (an aware datetime) and does not move.

    The demo (app/demo/review_call.py) replays a past round of a call (publishing, drafting,
    submitting, screening, assigning, scoring) through the real services at the time each
    step would have happened, so every rule about time holds for it exactly as for real
    data: the 30-day window, the closing instant, receipts, the review's phases. Only the
    current context sees it: other threads and requests keep the real time.
    """
    if instant.tzinfo is None:
        raise ValueError("as_of needs an aware datetime")
    token = _as_of.set(instant.astimezone(timezone.utc))
    try:
        yield
    finally:
        _as_of.reset(token)


def to_kst(value: datetime) -> datetime:
    return value.astimezone(KST)


def from_kst_wall(value: datetime | None) -> datetime | None:
    """A naive Seoul wall-clock time (a ``datetime-local`` input) as an aware UTC instant."""
    return value.replace(tzinfo=KST).astimezone(timezone.utc) if value is not None else None


def to_kst_wall(value: datetime | None) -> datetime | None:
    """An instant as the naive Seoul wall-clock time a ``datetime-local`` input shows."""
    return to_kst(value).replace(tzinfo=None) if value is not None else None


def kst(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """An instant given in Seoul wall-clock time, returned in UTC."""
    return datetime(year, month, day, hour, minute, second, tzinfo=KST).astimezone(timezone.utc)
