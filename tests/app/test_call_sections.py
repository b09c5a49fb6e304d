"""The officer sets a call's proposal form: its sections (while a draft), the site label and who may lead."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.calls import call_admin, call_sections, lifecycle
from app.calls.call_admin import CallAdminError
from app.calls.call_sections import CallSectionsError
from app.demo import ax2025
from app.extensions import db
from app.models import AuditEntry, Call
from app.proposals import sections as proposal_sections
from tests.factories import CallFactory, officer_for
from tests.support import sign_in, visible_text

TEXT = {"key": "growth", "kind": "text", "label_ko": "성장 잠재력", "label_en": "Growth potential",
        "guide_ko": "입지의 성장 잠재력을 적으십시오.", "guide_en": "", "required": True}


def _draft(**kwargs) -> Call:
    return CallFactory(phase="draft", **kwargs)


def _keys(call: Call) -> list[str]:
    db.session.expire_all()
    return [s.key for s in db.session.get(Call, call.id).sections]


def _legacy_rows() -> list[dict]:
    return [{"guide_ko": "", "guide_en": "", "required": True, **row} for row in ax2025.SECTIONS]


def test_no_section_key_shadows_a_page_of_the_proposal(app):
    # Every fixed page of the form and every other page under /proposals/<id>/ is reserved.
    fixed = {p.key for p in proposal_sections.pages(CallFactory(setup__sections=[]))}
    assert fixed <= call_sections.RESERVED_KEYS
    taken = {rule.rule.split("/")[3] for rule in app.url_map.iter_rules()
             if rule.rule.startswith("/proposals/<int:proposal_id>/") and "<" not in rule.rule.split("/")[3]}
    assert taken <= call_sections.RESERVED_KEYS, taken - call_sections.RESERVED_KEYS


def test_saving_replaces_the_sections_in_order_and_audits_old_and_new(app):
    call = _draft()
    officer = officer_for(call)
    before = [s.key for s in call.sections]
    rows = [TEXT, *reversed(_legacy_rows()[2:]), {**_legacy_rows()[0], "label_ko": "인프라 구축"}]
    call_sections.save_sections(call, officer, rows)
    db.session.commit()

    assert _keys(call) == ["growth", *reversed(before[2:]), "infra"]
    saved = db.session.get(Call, call.id)
    assert [s.position for s in saved.sections] == list(range(len(rows)))
    assert saved.section("infra").label_ko == "인프라 구축" and saved.section("growth").guide_ko.startswith("입지의")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "call.sections_set"))
    old, new = entry.data["changes"]["sections"]
    assert [s["key"] for s in old] == before and [s["key"] for s in new] == _keys(call)
    assert entry.actor_id == officer.id and entry.call_id == call.id

    call_sections.save_sections(call, officer, rows)  # saved as it is: no second entry
    assert db.session.scalar(select(db.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "call.sections_set")) == 1


def _with(i: int, **over) -> list[dict]:
    rows = [dict(r) for r in _legacy_rows()]
    rows[i].update(over)
    return rows


@pytest.mark.parametrize("rows, field, needle", [
    (_with(2, key="Master-Plan"), "sections-2-key", "영문 소문자로 시작"),
    (_with(2, key="m"), "sections-2-key", "2~32자"),
    (_with(2, key="budget"), "sections-2-key", "키로 쓸 수 없습니다"),
    (_with(3, key="master_plan"), "sections-3-key", "키는 줄마다 달라야"),
    (_with(2, key=""), "sections-2-key", "키를 입력하십시오"),
    (_with(2, kind="table"), "sections-2-kind", "작성 형식을 고르십시오"),
    (_with(3, kind="items"), "sections-3-kind", "하나씩만"),
    (_with(2, kind="plans"), "sections-2-kind", "하나씩만"),
    (_with(2, label_ko="  "), "sections-2-label_ko", "한국어 이름을 입력"),
    (_with(2, label_ko="가" * 101), "sections-2-label_ko", "100자"),
    (_with(2, label_en="a" * 101), "sections-2-label_en", "100자"),
    (_with(2, guide_ko="가" * 2001), "sections-2-guide_ko", "2,000자"),
    (_with(2, guide_en="a" * 2001), "sections-2-guide_en", "2,000자"),
], ids=["pattern", "short", "reserved", "repeated", "empty-key", "kind", "two-items", "two-plans", "no-label",
        "long-label", "long-label-en", "long-guide", "long-guide-en"])
def test_a_refused_list_names_its_field_and_changes_nothing(app, rows, field, needle):
    call = _draft()
    before = [s.key for s in call.sections]
    db.session.commit()
    with pytest.raises(CallSectionsError) as info:
        call_sections.save_sections(call, officer_for(call), rows)
    db.session.rollback()
    assert [f for f, _m in info.value.problems] == [field]
    assert needle in info.value.problems[0][1]
    assert _keys(call) == before
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "call.sections_set")) is None


def test_the_sections_freeze_once_the_call_is_published(app):
    call = CallFactory()  # published
    before = [s.key for s in call.sections]
    db.session.commit()
    with pytest.raises(CallSectionsError) as info:
        call_sections.save_sections(call, officer_for(call), [TEXT])
    assert info.value.problems[0][0] == "sections"
    assert "변경공고로도 신청서 양식은 바꿀 수 없습니다" in info.value.message
    db.session.rollback()
    assert _keys(call) == before


def test_copying_a_call_copies_its_form(app):
    call = CallFactory(site_label_ko="조성 입지", site_label_en="Hub site", lead_org_types=["local_government"])
    officer = officer_for(call)
    new = call_admin.copy_call(call, officer, "AX-NEXT")
    db.session.commit()
    assert [(s.key, s.kind, s.label_ko, s.guide_ko, s.required, s.position) for s in new.sections] == \
        [(s.key, s.kind, s.label_ko, s.guide_ko, s.required, s.position) for s in call.sections]
    assert {s.id for s in new.sections}.isdisjoint({s.id for s in call.sections})
    assert (new.site_label_ko, new.site_label_en, new.lead_org_types) == ("조성 입지", "Hub site", ["local_government"])
    assert new.phase == "draft"


def test_an_items_section_needs_a_support_type_to_be_published(app, client):
    call = _draft()
    officer = officer_for(call)
    call.infra_types = []
    db.session.commit()
    with pytest.raises(lifecycle.LifecycleError) as info:
        lifecycle.publish(call, officer)
    assert "지원유형을 하나 이상" in info.value.message
    db.session.rollback()
    sign_in(client, officer)
    page = client.get(f"/officer/calls/{call.id}/step/publish").get_data(as_text=True)
    assert "지원유형을 하나 이상" in page  # said before the officer confirms
    assert client.post(f"/officer/calls/{call.id}/step", data={"step": "publish", "confirm": "y"}).status_code == 422
    assert db.session.get(Call, call.id).phase == "draft"

    call_sections.save_sections(call, officer, [TEXT])  # without the items section it may go out
    lifecycle.publish(call, officer)
    assert call.phase == "published"


def test_the_call_form_refuses_to_drop_the_last_type_under_an_items_section(app):
    call = _draft()
    with pytest.raises(CallAdminError) as info:
        call_admin.update_call(call, officer_for(call), {"infra_types": []})
    assert [f for f, _m in info.value.problems] == ["infra_types"]


# --- the pages -----------------------------------------------------------------------------------

def _posted(rows: list[dict]) -> dict:
    data = {}
    for i, row in enumerate(rows):
        for name in ("key", "kind", "label_ko", "label_en", "guide_ko", "guide_en"):
            data[f"sections-{i}-{name}"] = row.get(name, "")
        if row.get("required"):
            data[f"sections-{i}-required"] = "y"
    return data


def test_the_officer_edits_the_sections_on_their_page(app, client):
    call = _draft()
    officer = officer_for(call)
    db.session.commit()
    sign_in(client, officer)
    url = f"/officer/calls/{call.id}/sections"
    page = client.get(url).get_data(as_text=True)
    assert 'value="master_plan"' in page and "서술형" in page and 'name="row" value="add:sections"' in page
    assert url in client.get(f"/officer/calls/{call.id}").get_data(as_text=True)  # linked from the call's page

    # A row button changes the rows and saves nothing.
    added = client.post(url, data={**_posted(_legacy_rows()), "row": "add:sections"})
    assert added.status_code == 200 and 'name="sections-5-key"' in added.get_data(as_text=True)
    moved = client.post(url, data={**_posted(_legacy_rows()), "row": "up:sections-1"})
    assert moved.get_data(as_text=True).index('value="poc"') < moved.get_data(as_text=True).index('value="infra"')
    assert _keys(call) == [r["key"] for r in ax2025.SECTIONS]

    # A refusal beside its row's field (a blank row before it does not shift the rows), nothing saved.
    rows = [_legacy_rows()[0], {}, {**TEXT, "key": "submit"}]
    refused = client.post(url, data=_posted(rows))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'id="sections-2-key-error"' in html and "키로 쓸 수 없습니다" in html
    assert _keys(call) == [r["key"] for r in ax2025.SECTIONS]

    rows[2]["key"] = "growth"
    saved = client.post(url, data=_posted(rows))
    assert saved.status_code == 303
    assert _keys(call) == ["infra", "growth"]
    assert db.session.get(Call, call.id).section("growth").required


def test_a_published_calls_sections_are_shown_read_only(app, client):
    call = CallFactory()
    db.session.commit()
    sign_in(client, officer_for(call))
    url = f"/officer/calls/{call.id}/sections"
    page = client.get(url).get_data(as_text=True)
    assert "<fieldset disabled" in page and "변경공고로도 신청서 양식은 바꿀 수 없습니다" in page
    assert 'name="save"' not in page and 'value="add:sections"' not in page
    resp = client.post(url, data=_posted([TEXT]))
    assert resp.status_code == 303
    assert "변경공고로도" in client.get(url).get_data(as_text=True)
    assert _keys(call) == [r["key"] for r in ax2025.SECTIONS]


def test_the_officer_copies_the_sections_of_another_call(app, client):
    source = CallFactory(setup__sections=[TEXT])
    call = _draft(programme=source.programme)
    officer = officer_for(call)
    db.session.commit()
    sign_in(client, officer)
    url = f"/officer/calls/{call.id}/sections"
    assert f'value="{source.id}"' in client.get(url).get_data(as_text=True)
    assert client.post(url, data={"copy-source_id": str(source.id)}).status_code == 303
    assert _keys(call) == ["growth"]
    stranger = CallFactory(setup__sections=[{**TEXT, "key": "secret"}])  # another agency's call
    db.session.commit()
    assert client.post(url, data={"copy-source_id": str(stranger.id)}).status_code == 422
    assert _keys(call) == ["growth"]


def _call_form(call, **over) -> dict:
    from tests.app.test_call_amendments import _call_form as as_found

    return as_found(call, **over)


def test_the_call_form_saves_the_site_label_and_who_may_lead(app, client):
    call = _draft()
    officer = officer_for(call)
    db.session.commit()
    sign_in(client, officer)
    url = f"/officer/calls/{call.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert 'value="대상 산업단지"' in page and 'value="local_government"' in page and "지방자치단체" in page

    long = client.post(url, data=_call_form(call, site_label_ko="가" * 101))
    assert long.status_code == 422 and 'id="site_label_ko-error"' in long.get_data(as_text=True)

    resp = client.post(url, data=_call_form(call, site_label_ko="조성 입지", site_label_en="Hub site",
                                            lead_org_types=["public_agency", "local_government"]))
    assert resp.status_code == 302, resp.get_data(as_text=True)
    db.session.expire_all()
    saved = db.session.get(Call, call.id)
    assert (saved.site_label_ko, saved.site_label_en) == ("조성 입지", "Hub site")
    assert saved.lead_org_types == ["local_government", "public_agency"]  # in the list's order
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "call.updated"))
    assert entry.data["changes"]["lead_org_types"] == [[], ["local_government", "public_agency"]]
    assert entry.data["changes"]["site_label"] == ["대상 산업단지 | Target industrial complex", "조성 입지 | Hub site"]

    page = visible_text(client.get(f"/officer/calls/{call.id}").get_data(as_text=True))
    assert "조성 입지" in page and "지방자치단체, 공공기관" in page

    # None ticked: any organisation may lead again.
    assert client.post(url, data=_call_form(call, site_label_ko="조성 입지", site_label_en="Hub site")).status_code == 302
    db.session.expire_all()
    assert db.session.get(Call, call.id).lead_org_types == []


def test_an_unknown_lead_type_is_refused_by_the_service(app):
    call = _draft()
    with pytest.raises(CallAdminError) as info:
        call_admin.update_call(call, officer_for(call), {"lead_org_types": ["ministry"]})
    assert [f for f, _m in info.value.problems] == ["lead_org_types"]

