"""A report's round in real Chromium (issue 13), at 1280 px and on a 390 px phone: the consortium
submits its annual report with KPI actuals and an evidence file; the officer returns it for
supplement with a comment on one section; the consortium sees the comment beside that section,
supplements and resubmits; the officer accepts. axe-core finds nothing serious on the report's
pages (draft, review, returned, accepted, a version).

Screenshots land in test-output/browser/report-<width>/NN-step.png.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.core import clock
from app.extensions import db
from app.models.projects import ReportStatus
from app.models.proposals import BUDGET_SOURCES
from app.projects import reports
from app.proposals.drafts import SOURCE_LABELS
from tests.app.award_builders import signed_project
from tests.app.builders import minimal_pdf
from tests.browser.test_accessibility import assert_no_blocking, audit, axe_path  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_a_report_is_submitted_returned_for_supplement_resubmitted_and_accepted(open_journey, db_session,
                                                                                axe_path, width):
    project, officer, applicant = signed_project()
    report = project.reports[0]  # the 2025 annual report
    kpis = [(n, kpi) for n, poc in enumerate(project.pocs, start=1) for kpi in poc.kpis]
    plan = {s: project.planned(2025, s) for s in BUDGET_SOURCES}
    path = f"/projects/{project.id}/reports/{report.id}"
    today = clock.to_kst(clock.now()).date()
    findings: list[dict] = []
    checked: list[str] = []
    viewport = {"viewport": {"width": width, "height": 900}, "bypass_csp": True}

    lead = open_journey(f"report-{width}", **viewport)
    page = lead.page
    lead.goto("/")
    lead.log_in(applicant.email)
    lead.goto(f"/projects/{project.id}")
    page.get_by_role("link", name="2025년 연차보고서 열기").click()
    expect(page.get_by_role("heading", name="2025년 연차보고서", level=1)).to_be_visible()
    expect(page.locator("#report-status")).to_have_text("작성 중")
    audit(lead, axe_path, [], findings, checked, current=f"{path} (draft)")

    for key, label in reports.SECTIONS.items():
        page.get_by_label(str(label), exact=True).fill(f"{label}: 2025년 추진 내용을 정리했습니다.")
    for n, kpi in kpis:
        page.get_by_label(f"PoC {n} {kpi.name} 실적값", exact=True).fill("2.4")
        page.get_by_label(f"PoC {n} {kpi.name} 측정일", exact=True).fill((today - timedelta(days=3)).isoformat())
    first_n, first_kpi = kpis[0]
    page.get_by_label(f"PoC {first_n} {first_kpi.name} 증빙 파일", exact=True).set_input_files(
        files=[{"name": "불량률 측정 결과.pdf", "mimeType": "application/pdf", "buffer": minimal_pdf()}])
    for source in BUDGET_SOURCES:
        page.get_by_label(f"2025년 {SOURCE_LABELS[source]} 집행액", exact=True).fill(f"{plan[source] // 2:,}")
    lead.step("draft-filled")
    page.get_by_role("button", name="제출", exact=True).click()
    expect(page.locator("#report-status")).to_have_text("검토 중")
    expect(page.get_by_role("link", name="불량률 측정 결과.pdf").first).to_be_visible()
    lead.step("submitted")

    # The officer returns it with a comment on one section and a due day two weeks ahead.
    desk = open_journey(f"report-officer-{width}", **viewport)
    desk.goto("/")
    desk.log_in(officer.email)
    desk.goto(path)
    expect(desk.page.locator("#report-status")).to_have_text("검토 중")
    audit(desk, axe_path, [], findings, checked, current=f"{path} (review)")
    review = desk.page.locator("#return-form")
    review.get_by_label("문제점 및 개선 방안 보완 의견").fill("불량률 개선이 늦어진 원인과 대책을 구체적으로 적어 주십시오.")
    review.get_by_label("보완 기한").fill((today + timedelta(days=14)).isoformat())
    desk.step("supplement-written")
    review.get_by_role("button", name="보완요청").click()
    expect(desk.page.locator("#report-status")).to_have_text("보완요청")
    desk.step("returned")

    # The lead sees the comment beside its section, supplements it and resubmits: version 2.
    page.reload()
    expect(page.locator("#report-status")).to_have_text("보완요청")
    expect(page.locator("#comment-issues")).to_contain_text("원인과 대책을 구체적으로")
    audit(lead, axe_path, [], findings, checked, current=f"{path} (returned)")
    lead.step("comment-beside-section")
    page.get_by_label("문제점 및 개선 방안", exact=True).fill("원인: 설비 교체 지연. 대책: 2026년 1분기 교체 완료.")
    page.get_by_role("button", name="제출", exact=True).click()
    expect(page.locator("#report-status")).to_have_text("검토 중")
    expect(page.get_by_role("link", name="제2판")).to_be_visible()
    lead.step("resubmitted")

    desk.page.reload()
    desk.page.get_by_role("button", name="승인", exact=True).click()
    expect(desk.page.locator("#report-status")).to_have_text("승인")
    audit(desk, axe_path, [], findings, checked, current=f"{path} (accepted)")
    desk.step("accepted")
    desk.page.get_by_role("link", name="제1판").click()
    expect(desk.page.locator("#version-decision")).to_contain_text("보완요청")
    expect(desk.page.locator("main")).to_contain_text("원인과 대책을 구체적으로")
    audit(desk, axe_path, [], findings, checked, current=f"{path}/versions/1")
    desk.step("version-1")

    db.session.expire_all()
    assert report.status == ReportStatus.ACCEPTED and [v.decision for v in report.versions] == ["returned", "accepted"]
    assert_no_blocking(f"report-{width}", findings, checked)
