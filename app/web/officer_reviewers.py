"""Officer console: the reviewer pool, assignment, review sheets and challenges (기피).

Every page acts on one call of the officer's own agency (admins: any call).
"""
from __future__ import annotations

from collections import Counter

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice
from app.web.officer import bp
from app.extensions import db
from app.models import ReviewAssignment
from app.models.review import ChallengeStatus
from app.review import assignment as assignment_service
from app.calls.stages import kind_label
from app.review import conflicts, review_sheets, reviewers, stage_scope
from app.core import clock
from app.web import flow
from app.web.loaders import assignment_for_officer, call_for_officer, challenge_for_officer, pool_entry, sheet_of
from forms.review import (
    AutoAssignForm, ChallengeDecisionForm, DueForm, InviteReviewerForm, ManualAssignForm, RemoveAssignmentForm,
    ReopenForm,
)


# --- pool ---------------------------------------------------------------------------


@bp.route("/calls/<int:call_id>/reviewers")
@login_required
def reviewers_pool(call_id: int):
    call = call_for_officer(call_id)
    return _pool_page(call, InviteReviewerForm())


def _pool_page(call, form, status: int = 200):
    entries = reviewers.pool(call)
    loads = reviewers.loads(call)
    submitted = Counter(s["reviewer"] for s in review_sheets.submitted_sheets(call))
    return render_template("officer/reviewers.html", call=call, entries=entries, loads=loads,
                           submitted=submitted, form=form), status


@bp.route("/calls/<int:call_id>/reviewers/invite", methods=["POST"])
@login_required
def reviewers_invite(call_id: int):
    call = call_for_officer(call_id)
    form = InviteReviewerForm()

    def invited(result) -> str:
        entry, created = result
        return (_("%(email)s 님을 평가위원으로 초대했습니다.", email=entry.user.email) +
                (" " + _("새 계정을 만들고 비밀번호 설정 링크를 보냈습니다.") if created else ""))

    return flow.post(form, lambda: reviewers.invite(call, email=form.email.data, name=form.name.data,
                                                    organisation_name=form.organisation_name.data,
                                                    department=form.department.data or "", actor=current_user),
                     page=lambda: _pool_page(call, form, 422), field=form.email, done=invited,
                     to=url_for("officer.reviewers_pool", call_id=call.id))


@bp.route("/calls/<int:call_id>/reviewers/<int:entry_id>/remove", methods=["POST"])
@login_required
def reviewers_remove(call_id: int, entry_id: int):
    call = call_for_officer(call_id)
    entry = pool_entry(call, entry_id)
    return flow.act(lambda: reviewers.remove(entry, current_user), done=_("평가위원 풀에서 뺐습니다."),
                    to=url_for("officer.reviewers_pool", call_id=call.id))


# --- assignment ---------------------------------------------------------------------


def _manual_form(call, proposals, entries, **kw) -> ManualAssignForm:
    form = ManualAssignForm(**kw)
    form.proposal_id.choices = [SelectChoice(p.id, f"{p.receipt_no or p.id} {p.title}") for p in proposals]
    form.reviewer_id.choices = [SelectChoice(e.user_id, f"{e.user.name} ({e.organisation_name})") for e in entries]
    return form


@bp.route("/calls/<int:call_id>/assignments")
@login_required
def assignments(call_id: int):
    call = call_for_officer(call_id)
    return _assignments_page(call)


