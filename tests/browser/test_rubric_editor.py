"""The officer builds the AX-2025 rubric in Chromium, automatic rules included, without typing JSON:
rows added with htmx (no page reload), the rule builder, the live sum of points; the same editor
works with JavaScript off (a reload per row); axe-core finds nothing on the editors."""
from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.calls import stages
from app.demo import ax2025
from app.extensions import db
from tests.browser.test_accessibility import assert_no_blocking, audit, axe_path  # noqa: F401 - the fixture
from tests.factories import CallFactory, officer_for

pytestmark = pytest.mark.browser

EXAMPLE = json.loads((Path(__file__).resolve().parents[1] / "scoring" / "examples" / "ax-2025-input.json").read_text())
FACT_LABELS = {"infrastructure_types": "제안한 인프라 지원유형 수", "complete_poc_plans": "성과지표를 갖춘 완결된 PoC 계획 수",
               "private_matching_ratio": "민간부담금 비율"}


def _draft_call():
    call = CallFactory(phase="draft", rubric={"criteria": [], "total_points": "100"},
                       policy={"trim_from": 5, "pass_mark": "70", "awards": 3, "decimals": 2, "tie_breaks": []})
    officer = officer_for(call)
    db.session.commit()
    return call, officer


def _fill_criterion(page, i: int, c: dict) -> None:
    row = page.locator(f"#criteria-{i}")
    row.get_by_label("항목 키", exact=True).fill(c["key"])
    row.get_by_label("항목명 (한국어)", exact=True).fill(c["label"])
    row.get_by_label("배점", exact=True).fill(c["max_points"])
    row.get_by_label("평가 방식", exact=True).select_option(c["kind"])
    rule = c.get("rule")
    if not rule:
        return
    row.get_by_label("산정 근거 자료").select_option(label=FACT_LABELS[rule["fact"]])
    row.get_by_label("산정 방식", exact=True).select_option(rule["type"])
    if "target" in rule:
        row.get_by_label("목표치 (이 값이면 만점)").fill(str(rule["target"]))
    for value in rule.get("required", []):
        row.locator(f'input[name="criteria-{i}-required"][value="{value}"]').check()
    for j, (threshold, ratio) in enumerate(rule.get("steps", [])):
        row.get_by_role("button", name="구간 추가").click()
        row.locator(f"#criteria-{i}-steps-{j}-threshold").fill(threshold)
        page.locator(f"#criteria-{i}-steps-{j}-ratio").fill(ratio)


