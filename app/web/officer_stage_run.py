"""Officer console: confirming an evaluation stage, on a page that says who goes on."""
from __future__ import annotations

from flask import abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.calls.stages import kind_label
from app.review import stage_scope
from app.selection import stage_results
from app.web import flow
from app.web.loaders import call_for_officer
from app.web.officer import bp
from forms.steps import ConfirmStageForm


def _stage(call, stage_id: int):
    stage = stage_scope.stage_of(call, stage_id)
    if stage is None:
        abort(404)
    return stage


def _page(call, stage, form: ConfirmStageForm, status: int = 200):
    return render_template("officer/stage_confirm.html", call=call, stage=stage, label=kind_label(stage.kind),
                           consequences=stage_results.confirm_preview(call, stage),
                           blocker=stage_results.confirm_blocker(call, stage), form=form), status


@bp.route("/calls/<int:call_id>/stages/<int:stage_id>/confirm", methods=["GET", "POST"])
@login_required
def stage_confirm(call_id: int, stage_id: int):
    call = call_for_officer(call_id)
    stage = _stage(call, stage_id)
    form = ConfirmStageForm()
    if not form.is_submitted():
        return _page(call, stage, form)
    return flow.post(form, lambda: stage_results.confirm(call, stage, current_user),
                     page=lambda: _page(call, stage, form, 422), field=form.confirm,
                     done=_("%(stage)s 단계를 확정했습니다. 다음 단계의 평가위원을 배정하십시오.", stage=kind_label(stage.kind)),
                     to=url_for("officer.assignments", call_id=call.id))
