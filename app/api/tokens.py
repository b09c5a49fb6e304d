"""API tokens: issued by an officer for the agency's calls, scoped, revocable, hashed at rest.

The secret is ``gm_`` and 43 random URL-safe characters (256 bits). Only its SHA-256 is stored:
looking a token up by the hash of what the client sent needs no slow hash (the secret is random,
not a password) and a copy of the database opens nothing. The secret is shown once, when issued.
A token works while it is neither revoked nor expired and its owner is still an active officer
of the agency: an officer who leaves takes their tokens' reach with them.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import audit
from app.core import clock
from app.core.errors import AccountsError
from app.extensions import db
from app.models import Call, Programme, User
from app.models.api import ApiScope, ApiToken
from app.models.organisations import Role

PREFIX = "gm_"
NAME_MAX = 100
# last_used_at is written at most this often: a busy client must not write on every request.
TOUCH_EVERY = timedelta(minutes=1)

SCOPE_LABELS = {
    ApiScope.PROPOSALS: _l("신청서 목록과 상태 (신청 내용과 첨부파일 제외)"),
    ApiScope.SCREENING: _l("요건검토 결과"),
    ApiScope.SCORES: _l("평가 단계별 점수와 순위"),
    ApiScope.DECISIONS: _l("최종 순위와 선정 결과"),
    ApiScope.PROJECTS: _l("협약 과제의 성과지표와 예산 집행"),
}


class ApiTokenError(AccountsError):
    """A refusal about an API token, shown beside its field."""


@dataclass(frozen=True)
class Issued:
    token: ApiToken
    secret: str  # shown once, never stored


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def programmes_of(officer: User) -> list[Programme]:
    """The programmes a token of this officer may be limited to: those of the officer's agency."""
    if officer.acting_organisation_id is None:
        return []
    return list(db.session.scalars(select(Programme).where(Programme.agency_id == officer.acting_organisation_id)
                                   .order_by(Programme.id)))


def issue(officer: User, name: str | None, scopes: list[str] | None, programme_id: int | None = None,
          expires_on: date | None = None) -> Issued:
    """A new token for the officer's agency; the returned secret is the only copy there will be."""
    if not officer.has_role(Role.OFFICER) or officer.acting_organisation_id is None:
        raise ApiTokenError(_("기관에 소속된 사업 담당자만 API 토큰을 발급할 수 있습니다."), "name")
    name = (name or "").strip()
    if not name:
        raise ApiTokenError(_("토큰 이름을 입력하십시오 (어느 시스템이 쓰는지)."), "name")
    if len(name) > NAME_MAX:
        raise ApiTokenError(_("토큰 이름은 %(n)d자 이내로 입력하십시오.", n=NAME_MAX), "name")
    chosen = sorted(set(scopes or ()))
    if not chosen:
        raise ApiTokenError(_("토큰이 읽을 수 있는 범위를 하나 이상 고르십시오."), "scopes")
    if any(s not in set(ApiScope) for s in chosen):
        raise ApiTokenError(_("알 수 없는 범위입니다."), "scopes")
    if programme_id is not None and programme_id not in {p.id for p in programmes_of(officer)}:
        raise ApiTokenError(_("소속 기관의 사업만 고를 수 있습니다."), "programme_id")
    expires_at = None
    if expires_on is not None:
        if expires_on <= clock.to_kst(clock.now()).date():
            raise ApiTokenError(_("만료일은 내일 이후로 정하십시오."), "expires_on")
        # The token works through the whole day in Seoul.
        expires_at = clock.from_kst_wall(datetime.combine(expires_on + timedelta(days=1), time(0)))
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name, owner_id=officer.id, agency_id=officer.acting_organisation_id,
                     programme_id=programme_id, scopes=chosen, token_hash=hash_secret(secret),
                     prefix=secret[:10], created_at=clock.now(), expires_at=expires_at)
    db.session.add(token)
    db.session.flush()
    audit.record(officer, "api_token.issued", token, name=name, scopes=chosen, programme_id=programme_id,
                 expires_at=expires_at.isoformat() if expires_at else None, prefix=token.prefix)
    return Issued(token, secret)


def visible_to(user: User) -> list[ApiToken]:
    """The tokens an officer manages: every token of their agency (an admin: all), newest first."""
    query = select(ApiToken).options(selectinload(ApiToken.owner), selectinload(ApiToken.programme),
                                     selectinload(ApiToken.revoked_by)).order_by(ApiToken.id.desc())
    if not user.has_role(Role.ADMIN):
        if user.acting_organisation_id is None:
            return []
        query = query.where(ApiToken.agency_id == user.acting_organisation_id)
    return list(db.session.scalars(query))


def revoke(user: User, token_id) -> ApiToken:
    """Revoke one of the tokens the user manages; from the next request on it opens nothing."""
    try:
        wanted = int(token_id)
    except (TypeError, ValueError):
        wanted = None
    token = next((t for t in visible_to(user) if t.id == wanted), None)
    if token is None:
        raise ApiTokenError(_("폐기할 토큰을 찾을 수 없습니다."), "token_id")
    if token.revoked_at is not None:
        raise ApiTokenError(_("이미 폐기된 토큰입니다."), "token_id")
    token.revoked_at = clock.now()
    token.revoked_by_id = user.id
    audit.record(user, "api_token.revoked", token, name=token.name, prefix=token.prefix)
    return token


def authenticate(secret: str | None) -> ApiToken | None:
    """The usable token with this secret, or None (unknown, revoked, expired, or its owner gone)."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)))
    at = clock.now()
    if token is None or not token.usable(at):
        return None
    owner = token.owner
    if not (owner.active and owner.has_role(Role.OFFICER) and owner.acting_organisation_id == token.agency_id):
        return None
    if token.last_used_at is None or at - token.last_used_at >= TOUCH_EVERY:
        token.last_used_at = at
    return token


def may_read(token: ApiToken | None, call: Call, scope: str) -> bool:
    """Whether the token reads this scope of the call: its agency's (and programme's) calls only."""
    return (token is not None and token.allows(scope) and call.programme.agency_id == token.agency_id
            and (token.programme_id is None or token.programme_id == call.programme_id))


def describe(token: ApiToken) -> dict:
    """What a client may know of its own token."""
    return {"name": token.name, "agency": token.agency.name,
            "programme": token.programme.name if token.programme is not None else None,
            "scopes": list(token.scopes or ()), "expires_at": token.expires_at}
