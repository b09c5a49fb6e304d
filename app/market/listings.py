"""Needs (수요) and capabilities (공급 역량): publishing, editing, their state, and the lists.

A listing belongs to the organisation of the person who published it; only that organisation's
people edit it. It is public (everyone signed in) or alliance-only: then ``alliance_id`` names
an alliance the organisation belongs to, and only that alliance's organisations see it
(``access.can_view_listing``; the lists filter with ``visible_clause``, the same rule in SQL).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from app import access, audit
from app.core.errors import MarketError
from app.extensions import db
from app.models import IndustrialComplex
from app.models.marketplace import Alliance, Capability, ListingState, Need, Visibility

PAGE_SIZE = 20
NEED_FIELDS = ("title", "complex_id", "region", "industry", "process", "problem", "data_available",
               "budget_min", "budget_max", "desired_start", "visibility", "alliance_id")
CAPABILITY_FIELDS = ("title", "solutions", "reference_sites", "industries", "regions", "visibility", "alliance_id")
# open → matched → closed is the usual way, but the owner may go back (a match can fall through).
STATES = tuple(ListingState)


@dataclass
class ListFilter:
    industry: str = ""
    region: str = ""
    complex_id: int | None = None
    state: str = ""
    page: int = 1


@dataclass
class Page:
    items: list
    total: int
    page: int
    pages: int


def _check(user, values: dict, *, need: bool) -> dict:
    """The values as stored, or a refusal naming the field."""
    out = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
    if not out.get("title"):
        raise MarketError(_l("제목을 입력하십시오."), field="title")
    if need:
        low, high = out.get("budget_min"), out.get("budget_max")
        if low is not None and high is not None and low > high:
            raise MarketError(_l("예산 상한은 하한 이상이어야 합니다."), field="budget_max")
        if out.get("complex_id") is not None and db.session.get(IndustrialComplex, out["complex_id"]) is None:
            raise MarketError(_l("목록에 있는 산업단지를 고르십시오."), field="complex_id")
    if out.get("visibility") == Visibility.ALLIANCE:
        if out.get("alliance_id") not in access.alliance_ids_of(user):
            raise MarketError(_l("소속 기관이 가입한 얼라이언스를 고르십시오."), field="alliance_id")
    else:
        out["visibility"], out["alliance_id"] = Visibility.PUBLIC, None
    return out


def publish_need(user, values: dict) -> Need:
    need = Need(organisation_id=user.acting_organisation_id, created_by_id=user.id,
                **_check(user, values, need=True))
    db.session.add(need)
    db.session.flush()
    audit.record(user, "need.published", need, title=need.title, visibility=need.visibility)
    return need


def publish_capability(user, values: dict) -> Capability:
    capability = Capability(organisation_id=user.acting_organisation_id, created_by_id=user.id,
                            **_check(user, values, need=False))
    db.session.add(capability)
    db.session.flush()
    audit.record(user, "capability.published", capability, title=capability.title, visibility=capability.visibility)
    return capability


def snapshot(listing) -> dict:
    fields = NEED_FIELDS if isinstance(listing, Need) else CAPABILITY_FIELDS
    return {k: (v.isoformat() if isinstance(v, date) else v) for k in fields for v in [getattr(listing, k)]}


def update(listing, user, values: dict) -> None:
    before = snapshot(listing)
    for key, value in _check(user, values, need=isinstance(listing, Need)).items():
        setattr(listing, key, value)
    db.session.flush()
    audit.record(user, f"{_kind(listing)}.updated", listing, changes=audit.changes(before, snapshot(listing)))


def set_state(listing, user, state: str) -> None:
    if state not in STATES:
        raise MarketError(_l("알 수 없는 상태입니다."), field="state")
    if state == listing.state:
        return
    before = listing.state
    listing.state = state
    db.session.flush()
    audit.record(user, f"{_kind(listing)}.state_changed", listing, changes={"state": [before, state]})


def _kind(listing) -> str:
    return "need" if isinstance(listing, Need) else "capability"


# --- lists ----------------------------------------------------------------------------------

def visible_clause(model, user):
    """Rows of ``model`` (Need or Capability) the user sees: ``access.can_view_listing`` in SQL."""
    if user.has_role("admin"):
        return model.id.is_not(None)
    alliances = access.alliance_ids_of(user) | access.coordinated_alliance_ids(user)
    mine = model.organisation_id == user.acting_organisation_id if user.acting_organisation_id else False
    return or_(model.visibility != Visibility.ALLIANCE, model.alliance_id.in_(alliances), mine)


def search(model, user, f: ListFilter) -> Page:
    where = [visible_clause(model, user)]
    if f.state:
        where.append(model.state == f.state)
    if model is Need:
        if f.industry:
            where.append(Need.industry.contains(f.industry, autoescape=True))
        if f.region:
            where.append(Need.region == f.region)
        if f.complex_id:
            where.append(Need.complex_id == f.complex_id)
    else:
        if f.industry:
            where.append(Capability.industries.contains(f.industry, autoescape=True))
        if f.region:
            where.append(Capability.regions.contains(f.region, autoescape=True))
    total = db.session.scalar(select(func.count(model.id)).where(*where)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, f.page), pages)
    items = list(db.session.scalars(select(model).where(*where).options(joinedload(model.organisation))
                                    .order_by(model.created_at.desc(), model.id.desc())
                                    .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    return Page(items=items, total=total, page=page, pages=pages)


def my_alliances(user) -> list[Alliance]:
    """The alliances a listing of the user's organisation may be limited to."""
    ids = access.alliance_ids_of(user)
    return list(db.session.scalars(select(Alliance).where(Alliance.id.in_(ids)).order_by(Alliance.name))) if ids else []


def complexes() -> list[IndustrialComplex]:
    return list(db.session.scalars(select(IndustrialComplex).order_by(IndustrialComplex.region, IndustrialComplex.name)))
