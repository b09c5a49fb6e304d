"""Issue 13 end to end: an AX-2025 selection carried from the announcement to its completed project.

The officer opens the agreement, the lead revises the plan on the drafting pages and submits it,
the officer returns it once and accepts the second, issues the document, every party signs in
order on the signing form (the agency last, which starts the project); the first annual report
goes back for supplement and is accepted on its second version; a budget change is approved; at
the end of the period the final report is accepted and the project is complete. The key steps go
through the pages as their users would; each step checks what those users rely on.
"""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser

from sqlalchemy import select

from app.core import clock as app_clock
from app.extensions import db
from app.models import AuditEntry, OutboxMessage
from app.models.agreements import AgreementStatus, RevisionDecision
from app.models.projects import (
    PlanChange, PlanChangeStatus, Project, ProjectStatus, ReportDecision, ReportKind, ReportStatus,
)
from app.models.proposals import BUDGET_SOURCES
from app.agreements import opening
from app.projects import portfolio, reports
from tests.app.agreement_flow import complete, with_member
from tests.factories import PASSWORD
from tests.support import sign_in

JANUARY_2026 = app_clock.kst(2026, 1, 15, 10)
AFTER_THE_PERIOD = app_clock.kst(2029, 1, 20, 10)


class _Forms(HTMLParser):
    """Every form of a page as the (name, value) pairs a browser would post (buttons left out)."""

    def __init__(self):
        super().__init__()
        self.forms: list[list[tuple[str, str]]] = []
        self._select = self._option = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append([])
        if not self.forms:
            return
        pairs = self.forms[-1]
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    pairs.append((a["name"], a.get("value", "y")))
            else:
                pairs.append((a["name"], a.get("value") or ""))
        elif tag == "select":
            self._select, self._option = a.get("name"), None
        elif tag == "option" and self._select and (self._option is None or "selected" in a):
            self._option = a.get("value", "")
        elif tag == "textarea":
            self._textarea = [a.get("name"), ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            self.forms[-1].append((self._select, self._option or ""))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.forms[-1].append((self._textarea[0], self._textarea[1].removeprefix("\n")))
            self._textarea = None


def form_holding(html: str, name: str) -> dict[str, str]:
    """The values of the page's form that has a field ``name``, as the browser shows them."""
    parser = _Forms()
    parser.feed(html)
    found = [dict(pairs) for pairs in parser.forms if any(n == name for n, _ in pairs)]
    assert found, f"no form with {name}"
    return found[0]


def mails(kind: str | None = None, template: str = "agreement") -> dict[int, OutboxMessage]:
    """The queued mails of one template (and agreement kind), by recipient."""
    query = select(OutboxMessage).where(OutboxMessage.template == template)
    if kind is not None:
        query = query.where(OutboxMessage.context["kind"].as_string() == kind)
    return {m.user_id: m for m in db.session.scalars(query)}


def audit_entries(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def report_data(report, value: str, measured_on: str, share, action: str = "save") -> dict:
    """A complete report as its page posts it: every section, each KPI's actual, execution at ``share`` of plan."""
    data = {"action": action}
    for key in reports.sections_of(report):
        data[f"section-{key}"] = f"{key}: 추진 내용을 구체적으로 적었습니다."
    for kpi in reports.kpis(report):
        data[f"kpi-{kpi.id}-value"] = value
        data[f"kpi-{kpi.id}-measured_on"] = measured_on
    for year in reports.years(report):
        for source in BUDGET_SOURCES:
            data[f"exec-{source}-{year}"] = f"{int(report.project.planned(year, source) * share):,}"
    return data


def test_an_ax2025_selection_goes_from_the_award_to_its_completed_project(app, client, clock, isolated_dirs):
    call, officer, proposal, applicant, member = with_member()
    complete(proposal)
    submitted_target = proposal.poc_plans[0].kpis[0].target

    # 1. The officer opens the agreement with the changes the reviewers asked for.
    sign_in(client, officer)
    resp = client.post(f"/officer/proposals/{proposal.id}/agreement",
                       data={"required_changes": "PoC 1 불량률 목표를 더 높게 잡을 것.", "revision_days": "20"})
    agreement = opening.of_proposal(proposal)
    assert resp.status_code == 303 and agreement.status == AgreementStatus.REVISING
    opened = mails("opened")
    assert set(opened) == {applicant.id, member.id} and "PoC 1" in opened[applicant.id].context["comment"]
    assert audit_entries("agreement.opened")[0].data["changes"]["status"] == [None, "revising"]

    # 2. The lead revises the plan on the drafting page (the first KPI's target) and submits it.
    sign_in(client, applicant)
    page = client.get(f"/proposals/{proposal.id}/poc").get_data(as_text=True)
    values = form_holding(page, "plans-0-kpis-0-target")
    assert Decimal(values["plans-0-kpis-0-target"]) == submitted_target
    values.update({"plans-0-kpis-0-target": "1.0", "save": "임시 저장"})
    assert client.post(f"/proposals/{proposal.id}/poc", data=values).status_code == 302
    db.session.expire_all()
    assert proposal.poc_plans[0].kpis[0].target == Decimal("1.0")
    assert client.post(f"/agreements/{agreement.id}/revision",
                       data={"note": "PoC 1 목표를 1.0%로 높였습니다."}).status_code == 303
    db.session.expire_all()
    assert agreement.status == AgreementStatus.REVISION_SUBMITTED
    assert set(mails("revision_submitted")) == {officer.id}

    # 3. The officer returns it once (a week more) ...
    due = agreement.revision_due_at
    sign_in(client, officer)
    resp = client.post(f"/agreements/{agreement.id}/revision/decision",
                       data={"decision": "returned", "comment": "사업명에 실증 지역을 밝히십시오.", "extend_days": "7"})
    assert resp.status_code == 303
    db.session.expire_all()
    assert agreement.status == AgreementStatus.REVISING and agreement.revision_due_at == due + timedelta(days=7)
    assert set(mails("revision_returned")) == {applicant.id}
    extended = audit_entries("agreement.revision_extended")[0]
    assert extended.data["changes"]["revision_due_at"][1] > extended.data["changes"]["revision_due_at"][0]

    # ... the lead fixes the title on the overview page and submits again; the officer accepts it.
    sign_in(client, applicant)
    values = form_holding(client.get(f"/proposals/{proposal.id}/overview").get_data(as_text=True), "title")
    values.update({"title": "창원 AX 실증산단 (경남 창원)", "save": "임시 저장"})
    assert client.post(f"/proposals/{proposal.id}/overview", data=values).status_code == 302
    assert client.post(f"/agreements/{agreement.id}/revision", data={"note": "사업명을 고쳤습니다."}).status_code == 303
    sign_in(client, officer)
    assert client.post(f"/agreements/{agreement.id}/revision/decision",
                       data={"decision": "accepted", "comment": "확인했습니다."}).status_code == 303
    db.session.expire_all()
    assert agreement.status == AgreementStatus.DRAFTING
    assert [r.decision for r in agreement.revisions] == [RevisionDecision.RETURNED, RevisionDecision.ACCEPTED]
    accepted = agreement.accepted_revision.snapshot
    assert accepted["overview"]["title"] == "창원 AX 실증산단 (경남 창원)"
    assert set(mails("revision_accepted")) == {applicant.id}

    # 4. The officer sets the terms and issues the document: the parties hear to sign.
    assert client.post(f"/agreements/{agreement.id}/terms", data={
        "period_start": "2025-07-01", "period_end": "2028-12-31",
        "special_conditions": "실증 결과는 매년 공개 발표회에서 공유한다."}).status_code == 303
    assert client.post(f"/agreements/{agreement.id}/issue").status_code == 303
    db.session.expire_all()
    assert agreement.status == AgreementStatus.SIGNING and len(agreement.document_sha256) == 64
    assert [s.party for s in agreement.signatures] == ["lead", "university", "agency"]
    assert set(mails("issued")) == {applicant.id, member.id}
    assert client.get(f"/agreements/{agreement.id}/document").data.startswith(b"%PDF")

    # 5. Every party signs in order on the signing form with its password; the agency last.
    def sign(user) -> None:
        sign_in(client, user)
        form = client.get(f"/agreements/{agreement.id}/sign").get_data(as_text=True)
        assert agreement.document_sha256 in form
        resp = client.post(f"/agreements/{agreement.id}/sign", data={
            "document_sha256": agreement.document_sha256, "password": PASSWORD, "code": "", "confirm": "y"})
        assert resp.status_code == 303
        db.session.expire_all()

    sign(applicant)
    assert set(mails("your_turn")) == {member.id}
    sign(member)
    assert set(mails("agency_turn")) == {officer.id}
    assert agreement.status == AgreementStatus.SIGNING
    sign(officer)
    assert agreement.status == AgreementStatus.SIGNED
    assert [s.signer_id for s in agreement.signatures] == [applicant.id, member.id, officer.id]
    assert all(s.document_sha256 == agreement.document_sha256 for s in agreement.signatures)
    project = db.session.scalar(select(Project).where(Project.agreement_id == agreement.id))
    assert project is not None and project.status == ProjectStatus.ACTIVE
    # The project holds the accepted plan: its title, the raised target, the budget table.
    assert project.title == "창원 AX 실증산단 (경남 창원)"
    first_kpi = project.pocs[0].kpis[0]
    assert first_kpi.target == Decimal("1.0") and first_kpi.baseline == Decimal("3.5")
    assert {(r["year"], s): int(r.get(s) or 0) for r in accepted["budget"]["rows"] for s in BUDGET_SOURCES
            if int(r.get(s) or 0)} == {(l.year, l.source): l.amount for l in project.budget_lines}
    assert [(r.kind, r.year) for r in project.reports] == [
        (ReportKind.ANNUAL, 2025), (ReportKind.INTERIM, 2026), (ReportKind.ANNUAL, 2027), (ReportKind.FINAL, 2028)]
    signed = mails("signed")
    assert set(signed) == {applicant.id, member.id, officer.id}  # the consortium's people and the officer
    assert all(m.context["url"].endswith(f"/projects/{project.id}") for m in signed.values())
    assert audit_entries("agreement.completed") and audit_entries("project.started")
    # Each side finds its way: the agreement to the project and back, the issued PDF from the project.
    assert f'href="/projects/{project.id}"' in client.get(f"/officer/calls/{call.id}/agreements").get_data(as_text=True)
    sign_in(client, member)
    assert f'href="/projects/{project.id}"' in client.get(f"/my/proposals/{proposal.id}/result").get_data(as_text=True)
    shown = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert f'href="/agreements/{agreement.id}"' in shown and f'href="/agreements/{agreement.id}/document"' in shown

    # 6. January 2026: the lead drafts the 2025 annual report, then submits it.
    clock.move_to(JANUARY_2026)
    annual = project.reports[0]
    url = f"/projects/{project.id}/reports/{annual.id}"
    sign_in(client, applicant)
    assert client.post(url, data=report_data(annual, "2.1", "2025-12-20", Decimal("0.5"))).status_code == 303
    assert client.post(url, data=report_data(annual, "2.1", "2025-12-20", Decimal("0.5"), "submit")).status_code == 303
    db.session.expire_all()
    assert annual.status == ReportStatus.SUBMITTED and [v.number for v in annual.versions] == [1]
    assert set(mails(template="report_submitted")) == {officer.id}

    # 7. The officer returns it for supplement, with a comment on one section.
    sign_in(client, officer)
    resp = client.post(f"{url}/return", data={"comment-pocs": "PoC 2의 측정 방법을 적으십시오.",
                                               "supplement_due_on": "2026-02-15"})
    assert resp.status_code == 303
    db.session.expire_all()
    assert annual.status == ReportStatus.RETURNED and annual.versions[0].comments == {
        "pocs": "PoC 2의 측정 방법을 적으십시오."}
    returned_mail = mails(template="report_returned")
    assert set(returned_mail) == {applicant.id}
    assert returned_mail[applicant.id].context["comments"] == [{"section": "pocs", "text": "PoC 2의 측정 방법을 적으십시오."}]
    returned = audit_entries("report.returned")[0]
    assert returned.data["changes"]["status"] == ["submitted", "returned"]
    assert returned.data["changes"]["supplement_due_on"] == [None, "2026-02-15"]
    # The lead sees the comment beside the section while supplementing.
    sign_in(client, applicant)
    assert "PoC 2의 측정 방법을 적으십시오." in client.get(url).get_data(as_text=True)

    # 8. The lead resubmits with the measured values corrected; the officer accepts. Both versions are kept.
    assert client.post(url, data=report_data(annual, "1.8", "2025-12-20", Decimal("0.5"), "submit")).status_code == 303
    sign_in(client, officer)
    assert client.post(f"{url}/accept").status_code == 303
    db.session.expire_all()
    assert annual.status == ReportStatus.ACCEPTED
    assert [(v.number, v.decision) for v in annual.versions] == [(1, ReportDecision.RETURNED),
                                                                 (2, ReportDecision.ACCEPTED)]
    assert annual.versions[0].snapshot["actuals"][0]["value"] == "2.1"
    assert annual.versions[1].snapshot["actuals"][0]["value"] == "1.8"
    assert set(mails(template="report_accepted")) == {applicant.id}
    assert client.get(f"{url}/versions/1").status_code == 200
    # Figures read the accepted version, never the returned one.
    row = portfolio.build(call.programme).rows[0]
    assert row.kpis[0].actual == Decimal("1.8")

    # 9. The lead asks to move money from 2026 to 2027 (지방비); the officer approves, the plan changes.
    moved = 10_000_000
    before_2026, before_2027 = project.planned(2026, "local"), project.planned(2027, "local")
    assert before_2026 >= moved
    sign_in(client, applicant)
    resp = client.post(f"/projects/{project.id}/changes/new?kind=budget", data={
        "reason": "수요기업 장비 도입이 1년 늦어져 지방비를 옮깁니다.",
        "moves-0-from_year": "2026", "moves-0-from_source": "local",
        "moves-0-to_year": "2027", "moves-0-to_source": "local", "moves-0-amount": f"{moved:,}"})
    assert resp.status_code == 303
    change = db.session.scalars(select(PlanChange)).one()
    assert set(mails(template="plan_change_requested")) == {officer.id}
    sign_in(client, officer)
    assert client.post(f"/projects/{project.id}/changes/{change.id}/decision",
                       data={"decision": "approve", "reason": "타당합니다."}).status_code == 303
    db.session.expire_all()
    assert change.status == PlanChangeStatus.APPROVED
    assert project.planned(2026, "local") == before_2026 - moved
    assert project.planned(2027, "local") == before_2027 + moved
    approved = audit_entries("plan_change.approved")[0].data["changes"]
    assert approved["2026/local"] == [before_2026, before_2026 - moved]
    assert approved["2027/local"] == [before_2027, before_2027 + moved]
    assert mails(template="plan_change_decided")[applicant.id].context["approved"] is True

    # 10. After the period: the reports between (the stage report, the 2027 annual report) come in
    # first — the final report is refused while any is open — then the final report, accepted,
    # completes the project.
    clock.move_to(AFTER_THE_PERIOD)
    final = project.reports[-1]
    sign_in(client, applicant)
    refused = client.post(f"/projects/{project.id}/reports/{final.id}",
                          data=report_data(final, "1.1", "2028-12-20", Decimal("0.9"), "submit"))
    assert refused.status_code == 409 and final.status == ReportStatus.DUE
    for between in project.reports[1:-1]:
        between_url = f"/projects/{project.id}/reports/{between.id}"
        sign_in(client, applicant)
        assert client.post(between_url, data=report_data(between, "1.5", f"{between.year}-12-20", Decimal("0.8"),
                                                          "submit")).status_code == 303
        sign_in(client, officer)
        assert client.post(f"{between_url}/accept").status_code == 303
    url = f"/projects/{project.id}/reports/{final.id}"
    sign_in(client, applicant)
    assert client.post(url, data=report_data(final, "1.1", "2028-12-20", Decimal("0.9"), "submit")).status_code == 303
    sign_in(client, officer)
    assert client.post(f"{url}/accept").status_code == 303
    db.session.expire_all()
    assert final.status == ReportStatus.ACCEPTED and project.status == ProjectStatus.COMPLETED
    completed = audit_entries("project.completed")[0]
    assert completed.data["changes"]["status"] == ["active", "completed"]

    # The portfolio reads the accepted final version: each KPI's actual and progress, the execution rate.
    row = portfolio.build(call.programme).rows[0]
    kpi = row.kpis[0]
    assert kpi.actual == Decimal("1.1")
    assert kpi.progress == (Decimal("1.1") - Decimal("3.5")) / (Decimal("1.0") - Decimal("3.5"))
    assert kpi.shown_percent == 96 and not kpi.reached
    others = row.kpis[1:]
    assert others and all(k.actual == Decimal("1.1") and k.reached for k in others)  # target 1.2 passed
    planned = {(l.year, l.source): l.amount for l in project.budget_lines}
    assert row.planned == planned
    assert row.executed == {(y, s): int(project.planned(y, s) * Decimal("0.9"))
                            for y in project.years for s in BUDGET_SOURCES}
    assert row.rate == portfolio.rate(row.executed_total, row.planned_total) and row.rate in (
        Decimal("90.0"), Decimal("89.9"))
    page = client.get(f"/projects/portfolio/{call.programme_id}").get_data(as_text=True)
    assert project.title in page and str(row.rate) in page
