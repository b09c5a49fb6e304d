"""Monitoring reports (issue 13): the lead drafts and submits, the officer returns for supplement or
accepts, versions are kept; refusals change nothing; files are checked by content."""
from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.core import clock as app_clock
from app.extensions import db
from app.models import AuditEntry, OutboxMessage
from app.models.projects import BudgetExecution, KpiActual, ProjectStatus, ReportFile, ReportStatus
from app.models.proposals import BUDGET_SOURCES
from app.projects import report_submission, reports
from tests.app.award_builders import signed_project
from tests.app.builders import minimal_pdf
from tests.factories import applicant_with_consortium
from tests.support import read_mails, sign_in, visible_text

# Every draft test works in January 2026: the 2025 annual report's year is over, its due day ahead.
JANUARY = app_clock.kst(2026, 1, 15, 10)


@pytest.fixture
def scene(app, clock, isolated_dirs):
    project, officer, applicant = signed_project()
    clock.move_to(JANUARY)
    return project, project.reports[0], officer, applicant


def url(report, tail: str = "") -> str:
    return f"/projects/{report.project_id}/reports/{report.id}{tail}"


def complete(report, **overrides) -> dict:
    """A complete draft as the page posts it: every section, every KPI, the execution within plan."""
    data = {"action": "save"}
    for key in reports.sections_of(report):
        data[f"section-{key}"] = f"{key} 내용을 구체적으로 적었습니다."
    for kpi in reports.kpis(report):
        data[f"kpi-{kpi.id}-value"] = "2.1"
        data[f"kpi-{kpi.id}-measured_on"] = "2025-12-20"
    for year in reports.years(report):
        for source in BUDGET_SOURCES:
            data[f"exec-{source}-{year}"] = f"{report.project.planned(year, source) // 2:,}"
    data.update(overrides)
    return data


def state(report) -> tuple:
    db.session.expire_all()
    return (report.status, dict(report.sections or {}), len(report.versions),
            db.session.scalar(select(func.count(KpiActual.id))), db.session.scalar(select(func.count(BudgetExecution.id))),
            db.session.scalar(select(func.count(ReportFile.id))),
            db.session.scalar(select(func.count(AuditEntry.id))))


def test_the_lead_saves_a_draft_with_thousands_separators_and_decimal_actuals(scene, client):
    project, report, officer, applicant = scene
    sign_in(client, applicant)
    kpi = reports.kpis(report)[0]
    resp = client.post(url(report), data=complete(report, **{f"kpi-{kpi.id}-value": "1,234.5"}))
    assert resp.status_code == 303
    db.session.expire_all()
    actual = reports.actuals_by_kpi(report)[kpi.id]
    assert actual.value == Decimal("1234.5") and actual.measured_on == date(2025, 12, 20)
    assert reports.executed(report)[(2025, "national")] == project.planned(2025, "national") // 2
    assert report.status == ReportStatus.DUE and report.sections["summary"].startswith("summary")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "report.saved"))
    assert entry.data["changes"]["sections"][0] == {}
    page = client.get(url(report)).get_data(as_text=True)
    assert 'value="1234.5"' in page and "임시 저장" in page


def test_bad_values_are_refused_at_their_fields_and_change_nothing(scene, client):
    project, report, officer, applicant = scene
    sign_in(client, applicant)
    before = state(report)
    kpi = reports.kpis(report)[0]
    resp = client.post(url(report), data=complete(report, **{"exec-local-2025": "-5", f"kpi-{kpi.id}-value": "많이"}))
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "금액은 0원 이상이어야 합니다." in html and "숫자로 입력하십시오" in html
    assert state(report) == before


