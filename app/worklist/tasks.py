"""A user's tasks for the home page: one short list per role, soonest due first."""
from __future__ import annotations

from datetime import datetime

from app.core import clock
from app.worklist import applicant, officer, reviewer
from app.worklist.item import Task


def _order(items: list[Task]) -> list[Task]:
    # Dated items first, soonest first; undated ones keep the order they were found in.
    far = datetime.max.replace(tzinfo=clock.KST)
    return sorted(items, key=lambda t: t.due or far)


def for_user(user) -> dict[str, list[Task]]:
    """{role: tasks} for every role the user holds (an empty list says "nothing to do")."""
    if not getattr(user, "is_authenticated", False):
        return {}
    found: dict[str, list[Task]] = {}
    if user.has_role("applicant"):
        found["applicant"] = _order(applicant.tasks(user))
    if user.has_role("reviewer"):
        found["reviewer"] = _order(reviewer.tasks(user))
    if user.has_role("officer", "admin"):
        found["officer"] = _order(officer.tasks(user))
    if user.has_role("finance"):
        found["finance"] = _order(officer.finance_tasks(user))
    return found
