"""Officer console: the sanctions list (제재 명단), shared by every agency like the pool.

One page lists every sanction (those in force first), adds one by the person's e-mail and lifts
one early with a reason; a refused form is shown again with the service's message beside its field.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import access
from app.extensions import db
from app.models.pool import Sanction
from app.review import sanctions
from app.web import flow
from app.web.officer import bp
from forms.sanctions import LiftForm, SanctionForm


def _require() -> None:
    access.require(access.can_keep_sanctions(current_user))


def _page(form: SanctionForm | None = None, lift_form: LiftForm | None = None, status: int = 200):
    return render_template("officer/sanctions.html", form=form or SanctionForm(), lift_form=lift_form,
                           rows=sanctions.listing(), today=sanctions.today(), years=sanctions.years()), status


@bp.route("/sanctions")
@login_required
def sanctions_list():
    _require()
    return _page()


@bp.route("/sanctions", methods=["POST"])
@login_required
def sanction_add():
    _require()
    form = SanctionForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    try:
        s = sanctions.add(form.email.data, current_user, reason=form.reason.data, starts_on=form.starts_on.data)
    except sanctions.SanctionError as error:
        db.session.rollback()
        flow.place(form, [(error.field, error.message)])
        return _page(form, status=422)
    db.session.commit()
    flash(_("%(name)s에 대한 제재를 등록했습니다 (%(start)s ~ %(end)s).", name=s.user.name,
            start=s.starts_on.isoformat(), end=s.ends_on.isoformat()), "success")
    return redirect(url_for("officer.sanctions_list"), 303)


@bp.route("/sanctions/lift", methods=["POST"])
@login_required
def sanction_lift():
    _require()
    form = LiftForm()
    if not form.validate_on_submit():
        return _page(lift_form=form, status=422)
    sanction = db.session.get(Sanction, form.sanction_id.data)
    if sanction is None:
        form.lift_reason.errors = [*form.lift_reason.errors, _("해제할 제재를 찾을 수 없습니다.")]
        return _page(lift_form=form, status=422)
    try:
        sanctions.lift(sanction, current_user, form.lift_reason.data)
    except sanctions.SanctionError as error:
        db.session.rollback()
        flow.place(form, [(error.field, error.message)])
        return _page(lift_form=form, status=422)
    db.session.commit()
    flash(_("제재를 해제했습니다."), "success")
    return redirect(url_for("officer.sanctions_list"), 303)
