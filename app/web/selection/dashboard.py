"""Officer console: the list of the officer's calls and each call's dashboard."""
from __future__ import annotations

from decimal import Decimal

from flask import current_app, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.web.officer import bp, require_officer
from app.calls import call_admin, call_stats, lifecycle
from app.selection import charts, objections, results, steps
from app.calls.calls import status_label
from app.web.loaders import call_for_officer


def has_endpoint(name: str) -> bool:
    return name in current_app.view_functions


@bp.route("/")
@login_required
def index():
    require_officer()
    return render_template("officer/index.html", calls=call_admin.calls_for(current_user), status_label=status_label)


@bp.route("/calls/<int:call_id>")
@login_required
def dashboard(call_id: int):
    call = call_for_officer(call_id)
    counts = call_stats.counts_by_status(call)
    status_items = [
        (_("작성 중"), counts["draft"]), (_("제출"), counts["submitted"]), (_("철회"), counts["withdrawn"]),
        (_("적격"), counts["confirmed"]), (_("부적격"), counts["rejected"]),
    ]
    series = call_stats.timeline(call)
    start = min([call.opens_at] + [t for pts in series.values() for t, _ in pts])
    end = max(call.closes_at, *(t for pts in series.values() for t, _ in pts)) if any(series.values()) else call.closes_at
    progress = call_stats.review_progress(call)
    totals = call_stats.score_totals(call)
    pass_mark = Decimal(str((call.policy or {}).get("pass_mark", "0")))
    charts_svg = {
        "status": charts.bar_chart(_("상태별 신청서 수"), status_items, _("건")),
        "timeline": charts.timeline(
            _("작성 시작과 제출 추이"), [(_("작성 시작"), series["started"]), (_("제출"), series["submitted"])],
            start, end, marker=call.closes_at, marker_label=_("마감")),
        "progress": charts.progress_chart(_("평가위원별 평가 진행"), [(p.name, p.submitted, p.assigned) for p in progress]),
        "scores": charts.histogram(_("총점 분포"), totals, mark=pass_mark, mark_label=_("합격선")),
    }
    ranking = results.ranking_rows(call)
    return render_template(
        "officer/dashboard.html", call=call, counts=counts, status_items=status_items, series=series,
        progress=progress, charts=charts_svg, ranking=ranking, due=objections.due_list(call),
        step=lifecycle.next_step(call), step_labels=steps.LABELS,
        status_label=status_label, has_endpoint=has_endpoint,
    )


@bp.context_processor
def officer_helpers():
    return {"has_endpoint": has_endpoint, "status_label": status_label}
