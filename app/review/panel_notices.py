"""What the panel's changes tell people: the reviewer of a new assignment, the officers of a seat left empty."""
from __future__ import annotations

from app import audit
from app.core.links import portal_url
from app.models import ReviewAssignment, User
from app.notifications import outbox
from app.notifications.contacts import call_officers
from app.review.reviewers import kst_text


def assigned(a: ReviewAssignment, proposal, reviewer: User) -> None:
    url = portal_url("review.declare", assignment_id=a.id)
    due = a.due
    outbox.queue(
        f"review-assigned:{a.id}", "review_assigned", reviewer,
        {"name": reviewer.name, "call_title": a.call.title, "proposal_title": proposal.title,
         "receipt_no": proposal.receipt_no or "", "due_at": kst_text(due), "url": url},
        in_app=outbox.notice("평가 배정: %(receipt_no)s %(title)s", receipt_no=proposal.receipt_no or "",
                             title=proposal.title),
        url=url,
    )


def seat_unfilled(proposal, missing: int, trigger: str) -> None:
    """Nobody eligible is left in the pool: the seat stays empty until an officer acts, so say so."""
    call = proposal.call
    entry = audit.record(None, "review.seat_unfilled", proposal, missing=missing, trigger=trigger,
                         panel_size=call.reviewers_per_proposal or 5)
    url = portal_url("officer.assignments", call_id=call.id)
    for officer in call_officers(call):
        # The audit entry keys the mail: a later seat left empty is a new message.
        outbox.queue(
            f"seat-unfilled:{entry.id}:{officer.id}", "seat_unfilled", officer,
            {"name": officer.name, "call_title": call.title, "proposal_title": proposal.title,
             "receipt_no": proposal.receipt_no or "", "missing": missing, "url": url},
            in_app=outbox.notice("[%(call)s] %(receipt_no)s 평가위원 %(n)d명이 비었으나 풀에 배정할 수 있는 평가위원이 "
                                 "없습니다. 평가위원을 초대하거나 직접 배정하십시오.",
                                 call=call.title, receipt_no=proposal.receipt_no or proposal.title, n=missing),
            url=portal_url("officer.assignments", call_id=call.id, external=False),
        )