def test_submission_refusals_name_each_field_and_save_nothing_not_even_the_draft(scene, client):
    project, report, officer, applicant = scene
    sign_in(client, applicant)
    assert client.post(url(report), data=complete(report, **{"section-issues": ""})).status_code == 303
    before = state(report)
    kpi = reports.kpis(report)[1]
    over = project.planned(2025, "national") + 1
    resp = client.post(url(report), data=complete(report, **{
        "action": "submit", "section-issues": "", f"kpi-{kpi.id}-value": "", "section-summary": "고친 요약",
        f"kpi-{kpi.id}-measured_on": "2030-01-01", "exec-national-2025": f"{over:,}"}))
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    for message in ("이 항목을 작성하십시오.", "실적값을 입력하십시오.", "측정일은 과제 시작일(2025-07-01)부터",
                    "계획(", "사업계획 변경 승인 후 보고하십시오"):
        assert message in html
    assert state(report) == before  # the edited summary was not kept either
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.template == "report_submitted")) == 0


def test_submit_return_resubmit_accept_keeps_every_version(scene, client, mailbox):
    project, report, officer, applicant = scene
    sign_in(client, applicant)
    assert client.post(url(report), data=complete(report, action="submit")).status_code == 303
    db.session.expire_all()
    assert report.status == ReportStatus.SUBMITTED and [v.number for v in report.versions] == [1]
    first = report.versions[0].snapshot
    kpi = reports.kpis(report)[0]
    row = next(a for a in first["actuals"] if a["kpi_id"] == kpi.id)
    assert (row["kpi"], row["baseline"], row["target"], row["value"]) == (kpi.name, str(kpi.baseline.normalize()),
                                                                           str(kpi.target.normalize()), "2.1")
    assert {e["source"] for e in first["executions"]} == set(BUDGET_SOURCES)
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.template == "report_submitted")) >= 1
    # Frozen: the lead cannot edit while the officer reads it.
    assert client.post(url(report), data=complete(report)).status_code == 303
    db.session.expire_all()
    assert report.status == ReportStatus.SUBMITTED and len(report.versions) == 1

    sign_in(client, officer)
    assert client.post(url(report), data=complete(report)).status_code == 403  # officers do not write reports
    resp = client.post(url(report, "/return"), data={"comment-issues": "개선 방안이 구체적이지 않습니다.",
                                                       "supplement_due_on": "2026-01-15"})
    assert resp.status_code == 422 and "오늘 이후의 날짜" in resp.get_data(as_text=True)
    resp = client.post(url(report, "/return"), data={"supplement_due_on": "2026-02-01"})
    assert resp.status_code == 422 and "한 항목 이상" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert report.status == ReportStatus.SUBMITTED
    resp = client.post(url(report, "/return"), data={"comment-issues": "개선 방안이 구체적이지 않습니다.",
                                                       "comment-general": "전반적으로 보완 바랍니다.",
                                                       "supplement_due_on": "2026-02-01"})
    assert resp.status_code == 303
    db.session.expire_all()
    assert report.status == ReportStatus.RETURNED and report.supplement_due_on == date(2026, 2, 1)
    assert report.effective_due_on == date(2026, 2, 1)
    assert report.versions[0].comments == {"issues": "개선 방안이 구체적이지 않습니다.", "general": "전반적으로 보완 바랍니다."}
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.template == "report_returned"))
    assert mail.user_id == applicant.id and mail.context["comments"][0]["section"] == "issues"
    [delivered] = [m for m in read_mails(mailbox, to=applicant.email) if "보완요청" in m["Subject"]]
    assert "2026-02-01" in delivered.get_body(("plain",)).get_content()
    assert "문제점 및 개선 방안: 개선 방안이 구체적이지 않습니다." in delivered.get_body(("plain",)).get_content()
    assert any("제출" in m["Subject"] for m in read_mails(mailbox, to=officer.email))

    sign_in(client, applicant)
    page = client.get(url(report)).get_data(as_text=True)
    assert "개선 방안이 구체적이지 않습니다." in page and "2026-02-01" in page
    assert client.post(url(report), data=complete(report, action="submit",
                                                  **{"section-issues": "보완한 개선 방안"})).status_code == 303
    db.session.expire_all()
    assert [v.number for v in report.versions] == [1, 2] and report.status == ReportStatus.SUBMITTED
    assert report.versions[0].snapshot == first  # version 1 as it was sent
    assert report.versions[1].snapshot["sections"][2] == {"key": "issues", "text": "보완한 개선 방안"}
    version_page = client.get(url(report, "/versions/1")).get_data(as_text=True)
    assert "개선 방안이 구체적이지 않습니다." in version_page

    sign_in(client, officer)
    assert client.post(url(report, "/accept")).status_code == 303
    db.session.expire_all()
    assert report.status == ReportStatus.ACCEPTED and report.versions[1].decision == "accepted"
    assert project.status == ProjectStatus.ACTIVE  # an annual report does not end the project
    assert any(m["Subject"].endswith("연차보고서 승인") for m in read_mails(mailbox, to=applicant.email))
    actions = list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "report")
                                      .order_by(AuditEntry.id)))
    assert [a for a in actions if a != "report.saved"] == ["report.submitted", "report.returned", "report.submitted",
                                                          "report.accepted"]
    assert client.post(url(report, "/accept")).status_code == 409  # decided once


