"""Signing the issued agreement: the party's authorised person, re-authenticated, in order."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import access
from app.accounts import totp
from app.agreements import document, revision, signing
from app.agreements.signing import SigningRefused
from app.extensions import db
from app.models.agreements import AgreementStatus
from app.web.agreements import bp
from app.web.loaders import agreement as load_agreement
from forms.agreements import SignForm


def _page(agreement, form, signature, status: int = 200):
    return render_template("agreements/sign.html", agreement=agreement, proposal=agreement.proposal, form=form,
                           signature=signature, party_label=document.party_label,
                           status_label=revision.status_label, needs_code=totp.is_enabled(current_user)), status


@bp.route("/<int:agreement_id>/sign", methods=["GET", "POST"])
@login_required
def sign(agreement_id: int):
    agreement = load_agreement(agreement_id)
    if agreement.status != AgreementStatus.SIGNING:
        flash(_("서명할 수 있는 협약서가 아닙니다."), "error")
        if request.method == "GET":
            return redirect(url_for("agreements.show", agreement_id=agreement.id), 303)
        return _page(agreement, SignForm(formdata=None), None, 409)
    signature = signing.my_turn(agreement, current_user)
    if signature is None:
        access.require(signing.waiting_for_others(agreement, current_user) is not None)
        flash(_("서명 순서가 아닙니다. 앞 순서의 당사자가 서명한 뒤에 서명할 수 있습니다."), "error")
        return _page(agreement, SignForm(formdata=None), None, 409 if request.method == "POST" else 200)
    form = SignForm(formdata=None, document_sha256=agreement.document_sha256) if request.method == "GET" else SignForm()
    if request.method == "GET":
        return _page(agreement, form, signature)
    if not form.validate_on_submit():
        return _page(agreement, form, signature, 422)
    try:
        signing.sign(agreement, current_user, password=form.password.data, code=form.code.data or "",
                     confirmed_sha256=form.document_sha256.data, client=request.remote_addr)
    except SigningRefused as exc:
        # A wrong password or code is counted (the login throttle, the audit log): that much is kept.
        if exc.counted:
            db.session.commit()
        else:
            db.session.rollback()
        target = getattr(form, exc.field, None) if exc.field else None
        if target is not None:
            target.errors = [*target.errors, exc.message]
        else:
            flash(exc.message, "error")
        form.password.data = ""
        return _page(agreement, form, signature, 422)
    db.session.commit()
    if agreement.status == AgreementStatus.SIGNED:
        flash(_("서명했습니다. 모든 당사자가 서명하여 협약이 체결되었습니다."), "success")
    else:
        flash(_("서명했습니다. 다음 순서의 당사자에게 알립니다."), "success")
    return redirect(url_for("agreements.show", agreement_id=agreement.id), 303)
