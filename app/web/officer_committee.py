"""Officer console: the call's 심의위원회 (selection committee).

One page: the members (named by their portal account's e-mail, with a role, and each one's
conflicts shown beside the name), the meeting (schedule, open, attendance, the vote grid of
present members × proposed selections, close with a confirmation), past meetings with their
resolutions and minutes. The officer records the votes as they are cast in the room; every
form posts through ``flow.post`` to the services of app/selection/committee*.py.
"""
from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core import clock
from app.selection import committee, committee_meetings, committee_minutes
from app.web import flow
from app.web.documents import send_document
from app.web.loaders import call_for_officer
from app.web.officer import bp
from forms.committee import (
    ActionForm, AttendanceForm, CloseForm, MeetingForm, MemberForm, RemoveMemberForm, VotesForm,
)


def _grid(call, meeting):
    """The vote grid's rows (present members), columns (proposed selections) and conflicted cells."""
    if meeting is None or meeting.opened_at is None:
        return [], [], {}
    present = committee.present_members(meeting)
    selection = committee.proposed_selection(call)
    clash = committee.conflicts(call, present, [r.proposal for r in selection])
    return present, selection, clash


def _page(call, status: int = 200, **forms):
    meeting = committee.current_meeting(call)
    present, selection, clash = _grid(call, meeting)
    if "meeting_form" not in forms and meeting is not None and meeting.opened_at is None:
        forms["meeting_form"] = MeetingForm(formdata=None, scheduled_at=clock.to_kst_wall(meeting.scheduled_at),
                                            place=meeting.place)
    return render_template(
        "officer/committee.html", call=call, members=committee.members(call),
        member_conflicts=committee.member_conflicts(call), meeting=meeting,
        quorum=committee.quorum(meeting) if meeting is not None and meeting.opened_at else None,
        present=present, selection=selection if meeting is not None else committee.proposed_selection(call),
        clash=clash, votes={(v.member_id, v.proposal_id): v.choice for v in meeting.votes} if meeting else {},
        past=[m for m in committee.meetings(call) if m.closed_at is not None][::-1],
        state=committee.state(call), role_labels=committee.ROLE_LABELS, choice_labels=committee.CHOICE_LABELS,
        max_members=committee.MAX_MEMBERS,
        member_form=forms.get("member_form") or MemberForm(formdata=None),
        remove_form=forms.get("remove_form") or RemoveMemberForm(formdata=None),
        meeting_form=forms.get("meeting_form") or MeetingForm(formdata=None),
        action_form=ActionForm(formdata=None),
        attendance_form=forms.get("attendance_form") or AttendanceForm(formdata=None),
        votes_form=forms.get("votes_form") or VotesForm(formdata=None),
        close_form=forms.get("close_form") or CloseForm(formdata=None),
    ), status


def _here(call) -> str:
    return url_for("officer.committee", call_id=call.id)


@bp.route("/calls/<int:call_id>/committee", endpoint="committee")
@login_required
def committee_page(call_id: int):
    return _page(call_for_officer(call_id))


@bp.route("/calls/<int:call_id>/committee/members", methods=["POST"])
@login_required
def committee_member_add(call_id: int):
    call = call_for_officer(call_id)
    form = MemberForm()
    return flow.post(form, lambda: committee.add_member(call, current_user, form.email.data, form.role.data),
                     page=lambda: _page(call, 422, member_form=form),
                     done=lambda m: _("%(name)s 님을 심의위원으로 위촉했습니다.", name=m.user.name), to=_here(call))


@bp.route("/calls/<int:call_id>/committee/members/remove", methods=["POST"])
@login_required
def committee_member_remove(call_id: int):
    call = call_for_officer(call_id)
    form = RemoveMemberForm()
    return flow.post(form, lambda: committee.remove_member(call, current_user, form.member),
                     page=lambda: _page(call, 422, remove_form=form), field=form.member_id,
                     done=lambda m: _("%(name)s 님을 심의위원에서 해촉했습니다.", name=m.user.name), to=_here(call))


@bp.route("/calls/<int:call_id>/committee/meeting", methods=["POST"])
@login_required
def committee_schedule(call_id: int):
    call = call_for_officer(call_id)
    form = MeetingForm()
    return flow.post(form, lambda: committee_meetings.schedule(
        call, current_user, clock.from_kst_wall(form.scheduled_at.data), form.place.data),
        page=lambda: _page(call, 422, meeting_form=form), field=form.place,
        done=lambda m: _("제%(n)d차 회의 일정을 저장했습니다.", n=m.number), to=_here(call))


@bp.route("/calls/<int:call_id>/committee/meeting/open", methods=["POST"])
@login_required
def committee_open(call_id: int):
    call = call_for_officer(call_id)  # CSRF is checked for every post (app.extensions.csrf)
    return flow.act(lambda: committee_meetings.open_meeting(call, current_user),
                    done=lambda m: _("제%(n)d차 회의를 열었습니다. 출석을 기록하십시오.", n=m.number), to=_here(call))


@bp.route("/calls/<int:call_id>/committee/meeting/attendance", methods=["POST"])
@login_required
def committee_attendance(call_id: int):
    call = call_for_officer(call_id)
    form = AttendanceForm()
    return flow.post(form, lambda: committee_meetings.record_attendance(call, current_user, form.ids()),
                     page=lambda: _page(call, 422, attendance_form=form), field=form.present,
                     done=_("출석을 기록했습니다."), to=_here(call))


@bp.route("/calls/<int:call_id>/committee/meeting/votes", methods=["POST"])
@login_required
def committee_votes(call_id: int):
    call = call_for_officer(call_id)
    form = VotesForm()
    meeting = committee.current_meeting(call)
    present, selection, _clash = _grid(call, meeting)
    cells = [(m.id, r.proposal_id) for m in present for r in selection]

    def record():
        return committee_meetings.record_votes(call, current_user, form.cast(request.form, cells))

    return flow.post(form, record, page=lambda: _page(call, 422, votes_form=form), field=None,
                     done=_("표결을 기록했습니다."), to=_here(call))


@bp.route("/calls/<int:call_id>/committee/meeting/close", methods=["POST"])
@login_required
def committee_close(call_id: int):
    call = call_for_officer(call_id)
    form = CloseForm()
    return flow.post(form, lambda: committee_meetings.close_meeting(call, current_user),
                     page=lambda: _page(call, 422, close_form=form), field=form.confirm,
                     done=lambda m: _("제%(n)d차 회의를 마쳤습니다. 회의록이 만들어졌습니다.", n=m.number), to=_here(call))


@bp.route("/calls/<int:call_id>/committee/minutes/<int:number>")
@login_required
def committee_minutes_download(call_id: int, number: int):
    call = call_for_officer(call_id)
    meeting = committee.meeting_of(call, number)
    if meeting is None or not meeting.minutes_storage_key:
        abort(404)
    return send_document(committee_minutes.key(meeting), committee_minutes.filename(call, meeting), "pdf",
                         f"committee minutes {meeting.id}")
