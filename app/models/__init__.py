"""All models, imported here so Alembic and the app see one metadata."""
from app.models.agreements import Agreement, AgreementSignature, PlanRevision
from app.models.api import ApiToken
from app.models.amendments import CallAmendment
from app.models.audit import AuditEntry
from app.models.calls import (
    Call, CallComplex, CallSection, IndustrialComplex, InfraType, Programme, RequiredAttachment, SectionKind,
)
from app.models.committee import (
    CommitteeAttendance, CommitteeMeeting, CommitteeMember, CommitteeResolution, CommitteeVote,
)
from app.models.consortia import Consortium, ConsortiumMember
from app.models.decisions import (
    CallOutcome, EligibilityDecision, LeftOutSheet, Objection, ObjectionEvidence, Result,
)
from app.models.honoraria import HonorariumAttendance, HonorariumBatch, HonorariumPayment, HonorariumRate
from app.models.info_sessions import InfoSession, InfoSessionRegistration
from app.models.jobs import Job, SuggestionList
from app.models.marketplace import (
    Alliance, AllianceMember, Capability, GroupMember, Message, MessageThread, Need, ResearchGroup, TaskCandidate,
    TaskNeed, TaskSupplier,
)
from app.models.organisations import Organisation, User, UserRole
from app.models.outbox import Notification, OutboxMessage
from app.models.panels import PanelInvitation, Recommendation, RecommendationRun, Recruitment
from app.models.pool import (
    ExpertiseCode, ReviewerExpertise, ReviewerProfile, ReviewerRecord, ReviewerRelative, Sanction,
)
from app.models.presentation import PresentationSchedule, PresentationSlot
from app.models.projects import (
    BudgetExecution, Inspection, InspectionAction, KpiActual, PlanChange, Project, ProjectBudgetLine, ProjectKpi,
    ProjectPoc, Report, ReportFile, ReportVersion,
)
from app.models.proposals import (
    Attachment, BudgetLine, InfraItem, Kpi, PocPlan, Proposal, ProposalText, ProposalVersion,
)
from app.models.qa import CallFollow, CallQuestion, FaqEntry
from app.models.review import Challenge, ReviewAssignment, ReviewerPoolEntry, ReviewSheet
from app.models.sessions import LoginThrottle, UserSession
from app.models.stages import EvaluationStage, StageResult
from app.models.webhooks import Webhook, WebhookDelivery

__all__ = [
    "Alliance", "AllianceMember", "Capability", "GroupMember", "Message", "MessageThread", "Need", "ResearchGroup",
    "TaskCandidate", "TaskNeed", "TaskSupplier",
    "Agreement", "AgreementSignature", "PlanRevision", "ApiToken",
    "BudgetExecution", "Inspection", "InspectionAction", "KpiActual", "PlanChange", "Project", "ProjectBudgetLine",
    "ProjectKpi", "ProjectPoc", "Report", "ReportFile", "ReportVersion",
    "EvaluationStage", "StageResult",
    "CommitteeAttendance", "CommitteeMeeting", "CommitteeMember", "CommitteeResolution", "CommitteeVote",
    "PresentationSchedule", "PresentationSlot",
    "AuditEntry", "Call", "CallAmendment", "CallComplex", "IndustrialComplex", "InfraType", "Programme",
    "RequiredAttachment", "Consortium", "ConsortiumMember", "Organisation", "User", "UserRole",
    "Notification", "OutboxMessage", "Attachment", "BudgetLine", "InfraItem", "Kpi", "PocPlan",
    "Proposal", "ProposalText", "ProposalVersion", "CallSection", "SectionKind",
    "CallOutcome", "EligibilityDecision", "LeftOutSheet", "Objection", "ObjectionEvidence", "Result",
    "Challenge", "ReviewAssignment", "ReviewerPoolEntry", "ReviewSheet",
    "LoginThrottle", "UserSession",
    "PanelInvitation", "Recommendation", "RecommendationRun", "Recruitment",
    "HonorariumAttendance", "HonorariumBatch", "HonorariumPayment", "HonorariumRate",
    "InfoSession", "InfoSessionRegistration",
    "Job", "SuggestionList",
    "ExpertiseCode", "ReviewerExpertise", "ReviewerProfile", "ReviewerRecord", "ReviewerRelative", "Sanction",
    "Webhook", "WebhookDelivery",
]
