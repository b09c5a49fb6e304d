"""Officer console: building a stage's panel — recommendations, the panel ranking, recruitment rounds.

One page per evaluation stage (``?stage=`` its id; the current stage by default), reached from
the call's reviewer pages. Computing the recommendations runs as a background task; the page
shows when they were computed.
"""
from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.review import panel_page, recommend, recruitment
from app.web import flow, loaders
from app.web.officer import bp
from forms.panels import RecommendForm, RecruitmentForm


def _stage(call_id: int):
    call = loaders.call_for_officer(call_id)
    return call, loaders.evaluation_stage(call, request.args.get("stage", type=int))


def _page(call, stage, form: RecruitmentForm | None = None, status: int = 200):
    page = panel_page.build(stage)
    if form is None:
        form = RecruitmentForm(seats=page.default_seats)
    return render_template("officer/panel.html", call=call, stage=stage, page=page, form=form,
                           recommend_form=RecommendForm(), status_labels=recruitment.STATUS_LABELS), status


def _here(call, stage) -> str:
    return url_for("officer.panel", call_id=call.id, stage=stage.id)


@bp.route("/calls/<int:call_id>/panel")
@login_required
def panel(call_id: int):
    call, stage = _stage(call_id)
    return _page(call, stage)


@bp.route("/calls/<int:call_id>/panel/recommend", methods=["POST"])
@login_required
def panel_recommend(call_id: int):
    call, stage = _stage(call_id)
    form = RecommendForm()
    if not form.validate_on_submit():
        return _page(call, stage, status=400)

    def done(run) -> str:
        return (_("추천을 계산했습니다.") if not recommend.pending(run)
                else _("추천을 계산하고 있습니다. 잠시 뒤 이 화면을 새로 고치십시오."))

    return flow.act(lambda: recommend.request(stage, current_user), done=done, to=_here(call, stage))


@bp.route("/calls/<int:call_id>/panel/recruit", methods=["POST"])
@login_required
def panel_recruit(call_id: int):
    call, stage = _stage(call_id)
    form = RecruitmentForm()

    def act():
        return recruitment.start(stage, current_user, seats=form.seats.data, invite_factor=form.invite_factor.data,
                                 response_days=form.response_days.data, industry_share=form.industry_share.data)

    return flow.post(form, act, page=lambda: _page(call, stage, form, 422), field=form.seats,
                     done=lambda r: _("%(round)d차 초대를 보냈습니다.", round=r.current_round) if r.closed_at is None
                     else _("초대할 후보가 없습니다."), to=_here(call, stage))
