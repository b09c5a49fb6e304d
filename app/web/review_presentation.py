"""The reviewer's 발표평가 pages: the published schedules of their stages, and the chair's 종합의견.

Each reviewer sees the slots of the proposals they sit on; the stage's chair (위원장) writes
the panel's consensus opinion per proposal on which they pledged no conflict.
"""
from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import access
from app.review import presentation, presentation_day, review_access
from app.web import flow, loaders
from app.web.review import bp
from forms.presentation import OpinionForm


@bp.app_template_global("reviewer_presentations")
def reviewer_presentations():
    """The published 발표평가 schedules of the current reviewer's stages (the review list links them)."""
    if not review_access.is_reviewer(current_user):
        return []
    return presentation.schedules_of_reviewer(current_user)


def _rows(schedule):
    """(slot, may write the opinion) for the slots of the proposals the reviewer sits on."""
    rows = []
    for slot in schedule.slots:
        seat = presentation_day.chair_seat(slot, current_user)
        if seat is None or not seat.active:
            continue
        rows.append((slot, access.is_presentation_chair(current_user, schedule)
                     and presentation_day.may_write_opinion(slot, current_user)))
    return rows


def _page(forms: dict | None = None, status: int = 200):
    forms = forms or {}
    schedules = [(s, presentation.place_text(s), _rows(s)) for s in presentation.schedules_of_reviewer(current_user)]
    for _schedule, _place, rows in schedules:
        for slot, may in rows:
            if may and slot.id not in forms:
                forms[slot.id] = OpinionForm(prefix=f"s{slot.id}", data={"opinion": slot.opinion})
    # A refusal for a slot whose form is not shown (a seat given up meanwhile) still needs saying.
    loose = [e for f in forms.values() for e in f.opinion.errors]
    return render_template("review/presentations.html", schedules=schedules, forms=forms, loose=loose), status


@bp.route("/presentations")
@login_required
def presentations():
    access.require_role("reviewer")
    return _page()


@bp.route("/presentations/slots/<int:slot_id>/opinion", methods=["POST"])
@login_required
def presentation_opinion(slot_id: int):
    slot = loaders.slot_for_panel(slot_id)
    access.require(access.is_presentation_chair(current_user, slot.schedule))
    form = OpinionForm(prefix=f"s{slot.id}")
    return flow.post(form, lambda: presentation_day.record_opinion(slot, current_user, form.opinion.data),
                     page=lambda: _page({slot.id: form}, 422), done=_("종합의견을 저장했습니다."),
                     to=url_for("review.presentations"), field=form.opinion)