def _fill(report, applicant, measured_on: date) -> None:
    data = complete(report)
    reports.save(report, applicant, sections={k: data[f"section-{k}"] for k in reports.sections_of(report)},
                 actuals={k.id: reports.ActualInput(Decimal("1.1"), measured_on) for k in reports.kpis(report)},
                 executions={})


def test_the_final_report_comes_last_and_its_acceptance_completes_the_project(scene, clock):
    project, _, officer, applicant = scene
    *earlier, final = project.reports
    clock.move_to(app_clock.kst(2029, 1, 10, 9))
    _fill(final, applicant, date(2028, 12, 1))
    assert "section-utilisation" not in report_submission.problems(final)
    with pytest.raises(reports.ReportError, match="2025, 2026, 2027"):
        report_submission.submit(final, applicant)  # no report may stay open behind the final one
    for report in earlier:
        _fill(report, applicant, date(report.year, 12, 1))
        report_submission.submit(report, applicant)
    report_submission.submit(final, applicant)
    report_submission.accept(earlier[0], officer)
    with pytest.raises(reports.ReportError, match="2026, 2027"):
        report_submission.accept(final, officer)
    assert project.status == ProjectStatus.ACTIVE
    for report in earlier[1:]:
        report_submission.accept(report, officer)
    report_submission.accept(final, officer)
    db.session.commit()
    assert project.status == ProjectStatus.COMPLETED
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "project.completed"))
    with pytest.raises(reports.ReportError):
        reports.ensure_editable(project.reports[0])  # a completed project takes no more drafts


def test_files_are_checked_by_content_and_shown_only_to_who_sees_the_project(scene, client):
    project, report, officer, applicant = scene
    sign_in(client, applicant)
    kpi = reports.kpis(report)[0]
    before = state(report)
    fake = complete(report, **{f"kpi-{kpi.id}-evidence": (io.BytesIO(b"MZ\x90\x00" + b"\0" * 200), "증빙.pdf")})
    resp = client.post(url(report), data=fake, content_type="multipart/form-data")
    assert resp.status_code == 422 and "EXE" in resp.get_data(as_text=True)
    assert state(report) == before
    good = complete(report, action="submit", **{f"kpi-{kpi.id}-evidence": (io.BytesIO(minimal_pdf()), "증빙.pdf"),
                                                "attachments": (io.BytesIO(minimal_pdf()), "사업비 집행내역.pdf")})
    assert client.post(url(report), data=good, content_type="multipart/form-data").status_code == 303
    db.session.expire_all()
    evidence = db.session.get(ReportFile, reports.actuals_by_kpi(report)[kpi.id].evidence_file_id)
    assert evidence.detected_type == "pdf" and len(evidence.sha256) == 64
    snap = report.versions[0].snapshot
    assert {f["filename"] for f in snap["files"]} == {"증빙.pdf", "사업비 집행내역.pdf"}

    sign_in(client, officer)
    resp = client.get(url(report, f"/files/{evidence.id}"))
    assert resp.status_code == 200 and resp.data == minimal_pdf() and "attachment" in resp.headers["Content-Disposition"]
    assert client.get(url(report, f"/versions/1/files/{evidence.sha256}")).status_code == 200
    stranger, _ = applicant_with_consortium()
    db.session.commit()
    sign_in(client, stranger)
    for path in ("", f"/files/{evidence.id}", "/versions/1", f"/versions/1/files/{evidence.sha256}"):
        assert client.get(url(report, path)).status_code == 404
    assert client.post(url(report), data=complete(report)).status_code == 404


