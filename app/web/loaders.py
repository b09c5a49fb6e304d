"""One loader per kind of object, for every view: load it by id and check who asks.

The one rule: a loader answers **404** when the row does not exist *or* the current user
may not see it, the same answer either way, so no refusal tells whether an object exists.
What a user may see is decided here, with the checks of ``app.access``:

- a call's officer pages: the officers of the call's agency (and admins);
- a consortium, its invitations and the consortium's side of a proposal (result, objection,
  challenges): the people of its confirmed member organisations;
- a proposal's own pages (sections, attachments, receipt, versions): the consortium and the
  call's officers;
- a review assignment: its reviewer (the officer's copy: the call's officers);
- an account on the administrator's pages, a queued mail: admins.

A **403** is left for two things only, never for an object the user may not see:
a page without an object that the user's role does not open (``access.require_role``: the
officer console's index for a non-officer, ``/review/`` for a non-reviewer, the account list
for a non-admin), and an
action on an object the user does see but may not take (``access.require``: a consortium member
that is not the lead editing the proposal, an officer submitting it, a reviewer opening the
proposal before the pledge).
"""
from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from app import access
from app.extensions import db
from app.models import (
    Attachment, Call, Challenge, Consortium, ConsortiumMember, Notification, Objection, ObjectionEvidence,
    OutboxMessage, Programme, Proposal, ProposalVersion, Result, ReviewAssignment, ReviewerPoolEntry, User,
)
from app.accounts import membership
from app.models.agreements import Agreement
from app.models.info_sessions import InfoSession
from app.models.jobs import Job
from app.models.marketplace import Alliance, Capability, MessageThread, Need, ResearchGroup, TaskCandidate
from app.models.presentation import PresentationSlot
from app.models.projects import Inspection, InspectionAction, PlanChange, Project, Report
from app.models.qa import CallQuestion
from app.calls import calls as call_listing
from app.proposals import snapshot, submission
from app.review import presentation, review_access, stage_scope


def _visible(obj, allowed=None):
    """The object, or 404 when there is none or ``allowed(obj)`` says the user may not see it."""
    if obj is None or (allowed is not None and not allowed(obj)):
        abort(404)
    return obj


# --- calls ------------------------------------------------------------------------------------

def call_for_officer(call_id: int) -> Call:
    """A call, on its officer pages."""
    return _visible(db.session.get(Call, call_id), lambda c: access.is_officer_for_call(current_user, c))


def call_for_honoraria(call_id: int) -> Call:
    """A call's 평가수당 (statements, the batch): its officers and its agency's finance."""
    return _visible(db.session.get(Call, call_id), lambda c: access.can_view_honoraria(current_user, c))


# --- consortia --------------------------------------------------------------------------------

def consortium(consortium_id: int) -> Consortium:
    """A consortium, for the people of its confirmed member organisations."""
    return _visible(db.session.get(Consortium, consortium_id),
                    lambda c: access.can_view_consortium(current_user, c))


def invitation(member_id: int) -> ConsortiumMember:
    """An organisation's invitation into a consortium, for that organisation's people."""
    return _visible(db.session.get(ConsortiumMember, member_id),
                    lambda m: access.can_answer_invitation(current_user, m))


# --- proposals --------------------------------------------------------------------------------

def proposal(proposal_id: int, *, full: bool = False, for_update: bool = False) -> Proposal:
    """A proposal's own pages: its consortium and the call's officers.

    ``full`` loads everything validation and the snapshot read; ``for_update`` takes the row
    lock that serialises saves of one proposal (and a submission taking its snapshot).
    """
    query = select(Proposal).where(Proposal.id == proposal_id)
    if full:
        query = query.options(*submission.everything())
    if for_update:
        query = query.with_for_update()
    return _visible(db.session.scalar(query), lambda p: access.can_view_proposal(current_user, p))


def proposal_for_member(proposal_id: int) -> Proposal:
    """The consortium's side of a proposal (result, objection, challenges): its members only."""
    return _visible(db.session.get(Proposal, proposal_id),
                    lambda p: access.can_view_consortium(current_user, p.consortium))


def proposal_for_officer(proposal_id: int) -> Proposal:
    """A proposal on the officer pages (screening): the call's officers only."""
    return _visible(db.session.get(Proposal, proposal_id),
                    lambda p: access.is_officer_for_call(current_user, p.call))


def attachment(proposal: Proposal, attachment_id: int) -> Attachment:
    """One of the attachments of a proposal the caller has already loaded with a loader above."""
    return _visible(db.session.get(Attachment, attachment_id), lambda a: a.proposal_id == proposal.id)


