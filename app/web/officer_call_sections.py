"""Officer console: the sections of a call's proposal form, set while the call is a draft."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from app.calls import call_admin, call_sections
from app.calls.call_sections import CallSectionsError
from app.extensions import db
from app.proposals import sections as proposal_sections
from app.web import flow, row_editor
from app.web.loaders import call_for_officer
from app.web.officer import bp
from forms.auth import ORG_TYPE_LABELS
from forms.call_sections import CopySectionsForm, SectionsForm


@bp.record_once
def _template_helpers(state) -> None:
    env = state.app.jinja_env
    env.globals["section_kind_label"] = lambda kind: str(proposal_sections.KIND_LABELS.get(kind, kind))
    env.globals["org_type_label"] = lambda org_type: str(ORG_TYPE_LABELS.get(org_type, org_type))
    env.globals["call_site_label"] = proposal_sections.site_label


def _copy_form(call) -> CopySectionsForm:
    form = CopySectionsForm(prefix="copy")
    form.source_id.choices = [SelectChoice(c.id, f"{c.code} · {c.title}") for c in call_admin.calls_for(current_user)
                              if c.id != call.id and c.sections]
    return form


def _page(call, form, copy_form, loose=(), status=200):
    return render_template("officer/call_sections.html", call=call, form=form, copy_form=copy_form,
                           locked=call_sections.lock(call), loose=list(loose),
                           kind_labels=proposal_sections.KIND_LABELS), status


@bp.route("/calls/<int:call_id>/sections", methods=["GET", "POST"])
@login_required
def edit_sections(call_id: int):
    call = call_for_officer(call_id)
    locked = call_sections.lock(call)
    if request.method == "POST" and locked:
        flash(locked, "error")
        return redirect(url_for("officer.edit_sections", call_id=call.id), 303)
    if request.method == "POST" and "copy-source_id" in request.form:
        return _copy(call)
    form, moved = row_editor.bound(SectionsForm)
    if request.method == "GET":
        form.fill_from(call)
    loose: list[str] = []
    if not moved and form.validate_on_submit():
        try:
            call_sections.save_sections(call, current_user, form.to_rows())
        except CallSectionsError as exc:
            db.session.rollback()
            call = call_for_officer(call_id)  # the rollback expired it
            loose = flow.place(form, [(form.problem_field(name), message) for name, message in exc.problems])
        else:
            db.session.commit()
            flash(_("신청서 작성 항목을 저장했습니다."), "success")
            return redirect(url_for("officer.edit_sections", call_id=call.id), 303)
    return _page(call, form, _copy_form(call), loose, row_editor.status(moved))


def _copy(call):
    copy_form = _copy_form(call)
    form = SectionsForm(formdata=None)
    form.fill_from(call)
    if not copy_form.validate_on_submit():
        return _page(call, form, copy_form, status=422)
    source = call_for_officer(copy_form.source_id.data)
    try:
        call_sections.copy_from(call, source, current_user)
    except CallSectionsError as exc:
        db.session.rollback()
        return _page(call_for_officer(call.id), form, copy_form, [m for _f, m in exc.problems], 422)
    db.session.commit()
    flash(_("%(code)s의 신청서 작성 항목을 가져왔습니다. 확인하고 필요하면 고치십시오.", code=source.code), "success")
    return redirect(url_for("officer.edit_sections", call_id=call.id), 303)