def test_home_tasks_tell_the_lead_a_report_is_due_and_the_officer_one_waits(scene, client, clock):
    project, report, officer, applicant = scene
    sign_in(client, applicant)
    assert "보고서 제출 기한" not in visible_text(client.get("/").get_data(as_text=True))  # 2026-03-01 is 45 days off
    clock.move_to(app_clock.kst(2026, 2, 10, 9))
    assert "보고서 제출 기한 2026-03-01" in visible_text(client.get("/").get_data(as_text=True))
    client.post(url(report), data=complete(report, action="submit"))
    sign_in(client, officer)
    assert "검토할 보고서" in visible_text(client.get("/").get_data(as_text=True))


def test_a_new_evidence_file_replaces_the_old_and_a_version_keeps_what_was_sent(scene, client):
    project, report, officer, applicant = scene
    sign_in(client, applicant)
    kpi = reports.kpis(report)[0]
    first = complete(report, action="submit", **{f"kpi-{kpi.id}-evidence": (io.BytesIO(minimal_pdf()), "첫 증빙.pdf"),
                                                 "attachments": (io.BytesIO(minimal_pdf()), "첨부.pdf")})
    assert client.post(url(report), data=first, content_type="multipart/form-data").status_code == 303
    report_submission.return_for_supplement(report, officer, {"general": "증빙을 바꿔 주십시오."}, date(2026, 2, 1))
    db.session.commit()
    attachment = next(f for f in report.files if f.kind == "attachment")
    sent_sha = next(f for f in report.files if f.kind == "evidence").sha256
    new_pdf = minimal_pdf().replace(b"%%EOF", b"% new\n%%EOF")
    again = complete(report, remove=str(attachment.id),
                     **{f"kpi-{kpi.id}-evidence": (io.BytesIO(new_pdf), "새 증빙.pdf")})
    assert client.post(url(report), data=again, content_type="multipart/form-data").status_code == 303
    db.session.expire_all()
    assert [(f.kind, f.filename) for f in report.files] == [("evidence", "새 증빙.pdf")]
    assert reports.actuals_by_kpi(report)[kpi.id].evidence_file_id == report.files[0].id
    # Version 1 still names (and serves) the files it was sent with.
    assert {f["filename"] for f in report.versions[0].snapshot["files"]} == {"첫 증빙.pdf", "첨부.pdf"}
    assert client.get(url(report, f"/versions/1/files/{sent_sha}")).status_code == 200


def test_the_project_page_lists_the_reports_and_flags_the_overdue_one(scene, client, clock):
    project, report, officer, applicant = scene
    sign_in(client, officer)
    page = visible_text(client.get(f"/projects/{project.id}").get_data(as_text=True))
    assert "2025년 연차보고서" in page and "2026년 단계보고서" in page and "2028년 최종보고서" in page
    assert "기한 경과" not in page
    clock.move_to(app_clock.kst(2026, 3, 2, 9))  # the day after the 2025 report was due
    sign_in(client, officer)  # the earlier session has timed out meanwhile
    page = visible_text(client.get(f"/projects/{project.id}").get_data(as_text=True))
    assert re.search(r"2026-03-01\s*<strong[^>]*>기한 경과", page)
