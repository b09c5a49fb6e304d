"""Officer console: the call's irreversible steps, each confirmed on a page that says what it will do."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.calls import lifecycle
from app.selection import steps
from app.web import flow
from app.web.loaders import call_for_officer
from app.web.officer import bp
from forms.steps import ConfirmStepForm


@bp.route("/calls/<int:call_id>/step/<step>")
@login_required
def step_confirm(call_id: int, step: str):
    call = call_for_officer(call_id)
    if step not in steps.STEPS:
        abort(404)
    if step != lifecycle.next_step(call):
        flash(_("이 단계는 지금 진행할 수 없습니다. 현황 페이지를 새로 고치십시오."), "error")
        return redirect(url_for("officer.dashboard", call_id=call.id), 303)
    return _confirm_page(call, step, ConfirmStepForm(step=step))


def _confirm_page(call, step: str, form: ConfirmStepForm, status: int = 200):
    return render_template("officer/step_confirm.html", call=call, step=step, label=steps.LABELS[step],
                           consequences=steps.preview(call, step), blocker=steps.blocker(call, step),
                           form=form), status


@bp.route("/calls/<int:call_id>/step", methods=["POST"])
@login_required
def step(call_id: int):
    call = call_for_officer(call_id)
    form = ConfirmStepForm()
    if form.step.data not in steps.STEPS:
        abort(400)
    return flow.post(form, lambda: steps.take(call, form.step.data, current_user),
                     page=lambda: _confirm_page(call, form.step.data, form, 422), field=form.confirm,
                     done=_("%(step)s 단계를 마쳤습니다.", step=steps.LABELS[form.step.data]),
                     to=url_for("officer.dashboard", call_id=call.id))
