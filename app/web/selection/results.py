"""Officer console: the ranking, each proposal's explanation, and selection overrides.

Before computing, the ranking page lists the sheets still missing (each with a form to
leave it out, with a reason) and the panels short of the call's size.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.web.officer import bp
from app import jobs
from app.extensions import db
from app.models.jobs import JobState
from app.web.loaders import assignment_for_officer, call_for_officer, result_for_officer
from app.review import stage_scope
from app.selection import committee, decisions, outcomes, readiness, result_jobs, results, stage_results
from app.selection.reasons import reason_text
from app.web.selection import ranking_cache
from app.selection.readiness import ReadinessError
from app.selection.results import ResultsError
from app.calls.stages import kind_label
from scoring.stage_text import stage_name
from forms.officer import OverrideForm
from forms.results import ComputeForm, LeaveOutForm


@bp.context_processor
def decide_helpers():
    # The dashboard offers "decide" only when the results are computed and not stale.
    return {"decide_blocker": decisions.decide_blocker, "committee_blocker": committee.decision_blocker}


def _ranking_page(call, leave_out_forms=None, status: int = 200):
    current = stage_scope.current_stage(call)
    shown = stage_scope.stage_of(call, request.args.get("stage", type=int)) or current
    ready = readiness.check(call, stage=current) if results.may_compute(call) else None
    forms = {m.assignment_id: LeaveOutForm.of(m.assignment_id) for m in (ready.missing if ready else [])}
    forms.update(leave_out_forms or {})
    last = stage_scope.is_last(current)
    computed = decisions.results_computed(call) if last else current.computed_at is not None
    multi = stage_scope.is_multi_stage(call)
    final = stage_scope.is_last(shown)
    columns = [stage_results.label(s) for s in stage_scope.evaluation_stages(call)] if multi else []
    criteria = [] if multi else results.criteria_labels(call, _locale())
    return render_template(
        "officer/ranking.html", call=call, criteria=criteria, stage_columns=columns,
        ranking_body=ranking_cache.ranking_body(call, columns, criteria, _locale()) if final else None,
        stats=(results.reviewer_statistics(call) if final else list(shown.reviewer_stats or [])),
        reviewer_names=outcomes.reviewer_names(call),
        compute_form=ComputeForm(), can_compute=ready is not None, ready=ready, leave_out_forms=forms,
        left_out=readiness.left_out_sheets(call), stages=stage_scope.evaluation_stages(call) if multi else [],
        current=current, shown=shown, stage_rows=[] if final else stage_results.stage_rows(shown, str(get_locale())),
        may_confirm=stage_results.may_confirm(current) and shown is current,
        kind_label=kind_label, stage_name=lambda name: stage_name(name, _locale()), reason_text=reason_text,
        stale=ready is not None and computed and readiness.is_stale(call, ready, current),
        computed=computed, job=jobs.latest(current_user, result_jobs.COMPUTE, call.id) if ready else None,
    ), status


@bp.route("/calls/<int:call_id>/results")
@login_required
def ranking(call_id: int):
    return _ranking_page(call_for_officer(call_id))


@bp.route("/calls/<int:call_id>/results/compute", methods=["POST"])
@login_required
def compute_results(call_id: int):
    """Start the computation as a job (app/selection/result_jobs.py): the engine runs in a worker."""
    call = call_for_officer(call_id)
    form = ComputeForm()
    if not form.validate_on_submit():
        abort(400)
    acknowledge = bool(form.acknowledge_short.data)
    try:
        results.check_computable(call, acknowledge_short=acknowledge)
        job = jobs.start(result_jobs.COMPUTE, current_user, {
            "acknowledge_short": acknowledge, "back": url_for("officer.ranking", call_id=call.id)}, call_id=call.id)
    except ResultsError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("officer.ranking", call_id=call_id))
    db.session.commit()
    job = jobs.hand_over(job)
    if job.state == JobState.DONE:  # run in this process (no worker): done already
        flash(job.message, "success")
    elif job.state == JobState.FAILED:
        flash(job.error, "error")
    else:
        flash(_("결과 산출을 시작했습니다. 끝나면 이 페이지에서 결과를 볼 수 있습니다."), "success")
        return redirect(url_for("jobs.show", job_id=job.id))
    return redirect(url_for("officer.ranking", call_id=call_id))


@bp.route("/results/sheets/<int:assignment_id>/leave-out", methods=["POST"])
@login_required
def leave_out_sheet(assignment_id: int):
    assignment = assignment_for_officer(assignment_id)
    call = call_for_officer(assignment.call_id)
    form = LeaveOutForm.of(assignment.id)
    if form.validate_on_submit():
        try:
            readiness.leave_out(call, assignment, current_user, form.reason.data)
        except ReadinessError as exc:
            db.session.rollback()
            form.reason.errors = [*form.reason.errors, exc.message]
        else:
            db.session.commit()
            flash(_("평가표를 결과 산출에서 제외했습니다. 제외 사유가 기록되었습니다."), "success")
            return redirect(url_for("officer.ranking", call_id=call.id))
    return _ranking_page(call, {assignment.id: form}, 422)


@bp.route("/results/<int:result_id>", methods=["GET", "POST"])
@login_required
def result_detail(result_id: int):
    result = result_for_officer(result_id)
    call = result.proposal.call
    form = OverrideForm(data={"selected": "1" if result.selected else "0"})
    if form.validate_on_submit():
        try:
            results.override(result, current_user, form.selected.data == "1", form.reason.data)
        except ResultsError as exc:
            db.session.rollback()
            form.reason.errors = [*form.reason.errors, exc.message]
        else:
            db.session.commit()
            flash(_("선정 여부를 변경했습니다. 변경 사유가 기록되었습니다."), "success")
            return redirect(url_for("officer.ranking", call_id=call.id))
    return render_template("officer/result_detail.html", call=call, result=result, form=form,
                           outcome=outcomes.named_for_officer(outcomes.final_outcome(result, _locale()), call),
                           evaluators=outcomes.evaluators_of(call, result.proposal),
                           left_out=readiness.left_out_of(result.proposal),
                           criteria=outcomes.criteria_of(call, result.proposal, _locale()),
                           can_override=results.may_override(call), reason_text=reason_text), \
        422 if form.errors else 200


def _locale() -> str:
    return "en" if str(get_locale()) == "en" else "ko"
