"""The programme's portfolio: figures from submitted report versions, overdue items, downloads, who sees it.

Report versions are written directly with the snapshot form ``app.projects.report_submission``
freezes (``actuals`` rows by KPI id, ``executions`` rows of year, source, planned and executed).
"""
from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, User
from app.models.projects import ReportDecision, ReportStatus, ReportVersion
from app.projects import inspections, portfolio, portfolio_export
from app.projects.inspections import ActionDraft
from tests.app.award_builders import signed_project
from tests.factories import OrganisationFactory, UserFactory
from tests.support import sign_in


def _version(report, user, number, decision, actuals=(), executions=()):
    """A frozen report version: ``actuals`` (kpi, value) and ``executions`` (year, source, won)."""
    report.versions.append(ReportVersion(
        number=number, submitted_by_id=user.id, decision=decision,
        snapshot={"kind": report.kind, "year": report.year,
                  "actuals": [{"kpi_id": kpi.id, "value": value, "measured_on": "2025-12-01"} for kpi, value in actuals],
                  "executions": [{"year": y, "source": s, "planned": 0, "executed": won} for y, s, won in executions]}))
    report.status = {ReportDecision.ACCEPTED: ReportStatus.ACCEPTED, ReportDecision.RETURNED: ReportStatus.RETURNED,
                     ReportDecision.PENDING: ReportStatus.SUBMITTED}[decision]
    db.session.flush()


@pytest.fixture
def world(app, clock, db_session, isolated_dirs):
    return signed_project()


def test_figures_come_from_the_versions_that_count(world, clock):
    project, officer, applicant = world
    kpi = project.pocs[0].kpis[0]  # baseline 3.5, target 1.2: lower is better
    other = project.pocs[1].kpis[0]
    first, second = project.reports[0], project.reports[1]
    year = project.years[0]
    _version(first, applicant, 1, ReportDecision.RETURNED, [(kpi, "1.0")], [(year, "national", 999)])
    _version(first, applicant, 2, ReportDecision.ACCEPTED, [(kpi, "2.35"), (other, "1.2")],
             [(year, "national", 100_000_000), (year, "local", 20_000_000)])
    # A later report, still being read: it counts, and wins for what it states.
    _version(second, applicant, 1, ReportDecision.PENDING, [(kpi, "2.9"), (other, None)],
             [(year + 1, "national", 50_000_000)])
    db.session.commit()
    found = portfolio.build(project.call.programme)
    row = found.rows[0]
    by_kpi = {k.kpi.id: k for k in row.kpis}
    assert by_kpi[kpi.id].actual == Decimal("2.9")
    assert by_kpi[kpi.id].progress == (Decimal("2.9") - Decimal("3.5")) / (Decimal("1.2") - Decimal("3.5"))
    assert by_kpi[kpi.id].shown_percent == 26 and not by_kpi[kpi.id].reached
    assert by_kpi[other.id].actual == Decimal("1.2") and by_kpi[other.id].reached  # None does not erase a value
    assert row.reached == 1
    assert row.executed == {(year, "national"): 100_000_000, (year, "local"): 20_000_000,
                            (year + 1, "national"): 50_000_000}
    assert row.rate == (Decimal(170_000_000) * 100 / row.planned_total).quantize(Decimal("0.1"))
    assert row.next_due.id == project.reports[2].id and row.overdue_reports == []


def test_overdue_reports_and_inspection_actions_are_listed(world, clock):
    project, officer, applicant = world
    clock.move_to("2025-09-15 03:00:00+00:00")
    inspections.record(project, officer, date(2025, 9, 1), "감독관", "점검", [ActionDraft("보완", date(2025, 9, 10))])
    db.session.commit()
    clock.move_to("2026-03-03 03:00:00+00:00")  # the 2025 annual report was due on 1 March
    row = portfolio.build(project.call.programme).rows[0]
    assert [r.id for r in row.overdue_reports] == [project.reports[0].id]
    assert [a.description for a in row.overdue_actions] == ["보완"]


