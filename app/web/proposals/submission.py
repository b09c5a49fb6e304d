"""Submitting, withdrawing and resubmitting; receipts and frozen versions."""
from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.routing import BuildError

from app.web.proposals import bp
from app.extensions import db
from app.models import Proposal
from app import access
from app.web import loaders
from app.calls import deadline
from app.proposals import attachments as files
from app.proposals import sections, snapshot, submission, validation
from app.proposals.consortia import ROLE_LABELS
from app.proposals.drafts import SOURCE_LABELS, STATUS_LABELS
from forms.submission import SubmitForm, WithdrawForm


def require_edit(proposal: Proposal) -> None:
    """403: whoever sees the proposal (a member, the call's officer) but does not lead its consortium."""
    access.require(access.can_edit_proposal(current_user, proposal))


def respond_closed(exc: deadline.ClosedError, back: str):
    """A write refused by the deadline: nothing changed; say why."""
    db.session.rollback()
    if request.is_json or request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json":
        return jsonify(error=str(exc.message)), 409
    flash(str(exc.message), "error")
    return redirect(back, 303)


def section_url(proposal_id: int, section: str, field: str = "") -> str | None:
    """Where the applicant fixes a problem; None while the section page does not exist."""
    if section == "attachments":
        anchor = {"_anchor": f"kind-{field}"} if field else {}
        return url_for("proposals.attachments", proposal_id=proposal_id, **anchor)
    if section == validation.CONSORTIUM:
        return url_for("proposals.consortium", consortium_id=db.session.get(Proposal, proposal_id).consortium_id)
    anchor = {"_anchor": field} if field else {}
    try:
        return url_for("proposals.section", proposal_id=proposal_id, section=section, check=1, **anchor)
    except BuildError:
        return None


@bp.route("/proposals/<int:proposal_id>/submit", methods=["GET", "POST"])
@login_required
def submit(proposal_id: int):
    # A POST need not load everything: submission.submit reloads it all under the row lock.
    proposal = loaders.proposal(proposal_id, full=request.method == "GET")
    require_edit(proposal)
    form = SubmitForm()
    status = 200
    report = None
    if request.method == "POST":
        back = url_for("proposals.submit", proposal_id=proposal.id)
        try:
            deadline.ensure_writable(proposal)
        except deadline.ClosedError as exc:
            return respond_closed(exc, back)
        if form.validate_on_submit():
            try:
                version = submission.submit(proposal, current_user)
            except deadline.ClosedError as exc:
                return respond_closed(exc, back)
            except submission.SubmissionRefused as exc:
                db.session.rollback()
                report, status = exc.report, 422
            else:
                # Read before the commit expires them: reloading the proposal afterwards would
                # run every eager load it was locked with again (~17 queries per submission).
                number, receipt_no = version.number, version.receipt_no
                db.session.commit()
                if number == 1:
                    flash(_("신청서가 접수되었습니다. 접수번호는 %(no)s입니다.", no=receipt_no), "success")
                else:
                    flash(_("신청서를 다시 제출했습니다(제%(n)d판). 접수번호 %(no)s는 그대로입니다.",
                            n=number, no=receipt_no), "success")
                return redirect(url_for("proposals.receipt", proposal_id=proposal_id), 303)
        else:
            status = 422
    if report is None:
        report = validation.validate_for_submission(proposal)
    return render_template(
        "proposals/submit.html", proposal=proposal, call=proposal.call, report=report, form=form,
        withdraw_form=WithdrawForm(), writable=deadline.writable(proposal),
        budget=snapshot.frozen_budget(proposal), section_url=section_url,
        section_labels={validation.CONSORTIUM: _("컨소시엄"), **sections.labels(proposal.call, str(get_locale()))},
        source_labels=SOURCE_LABELS,
        status_labels=STATUS_LABELS, required_local=validation.eok_exact(validation.required_local(proposal)),
        site_label=sections.site_label(proposal.call, str(get_locale())),
    ), status


@bp.route("/proposals/<int:proposal_id>/withdraw", methods=["POST"])
@login_required
def withdraw(proposal_id: int):
    proposal = loaders.proposal(proposal_id)
    require_edit(proposal)
    back = url_for("proposals.submit", proposal_id=proposal.id)
    if not WithdrawForm().validate_on_submit():
        abort(400)
    try:
        version = submission.withdraw(proposal, current_user)
    except deadline.ClosedError as exc:
        return respond_closed(exc, back)
    except submission.WithdrawalRefused as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(back, 303)
    db.session.commit()
    flash(_("신청서(접수번호 %(no)s)를 철회했습니다. 마감 전까지 다시 제출할 수 있으며, 제출했던 판은 계속 볼 수 있습니다.",
            no=version.receipt_no), "success")
    return redirect(back, 303)


@bp.route("/proposals/<int:proposal_id>/receipt")
@login_required
def receipt(proposal_id: int):
    proposal = loaders.proposal(proposal_id)
    version = loaders.version(proposal)
    return render_template("proposals/receipt.html", proposal=proposal, version=version, snap=version.snapshot,
                           status_labels=STATUS_LABELS, **_frozen_labels(version.snapshot))


@bp.route("/proposals/<int:proposal_id>/versions")
@login_required
def versions(proposal_id: int):
    proposal = loaders.proposal(proposal_id)
    return render_template("proposals/versions.html", proposal=proposal, versions=snapshot.versions_of(proposal),
                           status_labels=STATUS_LABELS)


@bp.route("/proposals/<int:proposal_id>/versions/<int:number>")
@login_required
def version(proposal_id: int, number: int):
    proposal = loaders.proposal(proposal_id)
    found = loaders.version(proposal, number)
    return render_template("proposals/version.html", proposal=proposal, version=found, snap=found.snapshot,
                           live_attachments=files.live_keys(proposal), source_labels=SOURCE_LABELS,
                           role_labels=ROLE_LABELS, **_frozen_labels(found.snapshot))


def _frozen_labels(snap: dict) -> dict:
    """A version reads with the words its call had when it was submitted."""
    locale = str(get_locale())
    return {"pages": sections.frozen_pages(snap, locale), "section_labels": sections.frozen_labels(snap, locale),
            "site_label": sections.frozen_site_label(snap, locale)}
