"""Searching the reviewer pool (후보단): by code, keyword, region, organisation type, availability.

The pool holds thousands of profiles (IITP keeps about 24,000), so a search is a few queries
whatever its size: one count, one page of profiles with what the list shows, one for the last
time each person on the page was seated on a panel.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.models import ReviewAssignment, User
from app.models.pool import ReviewerExpertise, ReviewerProfile, ReviewerRecord
from app.review import expertise

PAGE_SIZE = 50


@dataclass(frozen=True)
class PoolFilter:
    code: str = ""
    keyword: str = ""
    region: str = ""
    org_type: str = ""
    available_on: date | None = None
    page: int = 1


@dataclass
class PoolPage:
    profiles: list[ReviewerProfile]
    total: int
    page: int
    pages: int
    last_assigned: dict[int, datetime] = field(default_factory=dict)


def available_clause(day: date):
    """SQL for "may be asked on ``day``": marked available, or unavailable only until before that day.

    ``available`` off with no end date means unavailable until the reviewer says otherwise.
    """
    return or_(ReviewerProfile.available.is_(True),
               and_(ReviewerProfile.unavailable_until.is_not(None), ReviewerProfile.unavailable_until < day))


def is_available(profile: ReviewerProfile, day: date) -> bool:
    """The same rule as ``available_clause``, for a profile already loaded."""
    return profile.available or (profile.unavailable_until is not None and profile.unavailable_until < day)


def _conditions(f: PoolFilter) -> list:
    where = [User.active.is_(True)]
    if f.code:
        codes = expertise.with_descendants(f.code)
        where.append(ReviewerProfile.id.in_(
            select(ReviewerExpertise.profile_id).where(ReviewerExpertise.code.in_(codes))))
    if f.keyword:
        where.append(or_(
            ReviewerProfile.keywords.icontains(f.keyword, autoescape=True),
            ReviewerProfile.id.in_(select(ReviewerRecord.profile_id).where(
                ReviewerRecord.title.icontains(f.keyword, autoescape=True))),
        ))
    if f.region:
        where.append(ReviewerProfile.region == f.region)
    if f.org_type:
        where.append(ReviewerProfile.org_type == f.org_type)
    if f.available_on is not None:
        where.append(available_clause(f.available_on))
    return where


def search(f: PoolFilter, page_size: int = PAGE_SIZE) -> PoolPage:
    where = _conditions(f)
    total = db.session.scalar(select(func.count(ReviewerProfile.id)).join(User, User.id == ReviewerProfile.user_id)
                              .where(*where)) or 0
    pages = max(1, -(-total // page_size))
    page = min(max(1, f.page), pages)
    profiles = list(db.session.scalars(
        select(ReviewerProfile).join(User, User.id == ReviewerProfile.user_id).where(*where)
        .options(joinedload(ReviewerProfile.user), joinedload(ReviewerProfile.organisation),
                 selectinload(ReviewerProfile.expertise))
        .order_by(User.name, ReviewerProfile.id).limit(page_size).offset((page - 1) * page_size)
    ).unique())
    return PoolPage(profiles=profiles, total=total, page=page, pages=pages,
                    last_assigned=last_assigned([p.user_id for p in profiles]))


def last_assigned(user_ids: list[int]) -> dict[int, datetime]:
    """When each person was last seated on a panel (any call, any stage)."""
    if not user_ids:
        return {}
    rows = db.session.execute(select(ReviewAssignment.reviewer_id, func.max(ReviewAssignment.created_at))
                              .where(ReviewAssignment.reviewer_id.in_(user_ids))
                              .group_by(ReviewAssignment.reviewer_id))
    return {uid: at for uid, at in rows}


def regions() -> list[str]:
    """The regions profiles name, for the filter's choices."""
    return list(db.session.scalars(select(ReviewerProfile.region).where(ReviewerProfile.region != "")
                                   .distinct().order_by(ReviewerProfile.region)))
