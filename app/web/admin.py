"""The administrator's pages: accounts, their roles and whether they may log in."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.web import loaders
from app.extensions import db
from app.models.organisations import ROLES
from app.accounts import user_admin
from forms.admin import ActiveForm, RoleForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def require_admin():
    # The whole console is the administrator's. Its list is a role's page (403); an account
    # named in the URL is an object nobody else may see: 404, the rule of app/web/loaders.py.
    if not current_user.has_role("admin"):
        abort(404 if request.view_args else 403)


@bp.route("/users")
def users():
    q = request.args.get("q", "")[:100]
    return render_template("admin/users.html", users=user_admin.search(q), q=q, roles=ROLES,
                           role_form=RoleForm(), active_form=ActiveForm())


@bp.route("/users/<int:user_id>/role", methods=["POST"])
def role(user_id: int):
    user = loaders.account_for_admin(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        flash(_("역할과 처리 방법을 선택하십시오."), "error")
        return redirect(url_for("admin.users")), 303
    try:
        changed = user_admin.set_role(current_user, user, form.role.data, form.action.data == "grant")
    except user_admin.UserAdminError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("admin.users")), 303
    db.session.commit()
    if changed:
        flash(_("%(name)s님의 역할을 바꿨습니다.", name=user.name), "success")
    return redirect(url_for("admin.users", q=user.email)), 303


@bp.route("/users/<int:user_id>/active", methods=["POST"])
def active(user_id: int):
    user = loaders.account_for_admin(user_id)
    form = ActiveForm()
    if not form.validate_on_submit():
        flash(_("처리 방법을 선택하십시오."), "error")
        return redirect(url_for("admin.users")), 303
    try:
        user_admin.set_active(current_user, user, form.active.data == "on")
    except user_admin.UserAdminError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("admin.users")), 303
    db.session.commit()
    flash(_("%(name)s님의 계정 상태를 바꿨습니다.", name=user.name), "success")
    return redirect(url_for("admin.users", q=user.email)), 303
