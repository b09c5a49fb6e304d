"""The one clock of the application.

Every rule about time (deadlines, reminders, token expiry) asks this module, so
tests move time with time-machine and production never mixes naive and aware times.
"""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

KST = ZoneInfo("Asia/Seoul")


def now() -> datetime:
    return datetime.now(timezone.utc)


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