def test_the_workbook_and_the_enara_csv(world, client):
    project, officer, applicant = world
    year = project.years[0]
    _version(project.reports[0], applicant, 1, ReportDecision.ACCEPTED, [(project.pocs[0].kpis[0], "1.2")],
             [(year, "national", 123_456_789)])
    db.session.commit()
    sign_in(client, officer)
    page = client.get(f"/projects/portfolio/{project.call.programme_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert project.title in html and 'role="img"' in html and "<script>" not in html
    resp = client.get(f"/projects/portfolio/{project.call.programme_id}/portfolio.xlsx")
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    wb = load_workbook(io.BytesIO(resp.data))
    assert wb.sheetnames == ["과제", "성과지표", "사업비 집행"]
    projects = list(wb["과제"].values)
    assert projects[1][2] == project.title and projects[1][8] == 1  # one KPI reached
    kpis = list(wb["성과지표"].values)
    assert len(kpis) == 1 + sum(len(p.kpis) for p in project.pocs) and kpis[1][9] == "예"
    execution = [r for r in wb["사업비 집행"].values][1:]
    assert (year, "국비", project.planned(year, "national"), 123_456_789) in [r[2:6] for r in execution]

    resp = client.get(f"/projects/portfolio/{project.call.programme_id}/enara.csv")
    assert resp.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))
    assert rows[0] == portfolio_export.ENARA_HEADERS
    line = next(r for r in rows[1:] if r[0] == str(year) and r[5] == "국비")
    planned = project.planned(year, "national")
    assert line[1] == project.proposal.receipt_no and line[4] == project.consortium.lead_org.brn
    assert line[6:] == [str(planned), "123456789", str((Decimal(123_456_789) * 100 / planned).quantize(Decimal("0.1")))]
    downloads = db.session.scalars(select(AuditEntry.data).where(AuditEntry.action == "portfolio.downloaded")
                                   .order_by(AuditEntry.id)).all()
    assert [d["format"] for d in downloads] == ["xlsx", "csv"]


def test_only_the_programmes_officers_see_it(world, client):
    project, officer, applicant = world
    url = f"/projects/portfolio/{project.call.programme_id}"
    stranger = UserFactory(roles=["officer"], organisation=OrganisationFactory(type="public_agency"))
    for user, code in ((applicant, 404), (stranger, 404), (officer, 200)):
        sign_in(client, user)
        assert client.get(url).status_code == code
        assert client.get(url + "/enara.csv").status_code == code
        client.post("/logout")


def test_the_portfolio_costs_the_same_queries_for_one_project_or_three(app, clock, db_session, isolated_dirs,
                                                                        count_queries, client):
    projects = [signed_project()[0] for _ in range(3)]
    programme = projects[0].call.programme
    only = projects[0]
    for p in projects:
        _version(p.reports[0], _applicant(p), 1, ReportDecision.ACCEPTED, [(p.pocs[0].kpis[0], "2")],
                 [(p.years[0], "national", 1)])
        clock.move_to("2025-09-15 03:00:00+00:00")
        inspections.record(p, _officer(p), date(2025, 9, 1), "감독관", "점검", [ActionDraft("보완", date(2025, 9, 10))])
    db.session.commit()

    sign_in(client, _officer(only))

    def cost():
        db.session.expire_all()
        with count_queries() as q:
            assert client.get(f"/projects/portfolio/{programme.id}").status_code == 200
        return q.count

    one = cost()
    for p in projects[1:]:
        p.call.programme_id = programme.id
    db.session.commit()
    assert len(portfolio.build(programme).rows) == 3 and only in [r.project for r in portfolio.build(programme).rows]
    assert cost() == one


def _applicant(project):
    return db.session.get(User, project.agreement.revisions[0].submitted_by_id)


def _officer(project):
    return db.session.get(User, project.agreement.created_by_id)