def version(proposal: Proposal, number: int | None = None) -> ProposalVersion:
    """A submitted version (the latest without ``number``) of a proposal the caller has already loaded."""
    return _visible(snapshot.latest_version(proposal) if number is None else snapshot.version_of(proposal, number))


# --- review -----------------------------------------------------------------------------------

def assignment_for_reviewer(assignment_id: int) -> ReviewAssignment:
    """A review assignment, for its own reviewer (in whatever state it is)."""
    return _visible(db.session.get(ReviewAssignment, assignment_id),
                    lambda a: review_access.owns_assignment(current_user, a))


def assignment_for_officer(assignment_id: int) -> ReviewAssignment:
    """A review assignment (and its sheet) on the officer pages of its call."""
    return _visible(db.session.get(ReviewAssignment, assignment_id),
                    lambda a: review_access.can_manage_reviews(current_user, a.call))


def sheet_of(assignment: ReviewAssignment):
    """The review sheet of an assignment already loaded; 404 while the reviewer has none."""
    return _visible(assignment.sheet)


def pool_entry(call: Call, entry_id: int) -> ReviewerPoolEntry:
    """A reviewer's place in the pool of a call already loaded for its officer."""
    return _visible(db.session.get(ReviewerPoolEntry, entry_id), lambda e: e.call_id == call.id)


def challenge_for_officer(challenge_id: int) -> Challenge:
    """A challenge (기피신청), for the officers who decide it."""
    return _visible(db.session.get(Challenge, challenge_id),
                    lambda c: review_access.can_manage_reviews(current_user, c.proposal.call))


# --- selection --------------------------------------------------------------------------------

def result_for_officer(result_id: int) -> Result:
    return _visible(db.session.get(Result, result_id),
                    lambda r: access.is_officer_for_call(current_user, r.proposal.call))


def objection_for_officer(objection_id: int) -> Objection:
    return _visible(db.session.get(Objection, objection_id),
                    lambda o: access.is_officer_for_call(current_user, o.proposal.call))


def objection_evidence(evidence_id: int) -> ObjectionEvidence:
    """An objection's evidence file: the consortium's people and the call's officers."""
    return _visible(db.session.get(ObjectionEvidence, evidence_id),
                    lambda e: access.can_view_consortium(current_user, e.objection.proposal.consortium)
                    or access.is_officer_for_call(current_user, e.objection.proposal.call))


# --- accounts and notices ---------------------------------------------------------------------

def account_for_admin(user_id: int) -> User:
    """Any account, on the administrator's pages."""
    return _visible(db.session.get(User, user_id), lambda u: current_user.has_role("admin"))


def outbox_message_for_admin(message_id: int) -> OutboxMessage:
    """A queued mail, in the administrator's development mail box."""
    return _visible(db.session.get(OutboxMessage, message_id), lambda m: current_user.has_role("admin"))


def programme(programme_id: int) -> Programme:
    """A programme: public, as its calls are."""
    return _visible(db.session.get(Programme, programme_id))


def colleague(user_id: int) -> User:
    """Someone whose membership of the user's organisation the user may confirm or refuse."""
    return _visible(db.session.get(User, user_id), lambda u: membership.may_decide(current_user, u))


def notification(notification_id: int) -> Notification:
    """One of the user's own notices."""
    return _visible(db.session.get(Notification, notification_id), lambda n: n.user_id == current_user.id)


# --- 발표평가 ---------------------------------------------------------------------------------

def presentation_stage(call: Call, stage_id: int):
    """A presentation stage of a call already loaded for its officer."""
    return _visible(stage_scope.stage_of(call, stage_id),
                    lambda s: s in presentation.presentation_stages(call))


def slot_for_officer(slot_id: int):
    """A 발표평가 slot on the officer pages of its call."""
    return _visible(db.session.get(PresentationSlot, slot_id),
                    lambda s: access.is_officer_for_call(current_user, s.proposal.call))


def slot_for_panel(slot_id: int):
    """A published slot, for the reviewers seated in its stage."""
    return _visible(db.session.get(PresentationSlot, slot_id),
                    lambda s: s.schedule in presentation.schedules_of_reviewer(current_user)
                    if review_access.is_reviewer(current_user) else False)


# --- panel building -------------------------------------------------------------------------

def evaluation_stage(call: Call, stage_id: int | None):
    """An evaluation stage of a call already loaded for its officer; the current one for None."""
    return _visible(stage_scope.stage_of(call, stage_id))


def panel_invitation(token: str):
    """An invitation to a stage's panel, for whoever holds its link (no login: the token is the key)."""
    from app.review import recruitment

    return _visible(recruitment.invitation_for_token(token))


