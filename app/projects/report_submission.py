"""Submitting a report, and the officer's review: accepted, or returned for supplement (보완요청).

Submission checks the draft is complete (rules below), then freezes it into a ReportVersion: the
sections, each KPI's actual beside its name, baseline and target, the execution beside the plan,
and every file with its SHA-256. The draft rows stay as they are, so a returned report is
supplemented from what was sent. The rules, each refused with a message at its field:

- every narrative section is written;
- every KPI has a value and the day it was measured, a day between the project's start and today
  (KST); a note and an evidence file are optional;
- every year × source of the years covered is an amount in won (a blank cell is 0), and none
  exceeds the plan for that year and source: spending beyond the plan needs an approved plan
  change (사업계획 변경) first.

The final report comes last: it is submitted only once every earlier report has been submitted,
and accepted only once they are all accepted; accepting it completes the project, so no report
is left open behind a completed project. A return needs at least one comment (on a
section or in general) and a supplement due day after today.
"""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from app.core import numbers
from app import audit
from app.core import clock
from app.core.links import portal_url
from app.extensions import db
from app.models.projects import (
    ProjectStatus, Report, ReportDecision, ReportKind, ReportStatus, ReportVersion,
)
from app.models.proposals import BUDGET_SOURCES
from app.notifications import outbox
from app.notifications.contacts import call_officers, consortium_contacts
from app.projects import reports
from app.projects.reports import ReportError, ReportInvalid

COMMENT_MAX = 4_000
GENERAL = "general"


def problems(report: Report) -> dict[str, str]:
    """What keeps the draft from being submitted, by field name (empty when it may go)."""
    errors: dict[str, str] = {}
    texts = report.sections or {}
    for key in reports.sections_of(report):
        if not (texts.get(key) or "").strip():
            errors[f"section-{key}"] = _("이 항목을 작성하십시오.")
    actuals = reports.actuals_by_kpi(report)
    today = reports.today()
    start = report.project.period_start
    for kpi in reports.kpis(report):
        actual = actuals.get(kpi.id)
        if actual is None or actual.value is None:
            errors[f"kpi-{kpi.id}-value"] = _("실적값을 입력하십시오.")
        if actual is None or actual.measured_on is None:
            errors[f"kpi-{kpi.id}-measured_on"] = _("측정일을 입력하십시오.")
        elif not start <= actual.measured_on <= today:
            errors[f"kpi-{kpi.id}-measured_on"] = _(
                "측정일은 과제 시작일(%(start)s)부터 오늘까지의 날짜여야 합니다.", start=start.isoformat())
    amounts = reports.executed(report)
    for year in reports.years(report):
        for source in BUDGET_SOURCES:
            planned = report.project.planned(year, source)
            if amounts.get((year, source), 0) > planned:
                errors[f"exec-{source}-{year}"] = _(
                    "계획(%(plan)s원)보다 많이 집행했습니다. 계획을 넘는 집행은 사업계획 변경 승인 후 보고하십시오.",
                    plan=f"{planned:,}")
    return errors


def snapshot(report: Report) -> dict:
    files = {f.id: f for f in report.files}

    def file_facts(f) -> dict:
        return {"id": f.id, "kind": f.kind, "filename": f.filename, "size": f.size, "sha256": f.sha256,
                "detected_type": f.detected_type, "storage_key": f.storage_key}

    actuals = reports.actuals_by_kpi(report)
    rows = []
    for poc in report.project.pocs:
        for kpi in poc.kpis:
            a = actuals.get(kpi.id)
            evidence = files.get(a.evidence_file_id) if a is not None and a.evidence_file_id else None
            rows.append({"kpi_id": kpi.id, "poc": poc.tenant_firm, "kpi": kpi.name, "unit": kpi.unit,
                         "baseline": numbers.plain(kpi.baseline), "target": numbers.plain(kpi.target),
                         "value": numbers.plain(a.value) if a is not None and a.value is not None else None,
                         "measured_on": a.measured_on.isoformat() if a is not None and a.measured_on else None,
                         "note": a.note if a is not None else "",
                         "evidence": file_facts(evidence) if evidence is not None else None})
    amounts = reports.executed(report)
    return {
        "kind": report.kind, "year": report.year, "covers_from": report.covers_from.isoformat(),
        "covers_to": report.covers_to.isoformat(),
        "sections": [{"key": k, "text": (report.sections or {}).get(k, "")} for k in reports.sections_of(report)],
        "actuals": rows,
        "executions": [{"year": y, "source": s, "planned": report.project.planned(y, s),
                        "executed": amounts.get((y, s), 0)} for y in reports.years(report) for s in BUDGET_SOURCES],
        "files": [file_facts(f) for f in report.files],
    }


def latest_version(report: Report) -> ReportVersion | None:
    return report.versions[-1] if report.versions else None


def version_file(version: ReportVersion, sha256: str) -> dict | None:
    snap = version.snapshot
    found = [f for f in snap.get("files", []) if f["sha256"] == sha256]
    found += [a["evidence"] for a in snap.get("actuals", []) if a.get("evidence") and a["evidence"]["sha256"] == sha256]
    return found[0] if found else None


def _earlier(report: Report) -> list[Report]:
    return [r for r in report.project.reports if r.id != report.id and r.kind != ReportKind.FINAL]


def _years(reports_: list[Report]) -> str:
    return ", ".join(str(r.year) for r in reports_)


