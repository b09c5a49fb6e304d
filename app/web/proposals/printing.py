"""A submitted version as PDF, the comparison of two versions, and withdrawing with a confirmation step.

The PDF is typeset from the frozen snapshot (app/proposals/pdf.py): whoever sees the proposal's
own pages reads it here, and a reviewer reads it through their assignment once they have
pledged no conflict, like the proposal page of the review.
"""
from __future__ import annotations

import io

from flask import render_template, request, send_file
from flask_login import current_user, login_required

from app.web.proposals import bp
from app.web.proposals.submission import require_edit
from app.web import loaders
from app.access import require
from app.calls import deadline
from app.proposals import diff, pdf, snapshot
from app.proposals.drafts import SOURCE_LABELS, STATUS_LABELS
from app.review import review_access
from forms.submission import WithdrawForm


def _send_pdf(version):
    resp = send_file(io.BytesIO(pdf.render(version)), mimetype="application/pdf", as_attachment=False,
                     download_name=pdf.filename(version))
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


@bp.route("/proposals/<int:proposal_id>/versions/<int:number>/pdf")
@login_required
def version_pdf(proposal_id: int, number: int):
    proposal = loaders.proposal(proposal_id)
    return _send_pdf(loaders.version(proposal, number))


@bp.route("/review/a/<int:assignment_id>/proposal.pdf")
@login_required
def review_pdf(assignment_id: int):
    a = loaders.assignment_for_reviewer(assignment_id)
    require(review_access.can_open_proposal(current_user, a))
    return _send_pdf(loaders.version(a.proposal))


def _number(name: str, default: int) -> int:
    value = request.args.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else default


@bp.route("/proposals/<int:proposal_id>/versions/diff")
@login_required
def versions_diff(proposal_id: int):
    proposal = loaders.proposal(proposal_id)
    heads = snapshot.versions_of(proposal)
    numbers = [v.number for v, _name in heads]
    if len(numbers) < 2:
        return render_template("proposals/diff.html", proposal=proposal, numbers=numbers, result=None,
                               old=None, new=None, status_labels=STATUS_LABELS)
    new_n = _number("to", numbers[0])
    old_n = _number("from", next((n for n in numbers if n < new_n), numbers[-1]))
    old, new = loaders.version(proposal, old_n), loaders.version(proposal, new_n)
    return render_template("proposals/diff.html", proposal=proposal, numbers=numbers, old=old, new=new,
                           result=diff.compare(old.snapshot, new.snapshot), source_labels=SOURCE_LABELS,
                           status_labels=STATUS_LABELS)


@bp.route("/proposals/<int:proposal_id>/withdraw/confirm")
@login_required
def withdraw_confirm(proposal_id: int):
    """What withdrawing does, and the button that does it: nothing changes until it is pressed."""
    proposal = loaders.proposal(proposal_id)
    require_edit(proposal)
    return render_template("proposals/withdraw.html", proposal=proposal, version=snapshot.latest_version(proposal),
                           form=WithdrawForm(), writable=deadline.writable(proposal), status_labels=STATUS_LABELS)
