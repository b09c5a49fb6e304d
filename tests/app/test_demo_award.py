"""The demo's awarded call AX-2025-1 (app/demo/award.py): a signed project a year into its reports.

One load per test: the demo replays three calls, which takes a while.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.core import clock as app_clock
from app.demo import award, demo
from app.extensions import db
from app.models import AuditEntry, Call, User
from app.models.agreements import AgreementStatus
from app.models.projects import PlanChange, PlanChangeStatus, Project, ReportStatus
from app.projects import inspections, portfolio
from tests.support import sign_in


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def test_the_awarded_project_has_a_year_of_history_and_loading_again_adds_nothing(app, clock):
    first = demo.load()
    db.session.commit()
    project = first.project
    assert project is not None and project.call.code == "AX-2025-1"
    today = app_clock.to_kst(app_clock.now()).date()
    assert project.period_start == award.period(today)[0] and project.period_end.year == project.period_start.year + 3
    assert timedelta(days=440) < today - project.period_start < timedelta(days=490)

    agreement = project.agreement
    assert agreement.status == AgreementStatus.SIGNED and len(agreement.revisions) == 1
    signed = sorted(agreement.signatures, key=lambda s: s.position)
    assert len(signed) == 8 and signed[0].signer.email == "applicant@demo.gongmo.kr"
    assert signed[-1].party == "agency" and signed[-1].signer.email == "officer@demo.gongmo.kr"
    assert [s.signed_at for s in signed] == sorted(s.signed_at for s in signed)
    assert agreement.signed_at < app_clock.now() - timedelta(days=450)

    reports = sorted(project.reports, key=lambda r: r.due_on)
    accepted, draft = reports[0], reports[1]
    assert accepted.status == ReportStatus.ACCEPTED and len(accepted.versions) == 2
    assert accepted.versions[0].decision == "returned" and accepted.versions[0].comments
    assert sorted(f.kind for f in accepted.files) == ["attachment", "evidence"]  # the KPI evidence PDF, then 보완
    assert all(a.value is not None and a.evidence_file_id in (None, accepted.files[0].id) for a in accepted.actuals)
    assert draft.status == ReportStatus.DUE and draft.sections.get("summary")
    assert [c.status for c in db.session.scalars(select(PlanChange))] == [PlanChangeStatus.APPROVED]

    row = next(r for r in portfolio.build(project.call.programme).rows if r.project.id == project.id)
    assert row.kpis and all(k.progress is not None and k.progress > 0 for k in row.kpis)
    assert row.executed_total > 0 and row.rate is not None
    (inspection,) = inspections.of_project(project)
    assert [a.done_at is None for a in inspection.actions] == [False, True]

    audits = db.session.scalar(select(func.count()).select_from(AuditEntry))
    projects = db.session.scalar(select(func.count()).select_from(Project))
    clock.shift(timedelta(days=3))
    again = demo.load()
    db.session.commit()
    assert not again.changed and again.project.id == project.id
    assert db.session.scalar(select(func.count()).select_from(Project)) == projects == 1
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == audits
    assert db.session.scalar(select(func.count()).where(Call.code == "AX-2025-1")) == 1


def test_the_applicant_sees_the_project_and_the_officer_the_portfolio(app, clock, client):
    project = demo.load().project
    db.session.commit()
    inspection = inspections.of_project(project)[0]
    sign_in(client, _user("applicant@demo.gongmo.kr"))
    assert f"/projects/{project.id}" in client.get(f"/proposals/{project.proposal_id}").get_data(as_text=True)
    page = client.get(f"/projects/{project.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert project.title in html
    assert all(f'id="report-{r.id}"' in html for r in project.reports)
    assert f"/projects/{project.id}/changes/" in html and f"/projects/{project.id}/inspections/{inspection.id}" in html
    client.post("/logout")

    sign_in(client, _user("officer@demo.gongmo.kr"))
    programme_id = project.call.programme_id
    assert f"/projects/portfolio/{programme_id}" in client.get("/officer/").get_data(as_text=True)
    board = client.get(f"/projects/portfolio/{programme_id}")
    assert board.status_code == 200
    assert f'href="/projects/{project.id}"' in board.get_data(as_text=True)
    assert client.get(f"/projects/{project.id}").status_code == 200
