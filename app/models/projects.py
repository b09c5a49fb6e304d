"""과제: a signed agreement followed to its end — plan, reports, inspections and plan changes.

The project carries the accepted plan over from the agreement (PoCs with their KPIs, budget by
year × source); approved plan changes edit these rows, never the frozen revision. Reports are
scheduled from the agreement's period; each report is drafted in its own rows (sections,
KPI actuals, budget execution, files) and frozen into a ``ReportVersion`` at every submission,
which the officer accepts or returns for supplement (보완요청).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import now
from app.extensions import db
from app.models.agreements import Agreement
from app.models.calls import Call
from app.models.consortia import Consortium
from app.models.organisations import User
from app.models.proposals import Proposal
from app.models.types import UTCDateTime


class ProjectStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"  # the final report was accepted


class Project(db.Model):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"), unique=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), unique=True)
    consortium_id: Mapped[int] = mapped_column(ForeignKey("consortia.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=ProjectStatus.ACTIVE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    agreement: Mapped[Agreement] = relationship()
    call: Mapped[Call] = relationship()
    proposal: Mapped[Proposal] = relationship()
    consortium: Mapped[Consortium] = relationship()
    pocs: Mapped[list["ProjectPoc"]] = relationship(cascade="all, delete-orphan", order_by="ProjectPoc.position")
    budget_lines: Mapped[list["ProjectBudgetLine"]] = relationship(
        cascade="all, delete-orphan", order_by="ProjectBudgetLine.year, ProjectBudgetLine.source")
    reports: Mapped[list["Report"]] = relationship(
        cascade="all, delete-orphan", order_by="Report.due_on, Report.id")

    @property
    def years(self) -> list[int]:
        return list(range(self.period_start.year, self.period_end.year + 1))

    def planned(self, year: int, source: str) -> int:
        return next((l.amount for l in self.budget_lines if l.year == year and l.source == source), 0)


class ProjectPoc(db.Model):
    __tablename__ = "project_pocs"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    tenant_firm: Mapped[str] = mapped_column(String(200), default="")
    problem: Mapped[str] = mapped_column(Text, default="")
    ai_solution: Mapped[str] = mapped_column(Text, default="")
    budget: Mapped[int] = mapped_column(BigInteger, default=0)  # won

    kpis: Mapped[list["ProjectKpi"]] = relationship(cascade="all, delete-orphan", order_by="ProjectKpi.position")


class ProjectKpi(db.Model):
    __tablename__ = "project_kpis"

    id: Mapped[int] = mapped_column(primary_key=True)
    poc_id: Mapped[int] = mapped_column(ForeignKey("project_pocs.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(32), default="")
    baseline: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    target: Mapped[Decimal] = mapped_column(Numeric(18, 4))


class ProjectBudgetLine(db.Model):
    """The planned amount of one year and source (won); execution is reported against it."""

    __tablename__ = "project_budget_lines"
    __table_args__ = (UniqueConstraint("project_id", "year", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16))  # app.models.proposals.BUDGET_SOURCES
    amount: Mapped[int] = mapped_column(BigInteger, default=0)


class ReportKind(StrEnum):
    ANNUAL = "annual"  # 연차보고서
    INTERIM = "interim"  # 단계보고서
    FINAL = "final"  # 최종보고서


class ReportStatus(StrEnum):
    DUE = "due"  # not yet submitted
    SUBMITTED = "submitted"  # the officer reads it
    RETURNED = "returned"  # 보완요청: the consortium supplements and resubmits
    ACCEPTED = "accepted"


class Report(db.Model):
    __tablename__ = "project_reports"
    __table_args__ = (UniqueConstraint("project_id", "kind", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(Integer)  # the last year the report covers
    covers_from: Mapped[date] = mapped_column(Date)
    covers_to: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)  # KST calendar day
    status: Mapped[str] = mapped_column(String(16), default=ReportStatus.DUE)
    # The draft's narrative sections, key -> text (keys from app.projects' section list).
    sections: Mapped[dict] = mapped_column(JSON, default=dict)
    # After a return: the new due day of the supplement.
    supplement_due_on: Mapped[date | None] = mapped_column(Date)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)

    project: Mapped[Project] = relationship(back_populates="reports")
    actuals: Mapped[list["KpiActual"]] = relationship(cascade="all, delete-orphan", order_by="KpiActual.id")
    executions: Mapped[list["BudgetExecution"]] = relationship(
        cascade="all, delete-orphan", order_by="BudgetExecution.year, BudgetExecution.source")
    files: Mapped[list["ReportFile"]] = relationship(cascade="all, delete-orphan", order_by="ReportFile.id")
    versions: Mapped[list["ReportVersion"]] = relationship(
        cascade="all, delete-orphan", order_by="ReportVersion.number")

    @property
    def effective_due_on(self) -> date:
        return self.supplement_due_on if self.status == ReportStatus.RETURNED and self.supplement_due_on else self.due_on


class KpiActual(db.Model):
    """The actual value of one KPI a report states, with the day measured and its evidence."""

    __tablename__ = "kpi_actuals"
    __table_args__ = (UniqueConstraint("report_id", "kpi_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("project_reports.id", ondelete="CASCADE"), index=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("project_kpis.id", ondelete="CASCADE"), index=True)
    value: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    measured_on: Mapped[date | None] = mapped_column(Date)
    evidence_file_id: Mapped[int | None] = mapped_column(ForeignKey("report_files.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")

    kpi: Mapped[ProjectKpi] = relationship()


class BudgetExecution(db.Model):
    """What was spent (won) in one year from one source, as a report states it."""

    __tablename__ = "budget_executions"
    __table_args__ = (UniqueConstraint("report_id", "year", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("project_reports.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger, default=0)


class ReportFile(db.Model):
    __tablename__ = "report_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("project_reports.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="attachment")  # attachment | evidence
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    detected_type: Mapped[str] = mapped_column(String(16))
    storage_key: Mapped[str] = mapped_column(String(100))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class ReportDecision(StrEnum):
    PENDING = ""
    ACCEPTED = "accepted"
    RETURNED = "returned"


class ReportVersion(db.Model):
    """A report as submitted, frozen, with the officer's verdict on it."""

    __tablename__ = "report_versions"
    __table_args__ = (UniqueConstraint("report_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("project_reports.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict] = mapped_column(JSON)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[str] = mapped_column(String(16), default=ReportDecision.PENDING)
    # Section key (or "general") -> the officer's comment.
    comments: Mapped[dict] = mapped_column(JSON, default=dict)
    supplement_due_on: Mapped[date | None] = mapped_column(Date)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    submitted_by: Mapped[User] = relationship(foreign_keys=[submitted_by_id])


class Inspection(db.Model):
    """현장점검: a visit to the site, its findings and the follow-up it asks for."""

    __tablename__ = "inspections"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    inspectors: Mapped[str] = mapped_column(Text)
    findings: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    actions: Mapped[list["InspectionAction"]] = relationship(
        cascade="all, delete-orphan", order_by="InspectionAction.due_on, InspectionAction.id")


class InspectionAction(db.Model):
    __tablename__ = "inspection_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_note: Mapped[str] = mapped_column(Text, default="")


class PlanChangeKind(StrEnum):
    BUDGET = "budget"  # moves between years or sources
    POC = "poc"  # a PoC's content or a KPI's target
    MEMBER = "member"  # a member joins or leaves


class PlanChangeStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"


class PlanChange(db.Model):
    """사업계획 변경: what the consortium asks to change and the officer's decision."""

    __tablename__ = "plan_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    # What to change, in the kind's own form (budget moves, KPI targets, member names).
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=PlanChangeStatus.REQUESTED)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    project: Mapped[Project] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