def _assignments_page(call, *, manual=None, auto=None, status: int = 200):
    stage = stage_scope.current_stage(call)
    proposals = assignment_service.assignable_proposals(call, stage)
    entries = reviewers.pool(call)
    distinct = request.args.get("distinct") == "1"
    rows = assignment_service.assignments_of(call)
    by_proposal: dict[int, list[ReviewAssignment]] = {}
    for a in rows:
        by_proposal.setdefault(a.proposal_id, []).append(a)
    entry_by_user = {e.user_id: e for e in entries}
    return render_template(
        "officer/reviewers_assignments.html", call=call, proposals=proposals, by_proposal=by_proposal,
        exclusions=assignment_service.exclusions_by_proposal(call, proposals, distinct_organisations=distinct),
        notices=assignment_service.name_notices(call, proposals),
        settled=not review_sheets.may_change(call, stage=stage), stage=stage,
        stage_label=kind_label(stage.kind) if stage_scope.is_multi_stage(call) else None,
        entry_by_user=entry_by_user, loads=reviewers.loads(call), distinct=distinct,
        k=stage_scope.panel_size(stage), coi_labels=conflicts.COI_LABELS,
        manual=manual or _manual_form(call, proposals, entries),
        auto=auto or AutoAssignForm(), remove_form=RemoveAssignmentForm(), due_form=DueForm(),
        utc_to_kst_naive=clock.to_kst_wall,
    ), status


@bp.route("/calls/<int:call_id>/assignments/auto", methods=["POST"])
@login_required
def assignments_auto(call_id: int):
    call = call_for_officer(call_id)
    form = AutoAssignForm()
    if not form.validate_on_submit():
        return _assignments_page(call, auto=form, status=422)
    try:
        result = assignment_service.auto_assign(call, current_user,
                                                distinct_organisations=form.distinct_organisations.data,
                                                due_at=clock.from_kst_wall(form.due_at.data))
    except assignment_service.AssignmentError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("officer.assignments", call_id=call.id), 303)
    db.session.commit()
    flash(_("%(n)s건을 자동 배정했습니다.", n=len(result.created)), "success")
    if result.shortfall:
        flash(_("평가위원이 부족한 신청서가 %(n)s건 있습니다. 평가위원을 더 초대하십시오.", n=len(result.shortfall)),
              "error")
    return redirect(url_for("officer.assignments", call_id=call.id), 303)


@bp.route("/calls/<int:call_id>/assignments/manual", methods=["POST"])
@login_required
def assignments_manual(call_id: int):
    call = call_for_officer(call_id)
    proposals = assignment_service.assignable_proposals(call)
    form = _manual_form(call, proposals, reviewers.pool(call))
    return flow.post(
        form, lambda: assignment_service.assign(call, next(p for p in proposals if p.id == form.proposal_id.data),
                                                form.reviewer_id.data, current_user,
                                                due_at=clock.from_kst_wall(form.due_at.data)),
        page=lambda: _assignments_page(call, manual=form, status=422), field=form.reviewer_id,
        done=_("배정했습니다."), to=url_for("officer.assignments", call_id=call.id))


@bp.route("/assignments/<int:assignment_id>/remove", methods=["POST"])
@login_required
def assignment_remove(assignment_id: int):
    a = assignment_for_officer(assignment_id)
    form = RemoveAssignmentForm()
    if not form.validate_on_submit():
        flash(_("배정 해제 사유를 입력하십시오."), "error")
        return redirect(url_for("officer.assignments", call_id=a.call_id), 303)
    return flow.act(lambda: assignment_service.remove(a, current_user, form.reason.data),
                    done=lambda replaced: _("배정을 해제했습니다.") + " " + (
                        _("다른 평가위원을 배정했습니다.") if replaced else _("대신 배정할 평가위원이 없습니다.")),
                    to=url_for("officer.assignments", call_id=a.call_id))


@bp.route("/assignments/<int:assignment_id>/due", methods=["POST"])
@login_required
def assignment_due(assignment_id: int):
    a = assignment_for_officer(assignment_id)
    form = DueForm()
    if not form.validate_on_submit():
        flash(_("날짜와 시각을 확인하십시오."), "error")
        return redirect(url_for("officer.assignments", call_id=a.call_id), 303)
    return flow.act(lambda: assignment_service.set_due(a, current_user, clock.from_kst_wall(form.due_at.data)),
                    done=_("평가 마감을 바꿨습니다."), to=url_for("officer.assignments", call_id=a.call_id))


# --- sheets -------------------------------------------------------------------------


