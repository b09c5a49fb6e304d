"""What an administrator does to accounts: roles and activation (SPEC §2)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Organisation, User, UserRole
from app.models.organisations import ROLES, Role
from app import audit
from app.core.errors import AccountsError
from app.accounts import sessions


class UserAdminError(AccountsError):
    pass


def search(text: str = "", limit: int = 200) -> list[User]:
    query = (select(User).outerjoin(Organisation, Organisation.id == User.organisation_id)
             .options(selectinload(User.organisation), selectinload(User.role_rows)).order_by(User.id))
    text = (text or "").strip().lower()
    if text:
        pattern = f"%{text}%"
        query = query.where(or_(func.lower(User.email).like(pattern), func.lower(User.name).like(pattern),
                                func.lower(Organisation.name).like(pattern)))
    return list(db.session.scalars(query.limit(limit)))


def set_role(actor: User, user: User, role: str, on: bool) -> bool:
    """Grant or take away one role; returns whether anything changed."""
    if role not in ROLES:
        raise UserAdminError(_l("알 수 없는 역할입니다."))
    if not on and role == Role.ADMIN and user.id == actor.id:
        # Nobody locks the portal out of its last administrator by a slip of the mouse.
        raise UserAdminError(_l("자신의 관리자 역할은 해제할 수 없습니다."))
    if on == user.has_role(role):
        return False
    before = {"roles": sorted(user.roles)}
    if on:
        user.grant(role)
    else:
        db.session.execute(UserRole.__table__.delete().where(UserRole.user_id == user.id, UserRole.role == role))
        db.session.expire(user, ["role_rows"])
    db.session.flush()
    audit.record(actor, "user.role_granted" if on else "user.role_revoked", user, role=role,
                 roles=sorted(user.roles), via="admin", changes=audit.changes(before, {"roles": sorted(user.roles)}))
    return True


def set_active(actor: User, user: User, active: bool) -> bool:
    if not active and user.id == actor.id:
        raise UserAdminError(_l("자신의 계정은 비활성화할 수 없습니다."))
    if user.active == active:
        return False
    user.active = active
    # Every session ends now, so reactivating the account later revives no old cookie.
    ended = 0 if active else sessions.end_all(user)
    audit.record(actor, "user.activated" if active else "user.deactivated", user, via="admin",
                 changes=audit.changes({"active": not active}, {"active": active}),
                 **({} if active else {"sessions_ended": ended}))
    return True


def count_admins() -> int:
    return db.session.scalar(select(func.count()).select_from(UserRole).where(UserRole.role == Role.ADMIN)) or 0
