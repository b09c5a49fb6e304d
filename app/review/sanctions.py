"""The sanctions list (제재 명단): people who may not review, kept by officers.

Someone sanctioned under evaluation law (an unfair evaluation, a leak, a breach of the pledge)
is excluded from every panel for ``SANCTION_YEARS`` (3 by default, SPEC §7) from the day the
sanction starts; the conflict rules (app/review/conflict_rules.py) read the list on the day
they run. A sanction is never deleted: lifting it early (a court or an appeal quashed it)
keeps the row with when and why. Both steps are audited.
"""
from __future__ import annotations

from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app import audit
from app.accounts.directory import normalise_email
from app.core import clock
from app.core.errors import ReviewError
from app.extensions import db
from app.models import User
from app.models.pool import Sanction

MAX_REASON = 2000


class SanctionError(ReviewError):
    pass


def years() -> int:
    return int(current_app.config.get("SANCTION_YEARS", 3))


def ends_on(starts_on: date, n: int | None = None) -> date:
    """The first day the person may review again: the same day ``n`` years on (29 February: the 28th)."""
    n = years() if n is None else n
    try:
        return starts_on.replace(year=starts_on.year + n)
    except ValueError:
        return starts_on.replace(year=starts_on.year + n, day=28)


def today() -> date:
    return clock.to_kst(clock.now()).date()


def listing() -> list[Sanction]:
    """Every sanction, those in force first, then the latest first."""
    rows = list(db.session.scalars(select(Sanction).options(selectinload(Sanction.user).selectinload(User.organisation))
                                   .order_by(Sanction.starts_on.desc(), Sanction.id.desc())))
    day = today()
    return sorted(rows, key=lambda s: not s.in_force(day))


def _reason(text: str, field: str) -> str:
    text = (text or "").strip()
    if not text:
        raise SanctionError(_l("사유를 입력하십시오."), field=field)
    if len(text) > MAX_REASON:
        raise SanctionError(_l("사유는 %(n)d자 이내로 입력하십시오.", n=MAX_REASON), field=field)
    return text


def add(email: str, actor, *, reason: str, starts_on: date | None) -> Sanction:
    """Put the person with this e-mail on the list from ``starts_on`` for ``SANCTION_YEARS`` years."""
    address = normalise_email(email)
    user = db.session.scalar(select(User).where(func.lower(User.email) == address)) if address else None
    if user is None:
        raise SanctionError(_l("이 이메일 주소로 가입한 사람이 없습니다."), field="email")
    reason = _reason(reason, "reason")
    if starts_on is None:
        raise SanctionError(_l("제재 시작일을 입력하십시오."), field="starts_on")
    if db.session.scalar(select(Sanction.id).where(Sanction.user_id == user.id, Sanction.starts_on == starts_on)):
        raise SanctionError(_l("이 사람에게 같은 날 시작하는 제재가 이미 있습니다."), field="starts_on")
    s = Sanction(user_id=user.id, reason=reason, starts_on=starts_on, ends_on=ends_on(starts_on),
                 created_by_id=getattr(actor, "id", None), created_at=clock.now())
    db.session.add(s)
    db.session.flush()
    audit.record(actor, "sanction.added", s, user_id=user.id, reason=reason,
                 starts_on=s.starts_on.isoformat(), ends_on=s.ends_on.isoformat())
    return s


def lift(sanction: Sanction, actor, reason: str) -> None:
    """End a sanction early; the row stays, with the reason."""
    reason = _reason(reason, "lift_reason")
    if sanction.lifted_at is not None:
        raise SanctionError(_l("이미 해제된 제재입니다."), field="lift_reason")
    before = {"lifted_at": None, "lifted_reason": sanction.lifted_reason or ""}
    sanction.lifted_at = clock.now()
    sanction.lifted_reason = reason
    audit.record(actor, "sanction.lifted", sanction, user_id=sanction.user_id,
                 changes=audit.changes(before, {"lifted_at": sanction.lifted_at.isoformat(),
                                                "lifted_reason": reason}))
