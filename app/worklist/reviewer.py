"""A reviewer's tasks: pledges to make, sheets to finish (presentation stages' too), invitations
to a panel awaiting an answer."""
from __future__ import annotations

from collections import defaultdict

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.core import clock
from app.extensions import db
from app.models.calls import CallStatus
from app.models.panels import InvitationStatus, PanelInvitation
from app.models.review import ACTIVE_COI, CoiStatus, ReviewAssignment, SheetStatus
from app.models.stages import StageKind
from app.worklist.item import Task

ROLE = "reviewer"
SETTLED = (CallStatus.DECIDED, CallStatus.ANNOUNCED)


def tasks(user) -> list[Task]:
    now = clock.now()
    out: list[Task] = []
    seats = db.session.scalars(
        select(ReviewAssignment).where(ReviewAssignment.reviewer_id == user.id,
                                       ReviewAssignment.coi_status.in_(ACTIVE_COI))
        .options(joinedload(ReviewAssignment.sheet), joinedload(ReviewAssignment.call),
                 joinedload(ReviewAssignment.stage))).unique()
    pledges, sheets = defaultdict(list), defaultdict(list)
    for a in seats:
        if a.call.status(now) in SETTLED or a.stage.confirmed_at is not None:
            continue
        if a.coi_status == CoiStatus.PENDING:
            pledges[a.call].append(a)
        elif a.sheet is None or a.sheet.status != SheetStatus.SUBMITTED:
            sheets[(a.call, a.stage.kind == StageKind.PRESENTATION)].append(a)
    for call, items in pledges.items():
        out.append(Task(ROLE, _("이해충돌 서약 대기 %(n)s건 · %(call)s", n=len(items), call=call.title),
                        _first_url(items, "review.declare"), _soonest(items)))
    for (call, presentation), items in sheets.items():
        text = (_("발표평가 평가표 %(n)s건 · %(call)s", n=len(items), call=call.title) if presentation
                else _("제출할 평가표 %(n)s건 · %(call)s", n=len(items), call=call.title))
        out.append(Task(ROLE, text, _first_url(items, "review.sheet"), _soonest(items)))
    invitations = db.session.execute(
        select(PanelInvitation.respond_by).where(PanelInvitation.user_id == user.id,
                                                 PanelInvitation.status == InvitationStatus.INVITED,
                                                 PanelInvitation.respond_by > now)).scalars().all()
    if invitations:
        # The answer is given by the mailed link (its token is not stored): the notices hold it.
        out.append(Task(ROLE, _("답하지 않은 평가위원 위촉 요청 %(n)s건", n=len(invitations)),
                        url_for("main.notifications"), min(invitations)))
    return out


def _soonest(items):
    dues = [a.due for a in items if a.due is not None]
    return min(dues) if dues else None


def _first_url(items, endpoint: str) -> str:
    # One seat: straight to it; several: the list, where each has its own line.
    if len(items) == 1:
        return url_for(endpoint, assignment_id=items[0].id)
    return url_for("review.index")