def submit(report: Report, actor) -> ReportVersion:
    reports.ensure_editable(report)
    if report.kind == ReportKind.FINAL:
        unsent = [r for r in _earlier(report) if r.status in (ReportStatus.DUE, ReportStatus.RETURNED)]
        if unsent:
            raise ReportError(_("최종보고서는 이전 보고서(%(years)s년)를 모두 제출한 뒤에 제출할 수 있습니다.",
                                years=_years(unsent)))
    errors = problems(report)
    if errors:
        raise ReportInvalid(errors)
    resubmission = report.status == ReportStatus.RETURNED
    version = ReportVersion(number=len(report.versions) + 1, snapshot=snapshot(report), submitted_at=clock.now(),
                            submitted_by_id=actor.id)
    report.versions.append(version)
    before = report.status
    report.status = ReportStatus.SUBMITTED
    db.session.flush()
    audit.record(actor, "report.submitted", report, call=report.project.call_id, project_id=report.project_id,
                 version=version.number, files={f["filename"]: f["sha256"] for f in version.snapshot["files"]},
                 changes=audit.changes({"status": before}, {"status": report.status}))
    project = report.project
    url = portal_url("projects.report", project_id=project.id, report_id=report.id)
    for officer in call_officers(project.call):
        outbox.queue(
            f"report_submitted:{report.id}:{version.number}:{officer.id}", "report_submitted", officer,
            {"project_title": project.title, "consortium": project.consortium.name, "kind": report.kind,
             "year": report.year, "version": version.number, "resubmission": resubmission, "url": url},
            in_app=outbox.notice("[%(project)s] %(year)s년 보고서가 제출되었습니다. 검토하십시오.",
                                 project=project.title, year=report.year),
            url=url,
        )
    return version


def _pending(report: Report) -> ReportVersion:
    version = latest_version(report)
    if report.status != ReportStatus.SUBMITTED or version is None or version.decision != ReportDecision.PENDING:
        raise ReportError(_("검토를 기다리는 보고서가 아닙니다."))
    return version


def accept(report: Report, actor) -> ReportVersion:
    version = _pending(report)
    if report.kind == ReportKind.FINAL:
        open_ = [r for r in _earlier(report) if r.status != ReportStatus.ACCEPTED]
        if open_:
            raise ReportError(_("이전 보고서(%(years)s년)를 모두 승인한 뒤에 최종보고서를 승인할 수 있습니다.",
                                years=_years(open_)))
    at = clock.now()
    version.decision, version.decided_at, version.decided_by_id = ReportDecision.ACCEPTED, at, actor.id
    report.status, report.accepted_at, report.accepted_by_id = ReportStatus.ACCEPTED, at, actor.id
    report.supplement_due_on = None
    audit.record(actor, "report.accepted", report, call=report.project.call_id, project_id=report.project_id,
                 version=version.number,
                 changes=audit.changes({"status": ReportStatus.SUBMITTED}, {"status": report.status}))
    project = report.project
    if report.kind == ReportKind.FINAL and project.status != ProjectStatus.COMPLETED:
        project.status = ProjectStatus.COMPLETED
        audit.record(actor, "project.completed", project, call=project.call_id, report_id=report.id,
                     changes=audit.changes({"status": ProjectStatus.ACTIVE}, {"status": project.status}))
    _tell_consortium(report, version, "report_accepted",
                     outbox.notice("[%(project)s] %(year)s년 보고서가 승인되었습니다.", project=project.title,
                                   year=report.year))
    return version


def return_for_supplement(report: Report, actor, comments: dict[str, str], due_on: date | None) -> ReportVersion:
    """보완요청: ``comments`` by section key (and ``general``); the consortium supplements by ``due_on``."""
    version = _pending(report)
    allowed = [*reports.sections_of(report), GENERAL]
    errors: dict[str, str] = {}
    kept = {}
    for key in allowed:
        text = (comments.get(key) or "").strip()
        if len(text) > COMMENT_MAX:
            errors[f"comment-{key}"] = _("%(max)d자 이내로 입력하십시오.", max=COMMENT_MAX)
        elif text:
            kept[key] = text
    if not kept and not errors:
        errors[f"comment-{GENERAL}"] = _("보완할 내용을 한 항목 이상 적으십시오.")
    if due_on is None:
        errors["supplement_due_on"] = _("보완 기한을 입력하십시오.")
    elif due_on <= reports.today():
        errors["supplement_due_on"] = _("보완 기한은 오늘 이후의 날짜여야 합니다.")
    if errors:
        raise ReportInvalid(errors)
    at = clock.now()
    version.decision, version.decided_at, version.decided_by_id = ReportDecision.RETURNED, at, actor.id
    version.comments, version.supplement_due_on = kept, due_on
    before = {"status": report.status, "supplement_due_on": report.supplement_due_on}
    report.status, report.supplement_due_on = ReportStatus.RETURNED, due_on
    audit.record(actor, "report.returned", report, call=report.project.call_id, project_id=report.project_id,
                 version=version.number, comments=kept,
                 changes=audit.changes(before, {"status": report.status, "supplement_due_on": due_on}))
    _tell_consortium(report, version, "report_returned",
                     outbox.notice("[%(project)s] %(year)s년 보고서에 보완요청이 있습니다. %(due)s까지 보완하십시오.",
                                   project=report.project.title, year=report.year, due=due_on.isoformat()))
    return version


def _tell_consortium(report: Report, version: ReportVersion, template: str, notice: outbox.Notice) -> None:
    project = report.project
    url = portal_url("projects.report", project_id=project.id, report_id=report.id)
    # By key: the mail names the section in its reader's language.
    comments = [{"section": k, "text": t} for k, t in (version.comments or {}).items()]
    for user in consortium_contacts(project.consortium):
        outbox.queue(
            f"{template}:{report.id}:{version.number}:{user.id}", template, user,
            {"project_title": project.title, "kind": report.kind, "year": report.year, "version": version.number,
             "comments": comments,
             "due": version.supplement_due_on.isoformat() if version.supplement_due_on else "", "url": url},
            in_app=notice, url=url,
        )
