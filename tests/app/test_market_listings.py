"""Needs and capabilities: publishing, field-level refusals, visibility, states and who edits."""
from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.market import groups
from app.models import AuditEntry
from app.models.marketplace import Capability, Need
from tests.app.market_builders import alliance_with_group, capability, firm, need, supplier
from tests.factories import ComplexFactory, UserFactory
from tests.support import sign_in

FORM = {"title": "용접 품질 판정", "region": "경남", "industry": "방산", "work_process": "용접", "problem": "판정 편차",
        "data_available": "", "budget_min": "50,000,000", "budget_max": "150,000,000", "desired_start": "2026-03-01",
        "visibility": "public", "alliance_id": ""}


def test_a_firm_publishes_a_need_with_thousands_separators(app, client):
    user = firm()
    place = ComplexFactory(name="창원")
    sign_in(client, user)
    resp = client.post("/market/needs/new", data={**FORM, "complex_id": str(place.id)})
    assert resp.status_code == 303
    made = db.session.scalar(select(Need))
    assert (made.budget_min, made.budget_max, made.complex_id) == (50_000_000, 150_000_000, place.id)
    assert made.organisation_id == user.organisation_id and made.state == "open"
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "need.published")) is not None
    page = client.get(resp.headers["Location"])
    assert page.status_code == 200 and "용접 품질 판정" in page.get_data(as_text=True)


def test_budget_min_above_max_is_refused_beside_its_field_and_nothing_saved(app, client):
    sign_in(client, firm())
    resp = client.post("/market/needs/new", data={**FORM, "budget_min": "9,000", "budget_max": "1,000"})
    assert resp.status_code == 422
    assert 'id="budget_max-error"' in resp.get_data(as_text=True)
    resp = client.post("/market/needs/new", data={**FORM, "budget_min": "만원"})
    assert resp.status_code == 422 and 'id="budget_min-error"' in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Need.id))) == 0


def test_alliance_only_needs_require_an_alliance_of_the_organisation(app, client):
    user = firm()
    alliance, _group, _c = alliance_with_group()
    sign_in(client, user)
    resp = client.post("/market/needs/new", data={**FORM, "visibility": "alliance", "alliance_id": str(alliance.id)})
    assert resp.status_code == 422 and 'id="alliance_id-error"' in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Need.id))) == 0


def test_an_alliance_only_need_is_404_outside_the_alliance(app, client):
    admin = UserFactory(roles=("admin",))
    alliance, group, coordinator = alliance_with_group(admin)
    owner, outsider, insider = firm(), firm(), supplier()
    groups.join_alliance(admin, alliance, owner.organisation)
    groups.join_alliance(admin, alliance, insider.organisation)
    secret = need(owner, alliance, title="비공개 수요")
    open_need = need(owner, title="공개 수요")
    db.session.commit()
    sign_in(client, outsider)
    assert client.get(f"/market/needs/{secret.id}").status_code == 404
    assert client.get(f"/market/needs/{open_need.id}").status_code == 200
    listing = client.get("/market/needs").get_data(as_text=True)
    assert "공개 수요" in listing and "비공개 수요" not in listing
    for user in (insider, coordinator, admin, owner):
        sign_in(client, user)
        assert client.get(f"/market/needs/{secret.id}").status_code == 200
        assert "비공개 수요" in client.get("/market/needs").get_data(as_text=True)


def test_only_the_owning_organisation_edits_and_changes_the_state(app, client):
    owner = firm()
    colleague = UserFactory(organisation=owner.organisation)
    listing = need(owner)
    db.session.commit()
    sign_in(client, firm())
    assert client.get(f"/market/needs/{listing.id}/edit").status_code == 403
    assert client.post(f"/market/needs/{listing.id}/state", data={"state": "closed"}).status_code == 403
    sign_in(client, colleague)
    resp = client.post(f"/market/needs/{listing.id}/edit", data={**FORM, "title": "바뀐 제목"})
    assert resp.status_code == 303
    assert client.post(f"/market/needs/{listing.id}/state", data={"state": "matched"}).status_code == 303
    db.session.expire_all()
    assert (listing.title, listing.state) == ("바뀐 제목", "matched")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "need.updated"))
    assert entry.data["changes"]["title"] == ["사출성형 불량 검출", "바뀐 제목"]
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "need.state_changed")) is not None


def test_capabilities_are_the_suppliers_and_filter_by_industry(app, client):
    sign_in(client, firm())
    assert client.get("/market/capabilities/new").status_code == 403
    user = supplier()
    sign_in(client, user)
    resp = client.post("/market/capabilities/new", data={
        "title": "예지보전 플랫폼", "solutions": "진동 이상 감지", "reference_sites": "", "industries": "스마트기계, 디지털",
        "regions": "경남", "visibility": "public", "alliance_id": ""})
    assert resp.status_code == 303
    capability(user, title="물류 로봇", industries="로봇")
    db.session.commit()
    page = client.get("/market/capabilities?industry=디지털").get_data(as_text=True)
    assert "예지보전 플랫폼" in page and "물류 로봇" not in page
    assert db.session.scalar(select(func.count(Capability.id))) == 2


def test_need_lists_filter_by_region_complex_and_state_and_paginate(app, client):
    owner = firm()
    place = ComplexFactory(name="사천1·2")
    for i in range(23):
        need(owner, title=f"수요 {i:02d}", complex_id=place.id if i % 2 else None,
             region="경남" if i < 20 else "부산")
    db.session.commit()
    sign_in(client, owner)
    first = client.get("/market/needs").get_data(as_text=True)
    assert "1 / 2" in first
    second = client.get("/market/needs?page=2").get_data(as_text=True)
    assert "수요 00" in second
    assert "수요 22" not in client.get("/market/needs?region=경남").get_data(as_text=True)
    by_complex = client.get(f"/market/needs?complex_id={place.id}").get_data(as_text=True)
    assert "수요 01" in by_complex and "수요 02" not in by_complex
    assert "market-list" not in client.get("/market/needs?state=closed").get_data(as_text=True)
