"""Starting a consortium from a task candidate, and suggestions on the marketplace and proposal pages."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import access
from app.market import kickoff, listings, suggestion_jobs
from app.web import flow, loaders
from app.web.market import bp
from forms.market_messages import RefreshForm, StartConsortiumForm


@bp.app_template_global("market_suggestions")
def market_suggestions(listing, kind: str):
    """For a listing's page: the other side's best matches the viewer may see (need → suppliers),
    as last computed by a job (app/market/suggestion_jobs.py): the web process never ranks."""
    which = suggestion_jobs.SUPPLIERS if kind == "need" else suggestion_jobs.NEEDS
    return suggestion_jobs.shown(which, listing, current_user, refresh_stale=request.method == "GET")


@bp.app_template_global("market_can")
def market_can(what: str, obj=None) -> bool:
    """For the marketplace's templates (macros imported without context too): may the viewer …"""
    if what == "inbox":
        return current_user.is_authenticated and current_user.has_role("applicant")
    return {"contact": access.can_contact, "start": access.can_start_consortium}[what](current_user, obj)


@bp.route("/tasks/<int:task_id>/consortium", methods=["GET", "POST"])
@login_required
def task_start(task_id: int):
    task = loaders.task_candidate(task_id)
    access.require(access.can_start_consortium(current_user, task))
    calls = kickoff.calls_to_choose()
    form = StartConsortiumForm().configure(calls, listings.complexes())
    if request.method == "GET" and not form.name.data:
        form.name.data = task.title

    def page(status: int):
        return render_template("market/task_start.html", task=task, form=form, calls=calls,
                               attached=kickoff.attached(task)), status

    if request.method == "GET":
        return page(200)
    chosen = {str(c.id): c for c in calls}

    def start():
        complex_id = form.complex_id.data
        return kickoff.start(task, current_user, chosen.get(form.call_id.data), form.name.data,
                             int(complex_id) if complex_id and complex_id.isdigit() else None)

    return flow.post(form, start, page=lambda: page(422),
                     done=_("컨소시엄과 신청서 초안을 만들었습니다. 참여기관이 참여를 확인해야 컨소시엄에 포함됩니다."),
                     to=lambda proposal: url_for("proposals.show", proposal_id=proposal.id))


@bp.route("/proposals/<int:proposal_id>/members")
@login_required
def proposal_members(proposal_id: int):
    proposal = loaders.proposal_for_member(proposal_id)
    return render_template("market/members.html", proposal=proposal,
                           suggested=suggestion_jobs.shown(suggestion_jobs.MEMBERS, proposal, current_user))


@bp.route("/suggestions/<which>/<int:subject_id>/refresh", methods=["POST"])
@login_required
def suggestions_refresh(which: str, subject_id: int):
    """Compute the viewer's suggestions for a listing or a draft proposal again, by a job."""
    if which == suggestion_jobs.MEMBERS:
        subject = loaders.proposal_for_member(subject_id)
        back = url_for("market.proposal_members", proposal_id=subject.id)
    elif which == suggestion_jobs.SUPPLIERS:
        subject = loaders.need(subject_id)
        back = url_for("market.need", need_id=subject.id)
    elif which == suggestion_jobs.NEEDS:
        subject = loaders.capability(subject_id)
        back = url_for("market.capability", capability_id=subject.id)
    else:
        abort(404)
    if not RefreshForm().validate_on_submit():
        abort(400)
    job = suggestion_jobs.refresh(which, subject, current_user)
    if not job.finished:
        flash(_("추천 목록을 다시 계산하고 있습니다. 잠시 후 이 페이지를 새로 고치십시오."), "success")
    return redirect(back)
