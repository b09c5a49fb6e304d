"""One world for the security tests: a call of agency A, two consortia, reviewers, results.

Built through the services, not the web, so every id a URL can carry belongs to a real
row. Consortium X owns the proposal every URL points at; every other persona is
someone who must not see (or may only partly see) it.
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from app.extensions import db
from app.models import Attachment, ConsortiumMember, Notification, OutboxMessage, ReviewerPoolEntry, User
from app.accounts import accounts
from app.accounts import credentials
from app.review import assignment, conflicts, review_sheets
from app.calls import lifecycle
from app.calls import qa as call_qa
from app.calls import info_sessions, session_seats
from app.core.clock import now as traveller_now
from app.proposals import blobs
from app.selection import decisions
from app.selection import objections, results, screening
from app.proposals import submission
from app.review import reviewers as reviewer_pool
from tests.app.builders import complete_proposal, docx_bytes, minimal_pdf, upload
from tests.app.award_builders import signed_directly
from tests.app.market_builders import market_world
from tests.app.job_builders import finished_job
from tests.market.market_world import world_thread
from app.projects import reports as project_reports
from app.models.projects import Inspection, InspectionAction, PlanChange
from tests.factories import (
    CallFactory,
    OrganisationFactory,
    ProgrammeFactory,
    UserFactory,
    applicant_with_consortium,
    officer_for,
    other_agency_officer,
)

PERSONAS = ("anon", "other_applicant", "owner", "pledged", "unassigned", "recused",
            "other_officer", "officer", "admin")
# Accounts whose address nobody has proved yet: whatever their organisation, roles or seats, they
# reach exactly what "anon" reaches (their column in the matrix is the anon column).
#   unverified: registered under X's lead organisation and confirmed there, link not followed
#   invited: put in the call's reviewer pool by the officer, set-password link not followed
UNVERIFIED_PERSONAS = ("unverified", "invited")

# Unmistakable strings: the owner's proposal title must never reach anyone refused.
OWNER_TITLE = "기밀과제-X 창원 AX 실증"
OTHER_TITLE = "타 컨소시엄-Y 구미 AX 실증"
SHEET = {"infra": "27", "poc": "A", "plan": "8", "alliance": "8"}


@dataclass
class World:
    users: dict[str, int | None] = field(default_factory=dict)
    ids: dict[str, object] = field(default_factory=dict)

    def user(self, persona: str):
        uid = self.users[persona]
        return None if uid is None else db.session.get(User, uid)


def build_world(traveller) -> World:
    """Call of agency A, announced; consortium X's proposal with everything around it.

    ``traveller`` is the frozen clock (the ``clock`` fixture); uploads and mails need
    private folders (``isolated_dirs``).
    """
    programme = ProgrammeFactory()
    # One reviewer per proposal: a recusal must not pull the "unassigned" reviewer onto X.
    call = CallFactory(programme=programme, reviewers_per_proposal=1)
    officer = officer_for(call)
    admin = UserFactory(roles=["admin"])
    other_officer = other_agency_officer()

    owner, consortium_x = applicant_with_consortium()
    other, consortium_y = applicant_with_consortium()
    px = complete_proposal(call, owner, consortium_x)
    # Someone who registered under X's lead organisation and waits for a colleague's confirmation.
    newcomer = UserFactory(organisation=owner.organisation, confirmed=False)
    px.title = OWNER_TITLE
    x_file = upload(px, owner, call.attachment_kinds[0].key, docx_bytes("X 컨소시엄 사업계획서"), "X-계획서.docx")
    py = complete_proposal(call, other, consortium_y)
    py.title = OTHER_TITLE
    # Content of Y's own, so its hash cannot open a file of X's.
    y_file = upload(py, other, call.attachment_kinds[0].key, docx_bytes("Y 컨소시엄 사업계획서"), "Y-계획서.docx")
    db.session.flush()
    submission.submit(px, owner)
    submission.submit(py, other)
    db.session.commit()
    # Loaded again now: a service touching an expired actor would autoflush its half-built row.
    for obj in (officer, owner, other, px, py, call):
        db.session.refresh(obj)

    # The clock closes the call; screening, then the review.
    traveller.move_to(call.closes_at + timedelta(hours=1))
    for p in (px, py):
        screening.decide(p, officer, "confirmed", "")
    lifecycle.start_review(call, officer)
    reviewer_org = OrganisationFactory(type="university")
    pledged = UserFactory(roles=["reviewer"], organisation=reviewer_org)
    recused = UserFactory(roles=["reviewer"], organisation=OrganisationFactory(type="university"))
    unassigned = UserFactory(roles=["reviewer"], organisation=OrganisationFactory(type="university"))
    for r in (pledged, recused):
        reviewer_pool.invite(call, email=r.email, name=r.name, organisation_name=r.organisation.name,
                             department="산업공학과", actor=officer)
    a_pledged = assignment.assign(call, px, pledged.id, officer)
    a_recused = assignment.assign(call, px, recused.id, officer)
    conflicts.declare_no_conflict(a_pledged, pledged)
    conflicts.recuse(a_recused, recused, "주관기관과 공동연구 중입니다.")
    # Invited only now, so no refill can seat this reviewer on X: they review Y alone.
    reviewer_pool.invite(call, email=unassigned.email, name=unassigned.name,
                         organisation_name=unassigned.organisation.name, department="경영학과", actor=officer)
    a_unassigned = assignment.assign(call, py, unassigned.id, officer)
    unverified = accounts.register(email="unverified@example.kr", name="미확인", password="Sturdy-lantern-42",
                                   brn_number=owner.organisation.brn)
    unverified.organisation_confirmed_at = unverified.created_at  # as if a colleague had confirmed them
    invited, _created = reviewer_pool.invite(call, email="invited@example.ac.kr", name="초대만",
                                             organisation_name="어느 대학교", department="", actor=officer)
    conflicts.declare_no_conflict(a_unassigned, unassigned)
    review_sheets.submit(a_pledged, pledged, points=SHEET, comments={}, overall_opinion="우수합니다.")
    review_sheets.submit(a_unassigned, unassigned, points=SHEET, comments={}, overall_opinion="보통입니다.")
    challenge = conflicts.file_challenge(px, owner, target_organisation="어느 연구원", target_person="",
                                         reason="경쟁 컨소시엄에 참여한 기관입니다.")
    db.session.commit()
    db.session.refresh(officer)

    results.compute(call, officer)
    decisions.decide(call, officer)
    decisions.announce(call, officer)
    db.session.commit()
    db.session.refresh(owner)
    traveller.shift(timedelta(days=1))
    objection = objections.file(px, owner, "정량 평가 항목 산정에 오류가 있습니다.", "administrative",
                                [(io.BytesIO(minimal_pdf()), "증빙.pdf")])
    db.session.commit()

    # After the award: X's agreement signed and its project under way.
    project = signed_directly(px, officer, owner)
    report = project.reports[0]
    # The report's draft holds one attachment (its download route needs a file of the world).
    project_reports.save(report, owner, sections={}, actuals={}, executions={},
                         attachments_in=[(io.BytesIO(minimal_pdf()), "보고서 첨부.pdf")])
    report_file_id = report.files[0].id
    # A plan change X's lead asked for, and an inspection with one open follow-up action.
    change = PlanChange(project_id=project.id, kind="member", reason="참여기관 변경을 요청합니다.",
                        details={"organisation": "㈜새참여", "direction": "join"}, requested_by_id=owner.id)
    inspection = Inspection(project_id=project.id, held_on=project.period_start, inspectors="감독관",
                            findings="점검 결과", recorded_by_id=officer.id,
                            actions=[InspectionAction(description="보완", due_on=project.period_start)])
    db.session.add_all([change, inspection])
    db.session.flush()

    # X's lead lists Y's organisation as a member; Y has not answered, so it sees nothing of X.
    invitation = ConsortiumMember(organisation_id=other.organisation_id, role="university")
    consortium_x.members.append(invitation)
    db.session.flush()

    attachment = db.session.get(Attachment, x_file.id)
    other_attachment = db.session.get(Attachment, y_file.id)
    notification = db.session.scalars(select(Notification).where(Notification.user_id == owner.id)
                                      .order_by(Notification.id)).first()
    message = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).first()
    message.status = "failed"
    entry = db.session.scalar(select(ReviewerPoolEntry).where(ReviewerPoolEntry.user_id == unassigned.id))
    bystander = UserFactory()
    token, _ = credentials.make_reset_token(bystander)
    result = results.result_of(px)
    # X's lead asks the call's officers a private question: nobody else may see it (404).
    question = call_qa.ask(call, owner, "기밀 질문 제목", "X 컨소시엄의 사정을 담은 질문입니다.", private=True)
    # Around the call: an alliance whose group the call's officer coordinates, X's lead organisation a
    # member with an alliance-only need and capability, and a task candidate made of them.
    market = market_world(admin, officer, owner)
    # A supplier of no persona's organisation writes to X's lead about that need: only X's people read it.
    market["thread_id"] = world_thread(market["need_id"])
    # A 설명회 of the call in ten days, X's lead registered, its slides up (public, as the call is).
    info_session = info_sessions.create(call, officer, {
        "title": "사업 설명회", "starts_at": traveller_now() + timedelta(days=10),
        "ends_at": traveller_now() + timedelta(days=10, hours=2), "place": "대강당", "online_url": "",
        "capacity": 50, "registration_closes_at": traveller_now() + timedelta(days=9), "description": ""})
    session_seats.register(info_session, owner, owner.organisation.name)
    # A finished job of X's lead with a file: only X's lead sees its page and downloads it.
    job = finished_job(owner, b"a,b\r\n1,2\r\n")
    info_sessions.store_slides(info_session, officer, blobs.keep(io.BytesIO(minimal_pdf()), "설명회.pdf", 10**7))
    db.session.commit()
    assert notification is not None and attachment is not None and result is not None

    world = World()
    world.users = {
        "anon": None, "other_applicant": other.id, "owner": owner.id, "pledged": pledged.id,
        "unassigned": unassigned.id, "recused": recused.id, "other_officer": other_officer.id,
        "officer": officer.id, "admin": admin.id,
        "unverified": unverified.id, "invited": invited.user_id,
    }
    world.ids = {
        "call_id": call.id, "code": call.code, "programme_id": programme.id, "stage_id": call.stages[1].id,
        "proposal_id": px.id, "other_proposal_id": py.id,
        "consortium_id": consortium_x.id, "other_consortium_id": consortium_y.id,
        "attachment_id": attachment.id, "sha256": attachment.sha256, "number": 1,
        "other_attachment_id": other_attachment.id, "other_sha256": other_attachment.sha256,
        "assignment_id": a_pledged.id, "recused_assignment_id": a_recused.id,
        "unassigned_assignment_id": a_unassigned.id,
        "entry_id": entry.id, "challenge_id": challenge.id, "objection_id": objection.id,
        "evidence_id": objection.evidence[0].id,
        "result_id": result.id, "other_result_id": results.result_of(py).id,
        "notification_id": notification.id, "member_id": invitation.id, "user_id": newcomer.id, "message_id": message.id, "token": token,
        "agreement_id": project.agreement_id, "project_id": project.id, "report_id": report.id,
        "change_id": change.id, "inspection_id": inspection.id, "action_id": inspection.actions[0].id,
        "report_file_id": report_file_id, "question_id": question.id, "info_session_id": info_session.id, "job_id": job.id,
        "subject_id": px.id,  # the suggestions refreshed: X's draft's members
        **market,
        "section": "overview", "kind": "proposals", "fmt": "csv", "filename": "css/gongmo.css",
    }
    return world


@pytest.fixture
def world(app, clock, isolated_dirs):
    return build_world(clock)


def table_digest() -> dict[str, str]:
    """Every table's rows, hashed: a refused request must leave each one exactly as it was.

    One statement for all tables (each table's rows in key order, as text): the fuzz and matrix
    tests take a digest around every request, and a query per table made that most of their time.
    """
    with db.engine.connect() as conn:
        rows = conn.execute(_digest_statement(conn.dialect.name)).all()
    return {name: hashlib.sha256((text_ or "").encode()).hexdigest()[:16] + f"/{n}" for name, n, text_ in rows}


_DIGEST_SQL: dict[str, object] = {}


def _digest_statement(dialect: str):
    if dialect not in _DIGEST_SQL:
        parts = []
        for table in db.metadata.sorted_tables:
            name = table.name.replace("'", "''")
            keys = list(table.primary_key.columns) or list(table.columns)
            if dialect == "postgresql":
                order = ", ".join(f'x."{c.name}"' for c in keys)
                parts.append(f"SELECT '{name}' AS t, count(*) AS n, string_agg(x::text, E'\\n' ORDER BY {order}) AS r "
                             f'FROM "{table.name}" x')
            else:
                row = " || ',' || ".join(f'quote("{c.name}")' for c in table.columns)
                order = ", ".join(f'"{c.name}"' for c in keys)
                parts.append(f"SELECT '{name}' AS t, count(*) AS n, group_concat(r, char(10)) AS r "
                             f'FROM (SELECT {row} AS r FROM "{table.name}" ORDER BY {order})')
        _DIGEST_SQL[dialect] = text(" UNION ALL ".join(parts))
    return _DIGEST_SQL[dialect]


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(name for name in before if before[name] != after.get(name))