def test_the_officer_builds_the_ax2025_rubric_without_json(open_journey, db_session, axe_path):
    call, officer = _draft_call()
    url = f"/officer/calls/{call.id}/rubric"
    journey = open_journey("rubric-editor")  # the portal's CSP as served: htmx must run under it
    page = journey.page
    journey.goto("/")
    journey.log_in(officer.email)
    journey.goto(url)
    assert page.locator("textarea[name$='-rule']").count() == 0
    page.evaluate("window.notReloaded = true")
    criteria = EXAMPLE["rubric"]["criteria"]
    for i, c in enumerate(criteria):
        if i:
            page.get_by_role("button", name="평가항목 추가").click()
            expect(page.locator(f"#criteria-{i}-key")).to_be_focused()  # once htmx has settled
        _fill_criterion(page, i, c)
        if i == 5:
            # the live sum, before the last 5 points
            assert page.locator("[data-sum]").inner_text() == "95"
            assert "off" in page.locator("[data-points-sum]").get_attribute("class")
    assert page.locator("[data-sum]").inner_text() == "100"
    assert "off" not in page.locator("[data-points-sum]").get_attribute("class")
    # the builder shows a rule's own parameters only
    assert page.locator("#criteria-6 [data-rule-for='coverage count']").is_hidden()
    assert page.locator("#criteria-0 [data-rule]").is_hidden()
    # Tie-breaks are rows choosing a criterion by name (added before the screenshot below: a
    # screenshot leaves empty style attributes that an htmx swap would copy, against the CSP).
    for i, rule in enumerate(EXAMPLE["policy"]["tie_breaks"]):
        page.get_by_role("button", name="동점 처리 기준 추가").click()
        page.locator(f"#tie_breaks-{i}-rule").select_option(rule)
    assert page.evaluate("window.notReloaded === true")  # every row came by htmx, without a reload
    journey.step("rubric-built")

    page.get_by_label("등급 평가 사용", exact=False).check()
    page.get_by_label("가점 상한").fill(EXAMPLE["rubric"]["bonus_cap"])
    page.get_by_label("과락 기준", exact=False).fill(EXAMPLE["policy"]["criterion_floor"])
    page.get_by_label("산업단지당 1건만 선정").check()
    page.get_by_label("총 국비 한도 안에서만 선정").check()
    page.get_by_role("button", name="저장", exact=True).click()
    page.get_by_text("평가표를 저장했습니다.").wait_for()
    journey.step("rubric-saved")
    db_session.refresh(call)
    assert call.rubric == {**EXAMPLE["rubric"], "total_points": "100"}
    assert call.policy["tie_breaks"] == EXAMPLE["policy"]["tie_breaks"] and call.policy["one_per"] == "complex"

    # A wrong target is answered beside its field, on the page as built.
    journey.goto(url)
    page.locator("#criteria-5").get_by_label("목표치 (이 값이면 만점)").fill("0")
    journey.watch.expect_console(r"status of 422")
    page.get_by_role("button", name="저장", exact=True).click()
    page.locator("#criteria-5-target-error").wait_for()
    journey.step("rubric-refused")

    findings: list[dict] = []
    checked: list[str] = []
    axe = open_journey("rubric-editor-axe", bypass_csp=True)  # axe is injected as a script
    axe.goto("/")
    axe.log_in(officer.email)
    audit(axe, axe_path, [f"/officer/calls/{call.id}/edit", url], findings, checked)
    axe.page.get_by_label("배점", exact=True).first.fill("abc")
    axe.watch.expect_console(r"status of 422")
    axe.page.get_by_role("button", name="저장", exact=True).click()
    axe.page.locator(".error-summary, .error").first.wait_for()
    audit(axe, axe_path, [], findings, checked, current=f"{url} (sent back with errors)")
    assert_no_blocking("editors", findings, checked, strict=True)


def test_the_editors_on_a_phone(open_journey, db_session):
    call, officer = _draft_call()
    journey = open_journey("rubric-editor-390")
    page = journey.page
    page.set_viewport_size({"width": 390, "height": 844})
    journey.goto("/")
    journey.log_in(officer.email)
    journey.goto(f"/officer/calls/{call.id}/rubric")
    _fill_criterion(page, 0, EXAMPLE["rubric"]["criteria"][6])
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # nothing wider than the phone
    journey.step("rubric-phone")
    journey.goto(f"/officer/calls/{call.id}/edit")
    page.get_by_role("button", name="지원 인프라 유형 줄 추가").click()
    page.locator(f"#infra_types-{len(call.infra_types)}-key").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    journey.step("call-phone")


def test_rows_and_save_work_without_javascript(open_journey, db_session):
    call, officer = _draft_call()
    journey = open_journey("rubric-editor-nojs", java_script_enabled=False)
    page = journey.page
    journey.goto("/")
    journey.log_in(officer.email)
    journey.goto(f"/officer/calls/{call.id}/rubric")
    _fill_criterion(page, 0, {"key": "plan", "label": "사업계획", "max_points": "70", "kind": "review"})
    with page.expect_navigation():
        page.get_by_role("button", name="평가항목 추가").click()
    assert page.locator("#criteria-0-key").input_value() == "plan"  # what was typed survives the reload
    _fill_criterion(page, 1, EXAMPLE["rubric"]["criteria"][6] | {"max_points": "30"})
    with page.expect_navigation():
        page.get_by_role("button", name="구간 추가").nth(1).click()
    journey.step("rows-without-js")
    with page.expect_navigation():
        page.get_by_role("button", name="저장", exact=True).click()
    page.get_by_text("평가표를 저장했습니다.").wait_for()
    db_session.refresh(call)
    assert [c["key"] for c in call.rubric["criteria"]] == ["plan", "match"]
    assert call.rubric["criteria"][1]["rule"] == EXAMPLE["rubric"]["criteria"][6]["rule"]

    journey.goto(f"/officer/calls/{call.id}/edit")
    kinds = len(call.attachment_kinds)
    with page.expect_navigation():
        page.get_by_role("button", name="제출 서류 줄 추가").click()
    page.locator(f"#attachment_kinds-{kinds}-key").fill("letter")
    page.locator(f"#attachment_kinds-{kinds}-label_ko").fill("추천서")
    with page.expect_navigation():
        page.get_by_role("button", name="저장", exact=True).click()
    page.get_by_text("공모 정보를 저장했습니다.").wait_for()
    journey.step("call-saved-without-js")
    db_session.refresh(call)
    assert call.attachment_kinds[-1].key == "letter" and not call.attachment_kinds[-1].required


