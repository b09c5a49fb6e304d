"""One task of the home page's list."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.core import clock

# Due within this many days (or overdue): the item is marked.
URGENT_DAYS = 2


@dataclass(frozen=True)
class Task:
    role: str  # applicant, reviewer, officer, finance
    text: str
    url: str
    due: datetime | None = None

    @property
    def days_left(self) -> int | None:
        """Calendar days in Seoul until the due day (0: today, negative: overdue)."""
        if self.due is None:
            return None
        return (clock.to_kst(self.due).date() - clock.to_kst(clock.now()).date()).days

    @property
    def urgent(self) -> bool:
        return self.due is not None and (self.due - clock.now()).total_seconds() < URGENT_DAYS * 86400
