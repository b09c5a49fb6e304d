"""Suggestions on the marketplace pages: suppliers for a need, needs for a supplier, members for a
consortium's draft proposal. The ranking is ``app.market.matching``; this module picks the rows
the viewer may see and keeps each listing's Korean terms between requests.

What a viewer may see is the listings' rule (``access.can_view_listing``) as one query: open or
matched listings (never closed), public, or alliance-only for the alliance's organisations and its
groups' coordinators, or the viewer's own; admins see all.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app import access
from app.extensions import db
from app.market import matching
from app.matching import tokenise
from app.models import Organisation, Proposal
from app.models.calls import IndustrialComplex
from app.models.marketplace import Capability, ListingState, Need, Visibility
from app.models.organisations import Role

TOP = 5
MEMBER_TOP = 8

# Tokenising a listing costs Kiwi time; its terms are kept per process until the listing changes.
_terms: dict[tuple[str, int], tuple[object, dict]] = {}
_lock = threading.Lock()
CACHE_LIMIT = 20_000


@dataclass(frozen=True)
class Suggested:
    listing: Need | Capability
    organisation: Organisation
    line: str  # "같은 산업단지 · 같은 지역(경남) · 사출 · 외관"

    @property
    def kind(self) -> str:
        return "need" if isinstance(self.listing, Need) else "capability"


def visible(model, user):
    """The listings of ``model`` that ``user`` may see, as a query (closed ones never)."""
    query = select(model).where(model.state != ListingState.CLOSED)
    if user.has_role(Role.ADMIN):
        return query
    seen = access.alliance_ids_of(user) | access.coordinated_alliance_ids(user)
    rule = [model.visibility == Visibility.PUBLIC]
    if seen:
        rule.append(model.alliance_id.in_(seen))
    if user.acting_organisation_id is not None:
        rule.append(model.organisation_id == user.acting_organisation_id)
    return query.where(or_(*rule))


def line(reasons) -> str:
    """The reasons of a suggestion as one short line, structure first."""
    words = []
    for kind, value in reasons:
        if kind == "complex":
            words.append(str(_l("같은 산업단지")))
        elif kind == "region":
            words.append(str(_l("같은 지역(%(region)s)", region=value)))
        else:
            words.append(value)
    return " · ".join(words)


def _complexes() -> dict[int, IndustrialComplex]:
    return {c.id: c for c in db.session.scalars(select(IndustrialComplex))}


def _need_profile(need: Need, complexes) -> matching.Profile:
    place = complexes.get(need.complex_id)
    return matching.need_profile(need, place.name if place else "", place.region if place else "")


def _capability_profile(capability: Capability, complexes) -> matching.Profile:
    return matching.capability_profile(capability, [c.name for c in complexes.values()],
                                       capability.organisation.region if capability.organisation else "")


def _stored_terms(kind: str, rows, profiles) -> dict:
    """Each row's terms, from the cache when its ``updated_at`` has not moved; the rest in one Kiwi pass."""
    out, missing = {}, {}
    with _lock:
        for row in rows:
            kept = _terms.get((kind, row.id))
            if kept is not None and kept[0] == row.updated_at:
                out[row.id] = kept[1]
            else:
                missing[row.id] = row
    if missing:
        fresh = tokenise({key: profiles[key].fields for key in missing})
        with _lock:
            if len(_terms) > CACHE_LIMIT:
                _terms.clear()
            for key, row in missing.items():
                _terms[(kind, key)] = (row.updated_at, fresh[key])
        out.update(fresh)
    return out


def _matcher(kind: str, rows, complexes) -> matching.Matcher:
    if kind == "capability":
        profiles = {r.id: _capability_profile(r, complexes) for r in rows}
        weights = matching.CAPABILITY_WEIGHTS
    else:
        profiles = {r.id: _need_profile(r, complexes) for r in rows}
        weights = matching.NEED_WEIGHTS
    return matching.Matcher(profiles.values(), weights, terms=_stored_terms(kind, rows, profiles))


def _rows(model, user) -> list:
    return list(db.session.scalars(visible(model, user).options(selectinload(model.organisation))
                                   .order_by(model.id)))


def _suggested(found, rows) -> list[Suggested]:
    by_id = {r.id: r for r in rows}
    return [Suggested(by_id[s.key], by_id[s.key].organisation, line(s.reasons)) for s in found]


def suppliers_for(need: Need, user, top: int = TOP) -> list[Suggested]:
    """Capabilities the viewer may see, best for ``need`` first (never the need's own organisation's)."""
    complexes = _complexes()
    rows = _rows(Capability, user)
    if not rows:
        return []
    found = _matcher("capability", rows, complexes).rank(_need_profile(need, complexes), top,
                                                         exclude_orgs={need.organisation_id})
    return _suggested(found, rows)


def needs_for(capability: Capability, user, top: int = TOP) -> list[Suggested]:
    """Needs the viewer may see, best for ``capability`` first."""
    complexes = _complexes()
    rows = _rows(Need, user)
    if not rows:
        return []
    found = _matcher("need", rows, complexes).rank(_capability_profile(capability, complexes), top,
                                                   exclude_orgs={capability.organisation_id})
    return _suggested(found, rows)


def members_for(proposal: Proposal, user, top: int = MEMBER_TOP) -> list[Suggested]:
    """Organisations with capabilities or needs fitting a draft proposal (its complex, region, industries
    and texts), one line each, best first; organisations already listed in the consortium are left out."""
    complexes = _complexes()
    place = proposal.complex
    query = matching.proposal_profile(
        proposal.title or "", [proposal.summary, *(f"{p.problem} {p.ai_solution}" for p in proposal.poc_plans)],
        complex_name=place.name if place else "", region=place.region if place else "",
        industries=proposal.strategic_industries or "")
    listed = {m.organisation_id for m in proposal.consortium.members}
    best: dict[int, tuple[float, Suggested]] = {}
    for kind, model in (("capability", Capability), ("need", Need)):
        rows = _rows(model, user)
        if not rows:
            continue
        by_id = {r.id: r for r in rows}
        for s in _matcher(kind, rows, complexes).rank(query, top, exclude_orgs=listed):
            if s.org_id not in best or best[s.org_id][0] < s.score:
                row = by_id[s.key]
                best[s.org_id] = (s.score, Suggested(row, row.organisation, line(s.reasons)))
    return [s for _, s in sorted(best.values(), key=lambda pair: -pair[0])][:top]
