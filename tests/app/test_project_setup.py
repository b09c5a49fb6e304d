"""A signed agreement starts its project: the accepted plan carried over and the reports scheduled."""
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.core import numbers
from app.extensions import db
from app.models import AuditEntry
from app.projects import schedule, setup
from tests.app.award_builders import signed_project
from tests.support import sign_in


def test_the_project_carries_the_accepted_plan_and_schedules_its_reports(app, clock, db_session):
    project, officer, applicant = signed_project()
    plan = project.agreement.accepted_revision.snapshot
    assert [p.tenant_firm for p in project.pocs] == [p["tenant_firm"] for p in plan["poc_plans"]]
    first_kpi = plan["poc_plans"][0]["kpis"][0]
    kpi = project.pocs[0].kpis[0]
    assert (kpi.name, kpi.baseline, kpi.target) == (first_kpi["name"], Decimal(first_kpi["baseline"]),
                                                    Decimal(first_kpi["target"]))
    for row in plan["budget"]["rows"]:
        assert project.planned(row["year"], "national") == row["national"]
    assert [(r.kind, r.year, r.due_on) for r in project.reports] == [
        ("annual", 2025, date(2026, 3, 1)), ("interim", 2026, date(2027, 3, 1)),
        ("annual", 2027, date(2028, 2, 29)), ("final", 2028, date(2029, 3, 1))]
    assert setup.start(project.agreement, officer) is project  # once only
    assert db_session.scalar(select(AuditEntry.action).where(AuditEntry.object_type == "project")) == "project.started"


def test_the_final_report_is_due_sixty_days_after_the_end_and_a_stage_report_covers_the_stage():
    slots = schedule.slots(date(2025, 1, 1), date(2027, 12, 31))
    assert [(s.kind, s.year) for s in slots] == [("annual", 2025), ("interim", 2026), ("final", 2027)]
    assert slots[1].covers_from == date(2025, 1, 1) and slots[-1].due_on == date(2028, 2, 29)
    assert [s.kind for s in schedule.slots(date(2025, 7, 1), date(2026, 6, 30))] == ["annual", "final"]


def test_kpi_figures_read_as_written_on_the_project_page(app, clock, client):
    project, officer, applicant = signed_project()
    kpi = project.pocs[0].kpis[0]
    kpi.baseline, kpi.target = Decimal("20.0000"), Decimal("1.5000")
    db.session.commit()
    sign_in(client, applicant)
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert ">20<" in page and ">1.5<" in page and "E+" not in page
    assert [numbers.plain(Decimal(x)) for x in ("20.0000", "0.2500", "100")] == ["20", "0.25", "100"]
