"""Who may do what to which object.

Every view goes through these functions; a view that loads an object and does not
ask here is a bug. They answer booleans. Objects are loaded by ``app.web.loaders``, which
answers 404 for an object the user may not see, whether it exists or not. A 403 is only
for what is not about seeing an object: ``require_role`` for a page without an object
that the user's role does not open, and ``require`` for an action on an object the user
sees but may not take.
"""
from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.models import Consortium, ConsortiumMember, Proposal, User
from app.models.calls import CallPhase
from app.models.consortia import MemberRole
from app.models.marketplace import AllianceMember, ListingState, ResearchGroup
from app.models.organisations import Role


def require(allowed: bool) -> None:
    """403: the user sees the object (or the page has none) but may not do this."""
    if not allowed:
        abort(403)


def require_role(*roles: str) -> None:
    """403 for a page without an object, such as a console's index, that none of the roles opens."""
    require(_authenticated(current_user) and current_user.has_role(*roles))


def _authenticated(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def is_officer_for_call(user, call) -> bool:
    if not _authenticated(user):
        return False
    if user.has_role("admin"):
        return True
    return user.has_role("officer") and user.acting_organisation_id == call.programme.agency_id


def consortium_ids_of(user: User) -> set[int]:
    """Consortia in which the user's organisation takes part, having accepted to."""
    if not _authenticated(user) or user.acting_organisation_id is None:
        return set()
    return set(
        db.session.scalars(
            select(ConsortiumMember.consortium_id).where(ConsortiumMember.organisation_id == user.acting_organisation_id,
                                                         ConsortiumMember.confirmed_at.is_not(None))
        )
    )


def can_view_consortium(user, consortium: Consortium) -> bool:
    """A listed organisation that has not accepted sees nothing of the consortium or its proposals:
    listing is the lead's doing, taking part is the member's."""
    return (_authenticated(user) and user.has_role("applicant")
            and user.acting_organisation_id in consortium.confirmed_org_ids())


def can_answer_invitation(user, member: ConsortiumMember) -> bool:
    """A confirmed applicant of the listed organisation accepts or declines for it."""
    return (_authenticated(user) and user.has_role("applicant") and user.acting_organisation_id is not None
            and user.acting_organisation_id == member.organisation_id and member.role != MemberRole.LEAD)


def can_manage_consortium(user, consortium: Consortium) -> bool:
    """Only people of the lead organisation change the consortium or its proposals."""
    return _authenticated(user) and user.has_role("applicant") and user.acting_organisation_id == consortium.lead_org_id


def can_view_proposal(user, proposal: Proposal) -> bool:
    if not _authenticated(user):
        return False
    if can_view_consortium(user, proposal.consortium):
        return True
    return is_officer_for_call(user, proposal.call)


def can_edit_proposal(user, proposal: Proposal) -> bool:
    return can_manage_consortium(user, proposal.consortium)


# --- the reviewer pool (app/review/profiles.py, bank.py, pool_search.py) --------------------

def can_search_pool(user) -> bool:
    """The candidate pool (후보단) is shared: officers of any agency, and admins, search and import it."""
    return _authenticated(user) and user.has_role(Role.OFFICER, Role.ADMIN)


def can_keep_sanctions(user) -> bool:
    """The sanctions list (app/review/sanctions.py) bars people from every agency's panels: officers and admins keep it."""
    return _authenticated(user) and user.has_role(Role.OFFICER, Role.ADMIN)


def can_read_bank_details(user) -> bool:
    """Bank details in full are for whoever pays honoraria; everyone else (the owner too) sees them masked."""
    return _authenticated(user) and user.has_role(Role.FINANCE)


# --- 평가수당 (app/review/honorarium_service.py) ---------------------------------------------

def is_finance_for_call(user, call) -> bool:
    """Finance of the call's agency pays its honoraria (closes the batches); admins may too."""
    if not _authenticated(user):
        return False
    if user.has_role(Role.ADMIN):
        return True
    return user.has_role(Role.FINANCE) and user.acting_organisation_id == call.programme.agency_id


def can_view_honoraria(user, call) -> bool:
    """The call's officers and its finance read every statement and download the batch."""
    return is_finance_for_call(user, call) or is_officer_for_call(user, call)


# --- 발표평가 (app/review/presentation.py) ------------------------------------------------

def can_run_presentation(user, call) -> bool:
    """The call's officers set the schedule, publish it and record attendance."""
    return is_officer_for_call(user, call)


def is_presentation_chair(user, schedule) -> bool:
    """Only the designated 위원장 writes the 종합의견."""
    return (_authenticated(user) and user.has_role("reviewer") and schedule.chair_id is not None
            and schedule.chair_id == user.id)


# --- after the award: agreements and projects (app/agreements, app/projects) ----------------

def can_view_agreement(user, agreement) -> bool:
    """The consortium's confirmed members and the call's officers."""
    return can_view_proposal(user, agreement.proposal)


def can_revise_plan(user, agreement) -> bool:
    """The lead revises the plan and submits it, as it drafted the proposal."""
    return can_manage_consortium(user, agreement.proposal.consortium)


def can_sign_for(user, signature) -> bool:
    """A party's signature: an applicant of that organisation in the consortium, or for the agency
    (which signs last) an officer of the call's agency. Admins do not sign for anyone."""
    if not _authenticated(user) or user.acting_organisation_id != signature.organisation_id:
        return False
    if signature.party == "agency":
        return user.has_role(Role.OFFICER)
    return user.has_role("applicant") and signature.organisation_id in signature.agreement.proposal.consortium.confirmed_org_ids()


def can_view_project(user, project) -> bool:
    if not _authenticated(user):
        return False
    return can_view_consortium(user, project.consortium) or is_officer_for_call(user, project.call)


def can_report_for(user, project) -> bool:
    """Reports and plan-change requests are the lead's, on behalf of the consortium."""
    return can_manage_consortium(user, project.consortium)


def is_project_officer(user, project) -> bool:
    """Reviews reports, records inspections and decides plan changes: the call's officers."""
    return is_officer_for_call(user, project.call)


def is_programme_officer(user, programme) -> bool:
    """The portfolio of a programme: its agency's officers (and admins)."""
    if not _authenticated(user):
        return False
    return user.has_role(Role.ADMIN) or (user.has_role(Role.OFFICER)
                                         and user.acting_organisation_id == programme.agency_id)


# --- around the call: needs, capabilities, alliances and research groups (app/market) -------

def alliance_ids_of(user) -> set[int]:
    """The alliances the user's organisation belongs to."""
    if not _authenticated(user) or user.acting_organisation_id is None:
        return set()
    return set(db.session.scalars(select(AllianceMember.alliance_id)
                                  .where(AllianceMember.organisation_id == user.acting_organisation_id)))


def coordinated_alliance_ids(user) -> set[int]:
    """The alliances of the research groups the user coordinates."""
    if not _authenticated(user):
        return set()
    return set(db.session.scalars(select(ResearchGroup.alliance_id).where(ResearchGroup.coordinator_id == user.id)))


def can_view_alliance(user, alliance) -> bool:
    """An alliance, its groups and their task candidates: its member organisations, the coordinators
    of its groups, and admins. Task candidates carry alliance-only needs, so outsiders see nothing."""
    if not _authenticated(user):
        return False
    return (user.has_role(Role.ADMIN) or alliance.id in alliance_ids_of(user)
            or alliance.id in coordinated_alliance_ids(user))


def can_view_listing(user, listing) -> bool:
    """A need or capability: public ones for everyone signed in, alliance-only ones for that alliance."""
    if not _authenticated(user):
        return False
    if listing.visibility != "alliance" or user.has_role(Role.ADMIN):
        return True
    if user.acting_organisation_id is not None and user.acting_organisation_id == listing.organisation_id:
        return True
    return listing.alliance_id in alliance_ids_of(user) | coordinated_alliance_ids(user)


def can_publish_need(user) -> bool:
    """Any applicant acting for an organisation publishes needs (a tenant firm, usually; a university's
    or a municipality's need is a need too)."""
    return _authenticated(user) and user.has_role("applicant") and user.acting_organisation_id is not None


def can_publish_capability(user) -> bool:
    """Capabilities are the AI/SW suppliers': an applicant acting for an organisation of that type."""
    return (can_publish_need(user) and user.organisation is not None
            and user.organisation.type == "ai_supplier")


def can_edit_listing(user, listing) -> bool:
    """The people of the owning organisation, and only they, edit it and change its state."""
    return (_authenticated(user) and user.has_role("applicant") and user.acting_organisation_id is not None
            and user.acting_organisation_id == listing.organisation_id)


def can_coordinate_group(user, group) -> bool:
    """The group's coordinator manages its members and task candidates; admins may too."""
    return _authenticated(user) and (user.has_role(Role.ADMIN) or
                                     (group.coordinator_id is not None and group.coordinator_id == user.id))


def can_manage_alliance(user, alliance) -> bool:
    """Alliance membership, the demand-survey import and the alliance's export: admins, and the
    coordinators of its groups."""
    return _authenticated(user) and (user.has_role(Role.ADMIN) or alliance.id in coordinated_alliance_ids(user))


# --- the call's Q&A board ---------------------------------------------------------------------

def can_view_question(user, question) -> bool:
    """A public question: anyone, signed in or not (like the call's page); a private one: its asker
    and the call's officers only."""
    if not question.is_private:
        return True
    return _authenticated(user) and (user.id == question.asker_id or is_officer_for_call(user, question.call))


# --- 사업 설명회 (app/calls/info_sessions.py) -----------------------------------------------------

def can_run_info_sessions(user, call) -> bool:
    """The call's officers create, change and cancel its sessions, tick attendance and upload slides."""
    return is_officer_for_call(user, call)


def can_see_info_session(user, session) -> bool:
    """A session of a published call, like the call's page: anyone; of a draft, its officers only."""
    return session.call.phase != CallPhase.DRAFT or is_officer_for_call(user, session.call)


# --- around the call: messages and consortia from task candidates (app/market/messaging.py, kickoff.py)

def can_view_thread(user, thread) -> bool:
    """A conversation: the confirmed people of its two organisations, nobody else (admins neither)."""
    return (_authenticated(user) and user.acting_organisation_id is not None
            and user.acting_organisation_id in (thread.from_org_id, thread.to_org_id))


def can_contact(user, listing) -> bool:
    """Someone acting for another organisation writes to a listing's owner while it is not closed."""
    return (_authenticated(user) and user.has_role("applicant") and user.acting_organisation_id is not None
            and user.acting_organisation_id != listing.organisation_id and listing.state != ListingState.CLOSED)


def can_start_consortium(user, task) -> bool:
    """An applicant acting for an organisation attached to the task candidate (a need's firm, a
    supplier), or the group's coordinator acting for theirs: that organisation leads the consortium."""
    if not _authenticated(user) or user.acting_organisation_id is None or not user.has_role("applicant"):
        return False
    attached = ({tn.need.organisation_id for tn in task.needs}
                | {ts.capability.organisation_id for ts in task.suppliers})
    return (user.acting_organisation_id in attached
            or (task.group.coordinator_id is not None and task.group.coordinator_id == user.id))
