"""Marketplace objects for the tests: an alliance with one group, member firms and suppliers."""
from __future__ import annotations

from app.extensions import db
from app.market import groups, listings
from app.models.marketplace import Visibility
from tests.factories import OrganisationFactory, UserFactory


def firm(**kw):
    return UserFactory(organisation=OrganisationFactory(type="tenant_company", **kw))


def supplier(**kw):
    return UserFactory(organisation=OrganisationFactory(type="ai_supplier", **kw))


def alliance_with_group(admin=None, coordinator=None, name="경남 얼라이언스"):
    admin = admin or UserFactory(roles=("admin",))
    coordinator = coordinator or UserFactory(roles=())
    alliance = groups.create_alliance(admin, name, "경남")
    group = groups.create_group(admin, alliance, "스마트기계 연구회", "스마트기계", coordinator)
    db.session.flush()
    return alliance, group, coordinator


def need(user, alliance=None, **kw):
    values = {"title": "사출성형 불량 검출", "complex_id": None, "region": "경남", "industry": "스마트기계",
              "process": "사출성형", "problem": "불량 유출", "data_available": "", "budget_min": None,
              "budget_max": None, "desired_start": None,
              "visibility": Visibility.ALLIANCE if alliance else Visibility.PUBLIC,
              "alliance_id": alliance.id if alliance else None, **kw}
    return listings.publish_need(user, values)


def capability(user, alliance=None, **kw):
    values = {"title": "비전 검사", "solutions": "딥러닝 외관 검사", "reference_sites": "", "industries": "스마트기계",
              "regions": "경남", "visibility": Visibility.ALLIANCE if alliance else Visibility.PUBLIC,
              "alliance_id": alliance.id if alliance else None, **kw}
    return listings.publish_capability(user, values)


def market_world(admin, coordinator, owner) -> dict:
    """The permission matrix's marketplace (tests/security/conftest.py): ids named as the routes name them."""
    alliance, group, _c = alliance_with_group(admin, coordinator, name="보안 얼라이언스")
    groups.add_group_member(coordinator, group, owner.organisation.brn)
    secret_need = need(owner, alliance, title="보안 수요")
    secret_capability = capability(owner, alliance, title="보안 역량")
    task = groups.save_task(coordinator, group, None, title="보안 과제", summary="",
                            need_ids=[secret_need.id], capability_ids=[secret_capability.id])
    return {"need_id": secret_need.id, "capability_id": secret_capability.id, "alliance_id": alliance.id,
            "group_id": group.id, "task_id": task.id, "organisation_id": owner.organisation_id}