def test_a_refused_row_post_falls_back_to_a_plain_post(open_journey, db_session):
    call, officer = _draft_call()
    journey = open_journey("rubric-editor-expired")
    page = journey.page
    journey.goto("/")
    journey.log_in(officer.email)
    journey.goto(f"/officer/calls/{call.id}/rubric")
    page.context.clear_cookies()  # the session ended (e.g. logged out in another tab)
    journey.watch.expect_console(r"status of 400")
    journey.watch.expect_console(r"Response Status Error Code 400")  # htmx's own line
    with page.expect_navigation():
        page.get_by_role("button", name="평가항목 추가").click()
    assert page.locator("#rubric-editor").count() == 0  # the server's answer, not a silent button
    journey.step("row-post-refused")


def _call_with_a_presentation_stage():
    call = CallFactory(phase="draft")
    officer = officer_for(call)
    procedure = ax2025.stages(call.closes_at + timedelta(days=14), call.closes_at + timedelta(days=28))
    stages.set_stages(call, officer, procedure, ax2025.FINAL_SCORE)
    db.session.commit()
    return call, officer


def test_the_stage_rubric_editor(open_journey, db_session, axe_path):
    call, officer = _call_with_a_presentation_stage()
    url = f"/officer/calls/{call.id}/stages/2/rubric"
    journey = open_journey("stage-rubric-editor")  # 1280 px
    page = journey.page
    journey.goto("/")
    journey.log_in(officer.email)
    journey.goto(f"/officer/calls/{call.id}/stages")
    assert page.locator("textarea[name$='-rubric']").count() == 0
    page.get_by_role("link", name="평가표 편집").click()
    page.locator("#rubric-editor").wait_for()
    assert page.locator("#tie_breaks-0-rule").input_value() == "criterion:strategy"
    page.evaluate("window.notReloaded = true")
    page.get_by_role("button", name="동점 처리 1순위 아래로").click()
    expect(page.locator("#tie_breaks-0-rule")).to_have_value("submitted_at")
    assert page.evaluate("window.notReloaded === true")
    journey.step("stage-rubric")
    page.get_by_role("button", name="저장", exact=True).click()
    page.get_by_text("3단계 평가표를 저장했습니다.").wait_for()
    db_session.expire_all()
    assert call.stages[2].policy["tie_breaks"] == ["submitted_at", "criterion:strategy"]

    findings: list[dict] = []
    checked: list[str] = []
    axe = open_journey("stage-rubric-axe", bypass_csp=True)  # axe is injected as a script
    axe.goto("/")
    axe.log_in(officer.email)
    audit(axe, axe_path, [f"/officer/calls/{call.id}/stages", url], findings, checked)
    assert_no_blocking("stage editor", findings, checked, strict=True)


def test_the_stage_rubric_editor_without_javascript(open_journey, db_session):
    call, officer = _call_with_a_presentation_stage()
    journey = open_journey("stage-rubric-nojs", java_script_enabled=False)
    page = journey.page
    journey.goto("/")
    journey.log_in(officer.email)
    journey.goto(f"/officer/calls/{call.id}/stages/2/rubric")
    with page.expect_navigation():
        page.get_by_role("button", name="평가항목 추가").click()
    _fill_criterion(page, 3, {"key": "demo", "label": "시연", "max_points": "10", "kind": "review"})
    page.locator("#criteria-2-max_points").fill("20")
    journey.step("stage-row-without-js")
    with page.expect_navigation():
        page.get_by_role("button", name="저장", exact=True).click()
    page.get_by_text("3단계 평가표를 저장했습니다.").wait_for()
    db_session.expire_all()
    assert [c["key"] for c in call.stages[2].rubric["criteria"]] == ["strategy", "feasibility", "qa", "demo"]
