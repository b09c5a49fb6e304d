"""Officer console: eligibility screening of submitted proposals."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.web.officer import bp
from app.extensions import db
from app.web.loaders import call_for_officer, proposal_for_officer
from app.selection import bundle, screening
from app.proposals import snapshot
from app.selection.screening import ScreeningError
from forms.officer import ScreeningForm


@bp.route("/calls/<int:call_id>/screening")
@login_required
def screening_list(call_id: int):
    call = call_for_officer(call_id)
    rows = screening.queue(call)
    return render_template("officer/screening.html", call=call, rows=rows,
                           heads=bundle.version_heads(r.proposal.id for r in rows),
                           open_for_decisions=screening.open_for_decisions(call))


@bp.route("/proposals/<int:proposal_id>/screening", methods=["GET", "POST"])
@login_required
def screen_proposal(proposal_id: int):
    proposal = proposal_for_officer(proposal_id)
    decision = screening.decision_of(proposal)
    form = ScreeningForm(data={"status": decision.status, "reason": decision.reason} if decision else None)
    if form.validate_on_submit():
        try:
            screening.decide(proposal, current_user, form.status.data, form.reason.data)
        except ScreeningError as exc:
            db.session.rollback()
            form.status.errors = [*form.status.errors, exc.message]
        else:
            db.session.commit()
            flash(_("적격성 검토 결과를 저장했습니다."), "success")
            return redirect(url_for("officer.screening_list", call_id=proposal.call_id))
    version = snapshot.latest_version(proposal)
    return render_template("officer/screen_proposal.html", proposal=proposal, call=proposal.call, decision=decision,
                           checks=screening.automatic_checks(proposal), form=form, version=version,
                           files=(version.snapshot or {}).get("attachments", []) if version else []
                           ), 422 if form.errors else 200
