"""Confirming who acts for an organisation.

A business registration number is public, so anyone could register under a known
organisation. Whoever joins an existing organisation therefore waits until a
confirmed colleague (or an administrator) confirms them; until then they act for
nobody (``User.acting_organisation_id`` is None) and see no consortium.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app import audit
from app.notifications import outbox
from app.core.clock import now
from app.core.errors import AccountsError
from app.core.links import portal_url


class MembershipError(AccountsError):
    pass


def confirmed_colleagues(org_id: int) -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.organisation_id == org_id, User.active.is_(True),
                           User.organisation_confirmed_at.is_not(None)).order_by(User.id)
    ))


def visible_colleagues(user: User) -> list[User]:
    """The confirmed members a member may see: none until their own membership is confirmed."""
    if user.acting_organisation_id is None:
        return []
    return confirmed_colleagues(user.acting_organisation_id)


def pending_colleagues(org_id: int) -> list[User]:
    # An unverified registration is nobody yet: colleagues see it once its address is proved.
    return list(db.session.scalars(
        select(User).where(User.organisation_id == org_id, User.organisation_confirmed_at.is_(None),
                           User.email_verified_at.is_not(None))
        .order_by(User.id)
    ))


def request_confirmation(user: User) -> None:
    """Called when a new account joins an existing organisation: colleagues are asked."""
    user.organisation_confirmed_at = None
    url = portal_url("auth.organisation")
    for colleague in confirmed_colleagues(user.organisation_id):
        outbox.queue(f"membership_requested:{user.id}:u{colleague.id}", "membership_requested", colleague,
                     {"user_name": colleague.name, "joiner_name": user.name, "joiner_email": user.email,
                      "organisation": user.organisation.name, "url": url},
                     in_app=outbox.notice("%(name)s(%(email)s)님이 %(org)s 소속으로 가입했습니다. 확인해 주십시오.",
                                          name=user.name, email=user.email, org=user.organisation.name),
                     url=portal_url("auth.organisation", external=False))


def may_decide(actor: User, member: User) -> bool:
    if actor.has_role("admin"):
        return True
    return (actor.acting_organisation_id is not None and actor.acting_organisation_id == member.organisation_id
            and actor.id != member.id)


def decide(actor: User, member: User, approve: bool) -> None:
    if member.organisation_confirmed_at is not None or member.organisation_id is None:
        raise MembershipError(_l("이미 처리된 가입 요청입니다."))
    if not may_decide(actor, member):
        raise MembershipError(_l("같은 기관의 확인된 회원만 가입 요청을 처리할 수 있습니다."))
    org = member.organisation
    if approve:
        member.organisation_confirmed_at = now()
        audit.record(actor, "membership.confirmed", member, organisation_id=org.id)
        told = outbox.notice("%(org)s 소속이 확인되었습니다.", org=org.name)
    else:
        member.organisation_id = None
        audit.record(actor, "membership.declined", member, organisation_id=org.id)
        told = outbox.notice("%(org)s 소속 가입 요청이 거절되었습니다.", org=org.name)
    outbox.queue(f"membership_decided:{member.id}:{org.id}", "membership_decided", member,
                 {"user_name": member.name, "organisation": org.name, "approved": approve},
                 in_app=told)