@bp.route("/assignments/<int:assignment_id>/sheet")
@login_required
def sheet_view(assignment_id: int):
    a = assignment_for_officer(assignment_id)
    return _sheet_page(a, ReopenForm())


def _sheet_page(a, form, status: int = 200):
    sheet = a.sheet
    crit = review_sheets.criteria(a)
    total = review_sheets.total(a, sheet.points or {}) if sheet else 0
    return render_template("officer/reviewers_sheet.html", a=a, sheet=sheet, criteria=crit,
                           total=review_sheets.display(total) if sheet else "",
                           max_total=review_sheets.display(review_sheets.max_total(a)),
                           form=form, entry=reviewers.entry_for(a.call, a.reviewer_id),
                           settled=not review_sheets.may_change(a.call, a)), status


@bp.route("/assignments/<int:assignment_id>/sheet/reopen", methods=["POST"])
@login_required
def sheet_reopen(assignment_id: int):
    a = assignment_for_officer(assignment_id)
    sheet = sheet_of(a)
    form = ReopenForm()
    return flow.post(form, lambda: review_sheets.reopen(sheet, current_user, form.reason.data),
                     page=lambda: _sheet_page(a, form, 422), field=form.reason,
                     done=_("평가표를 재개했습니다. 평가위원이 다시 수정하여 제출할 수 있습니다."),
                     to=url_for("officer.sheet_view", assignment_id=a.id))


# --- challenges (기피) --------------------------------------------------------------


def _decision_form(challenge, **kw) -> ChallengeDecisionForm:
    form = ChallengeDecisionForm(prefix=f"c{challenge.id}", **kw)
    matches = {m.id for m in conflicts.matching_assignments(challenge)}
    form.assignment_id.choices = [SelectChoice(0, _("선택"))] + [
        SelectChoice(a.id, f"{a.reviewer.name} ({_entry_org(a)})" + (" — " + _("신청 내용과 일치") if a.id in matches else ""))
        for a in conflicts.live_assignments(challenge.proposal)
    ]
    return form


def _entry_org(a) -> str:
    e = reviewers.entry_for(a.call, a.reviewer_id)
    return e.organisation_name if e else ""


@bp.route("/calls/<int:call_id>/challenges")
@login_required
def challenges(call_id: int):
    call = call_for_officer(call_id)
    return _challenges_page(call)


def _challenges_page(call, failed: ChallengeDecisionForm | None = None, failed_id: int | None = None,
                     status: int = 200):
    items = conflicts.challenges_for_call(call)
    forms = {c.id: (failed if c.id == failed_id else _decision_form(c)) for c in items if c.status == ChallengeStatus.PENDING}
    return render_template("officer/reviewers_challenges.html", call=call, items=items, forms=forms,
                           labels=conflicts.CHALLENGE_LABELS), status


@bp.route("/challenges/<int:challenge_id>/decide", methods=["POST"])
@login_required
def challenge_decide(challenge_id: int):
    c = challenge_for_officer(challenge_id)
    call = c.proposal.call
    form = _decision_form(c)

    def decide():
        if form.decision.data != "uphold":
            return conflicts.reject(c, current_user, form.reason.data)
        # Only a seat offered on the form: any other number, however large, is "none chosen".
        target = next((a for a in conflicts.live_assignments(c.proposal) if a.id == form.assignment_id.data), None)
        if target is None:
            raise conflicts.ConflictError(_("인용하려면 배제할 평가위원을 고르십시오."), field="assignment_id")
        return conflicts.uphold(c, current_user, target, form.reason.data)

    return flow.post(form, decide, page=lambda: _challenges_page(call, form, c.id, 422), field=form.reason,
                     done=_("기피신청을 처리했습니다."), to=url_for("officer.challenges", call_id=call.id))


def pending_challenges(call) -> int:
    """For the officer's dashboard: challenges awaiting a decision."""
    return sum(1 for c in conflicts.challenges_for_call(call) if c.status == ChallengeStatus.PENDING)