# --- after the award --------------------------------------------------------------------------

def agreement(agreement_id: int) -> Agreement:
    """An agreement: the consortium's confirmed members and the call's officers."""
    return _visible(db.session.get(Agreement, agreement_id), lambda a: access.can_view_agreement(current_user, a))


def agreement_for_officer(agreement_id: int) -> Agreement:
    return _visible(db.session.get(Agreement, agreement_id), lambda a: access.is_officer_for_call(current_user, a.call))


def project(project_id: int) -> Project:
    """A project (과제): the consortium's confirmed members and the call's officers."""
    return _visible(db.session.get(Project, project_id), lambda p: access.can_view_project(current_user, p))


def report(project: Project, report_id: int) -> Report:
    """A report of a project already loaded (so already visible)."""
    return _visible(db.session.get(Report, report_id), lambda r: r.project_id == project.id)


def programme_for_officer(programme_id: int) -> Programme:
    return _visible(db.session.get(Programme, programme_id), lambda p: access.is_programme_officer(current_user, p))


def plan_change(project: Project, change_id: int) -> PlanChange:
    """A plan change of a project already loaded (so already visible)."""
    return _visible(db.session.get(PlanChange, change_id), lambda c: c.project_id == project.id)


def inspection(project: Project, inspection_id: int) -> Inspection:
    """An inspection of a project already loaded (so already visible)."""
    return _visible(db.session.get(Inspection, inspection_id), lambda i: i.project_id == project.id)


def inspection_action(inspection: Inspection, action_id: int) -> InspectionAction:
    return _visible(db.session.get(InspectionAction, action_id), lambda a: a.inspection_id == inspection.id)


# --- the call's Q&A board ---------------------------------------------------------------------

def public_call(code: str):
    """A call on its public pages: any call that is not a draft."""
    return _visible(call_listing.public_call(code))


def question(call, question_id: int):
    """A question of the call's board: a private one only for its asker and the call's officers."""
    return _visible(db.session.get(CallQuestion, question_id),
                    lambda q: q.call_id == call.id and access.can_view_question(current_user, q))


def question_for_officer(question_id: int):
    """A question on the officer's pages: the call's officers (and admins)."""
    return _visible(db.session.get(CallQuestion, question_id),
                    lambda q: access.is_officer_for_call(current_user, q.call))


# --- around the call: needs, capabilities, alliances and research groups -----------------------

def need(need_id: int):
    """A need (수요): public ones for everyone signed in, alliance-only ones for that alliance."""
    return _visible(db.session.get(Need, need_id), lambda n: access.can_view_listing(current_user, n))


def capability(capability_id: int):
    """A capability (공급 역량), on the same rule as a need."""
    return _visible(db.session.get(Capability, capability_id), lambda c: access.can_view_listing(current_user, c))


def alliance(alliance_id: int):
    """An alliance and its groups: its member organisations, its coordinators and admins."""
    return _visible(db.session.get(Alliance, alliance_id), lambda a: access.can_view_alliance(current_user, a))


def research_group(group_id: int):
    """A research group (연구회), for whoever sees its alliance."""
    return _visible(db.session.get(ResearchGroup, group_id),
                    lambda g: access.can_view_alliance(current_user, g.alliance))


def message_thread(thread_id: int):
    """A conversation between two organisations, for their people only."""
    return _visible(db.session.get(MessageThread, thread_id), lambda t: access.can_view_thread(current_user, t))


def task_candidate(task_id: int):
    """A task candidate (과제 후보), for whoever sees its group's alliance."""
    return _visible(db.session.get(TaskCandidate, task_id),
                    lambda t: access.can_view_alliance(current_user, t.group.alliance))


# --- 사업 설명회 ------------------------------------------------------------------------------

def info_session(code: str, info_session_id: int):
    """A session on its call's public pages: the call's code must match; a draft call's is hidden."""
    return _visible(db.session.get(InfoSession, info_session_id),
                    lambda s: s.call.code == code and access.can_see_info_session(current_user, s))


def info_session_for_officer(info_session_id: int):
    """A session on the officer pages of its call."""
    return _visible(db.session.get(InfoSession, info_session_id),
                    lambda s: access.can_run_info_sessions(current_user, s.call))


# --- jobs ------------------------------------------------------------------------------------

def job_for_owner(job_id: int):
    """A background job (app/jobs), for the person who started it only."""
    return _visible(db.session.get(Job, job_id),
                    lambda j: current_user.is_authenticated and j.owner_id == current_user.id)
