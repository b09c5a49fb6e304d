"""Officer console: API tokens (API 토큰) for the agency's other systems.

One page lists the agency's tokens (an admin's: every agency's), issues one (the secret is shown
on the answer to that post, once, and never again) and revokes one; each is audited.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import access
from app.api import tokens
from app.extensions import db
from app.models.organisations import Role
from app.web import flow
from app.web.officer import bp
from forms.api_tokens import IssueForm, RevokeForm


def _require() -> None:
    access.require_role(Role.OFFICER, Role.ADMIN)


def _page(form: IssueForm | None = None, revoke_form: RevokeForm | None = None, issued=None, status: int = 200):
    return render_template("officer/api_tokens.html", form=form or IssueForm(tokens.programmes_of(current_user)),
                           revoke_form=revoke_form, issued=issued, rows=tokens.visible_to(current_user),
                           scope_labels=tokens.SCOPE_LABELS), status


@bp.route("/api-tokens")
@login_required
def api_tokens():
    _require()
    return _page()


@bp.route("/api-tokens", methods=["POST"])
@login_required
def api_token_issue():
    _require()
    form = IssueForm(tokens.programmes_of(current_user))
    if not form.validate_on_submit():
        return _page(form, status=422)
    try:
        issued = tokens.issue(current_user, form.name.data, form.scopes.data, form.programme_id.data or None,
                              form.expires_on.data)
    except tokens.ApiTokenError as error:
        db.session.rollback()
        flow.place(form, [(error.field, error.message)])
        return _page(form, status=422)
    db.session.commit()
    # No redirect: the secret exists only in this answer (never stored, never in the session).
    return _page(IssueForm(tokens.programmes_of(current_user), formdata=None), issued=issued)


@bp.route("/api-tokens/revoke", methods=["POST"])
@login_required
def api_token_revoke():
    _require()
    form = RevokeForm()
    if not form.validate_on_submit():
        return _page(revoke_form=form, status=422)
    try:
        token = tokens.revoke(current_user, form.token_id.data)
    except tokens.ApiTokenError as error:
        db.session.rollback()
        flow.place(form, [(error.field, error.message)])
        return _page(revoke_form=form, status=422)
    db.session.commit()
    flash(_("토큰 '%(name)s'을(를) 폐기했습니다. 이 토큰으로는 더 이상 읽을 수 없습니다.", name=token.name), "success")
    return redirect(url_for("officer.api_tokens"), 303)
