"""The reviewer's own profile in the pool (후보단): affiliation, expertise, records, relatives, bank details.

Only the signed-in reviewer's own profile is reachable (no id in the URL). Bank details are
written here and shown masked; nobody reads them in full on this page.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import access
from app.extensions import db
from app.review import bank, expertise, profiles
from app.web import flow
from app.web.review import bp
from forms.pool import BankForm, ProfileForm


def _page(form: ProfileForm, bank_form: BankForm, status: int = 200, loose=()):
    profile = profiles.profile_of(current_user)
    return render_template("review/profile.html", form=form, bank_form=bank_form, profile=profile,
                           bank_masked=bank.masked(profile) if profile is not None else "",
                           code_tree=expertise.tree(), loose=list(loose)), status


@bp.route("/profile")
@login_required
def profile():
    access.require_role("reviewer")
    mine = profiles.profile_of(current_user)
    form = ProfileForm.stored(mine, current_user, profiles.partner_numbers(mine)).configure(expertise.tree())
    return _page(form, BankForm())


@bp.route("/profile", methods=["POST"])
@login_required
def profile_save():
    access.require_role("reviewer")
    form = ProfileForm().configure(expertise.tree())
    # Another empty row, keeping what was typed; nothing is saved until 저장.
    if form.add_record.data or form.add_relative.data:
        rows = form.records if form.add_record.data else form.relatives
        if len(rows.entries) < rows.max_entries:
            rows.append_entry()
        return _page(form, BankForm())
    if not form.validate_on_submit():
        return _page(form, BankForm(), 422)
    try:
        changes = profiles.update(profiles.profile_of(current_user, create=True), form.profile_input(), current_user)
    except profiles.ProfileError as error:
        db.session.rollback()
        return _page(form, BankForm(), 422, flow.place(form, form.field_names(error.problems)))
    db.session.commit()
    flash(_("평가위원 정보를 저장했습니다.") if changes else _("바뀐 내용이 없습니다."), "success")
    return redirect(url_for("review.profile"), 303)


@bp.route("/profile/bank", methods=["POST"])
@login_required
def profile_bank():
    access.require_role("reviewer")
    form = BankForm()
    mine = profiles.profile_of(current_user)
    page_form = ProfileForm.stored(mine, current_user, profiles.partner_numbers(mine)).configure(expertise.tree())

    def save():
        details = bank.BankDetails(bank=form.bank.data, account_no=form.account_no.data, holder=form.holder.data)
        bank.write(profiles.profile_of(current_user, create=True), details, current_user)

    return flow.post(form, save, page=lambda: _page(page_form, form, 422), done=_("계좌 정보를 저장했습니다."),
                     to=url_for("review.profile") + "#bank-details")
