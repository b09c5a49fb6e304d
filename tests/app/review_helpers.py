"""Builders shared by the review tests: a call with a reviewer pool and submitted proposals."""
from __future__ import annotations

from datetime import timedelta
from itertools import count

from app.extensions import db
from app.models import ConsortiumMember, ProposalVersion, User
from app.core import clock
from app.review import reviewers
from app.accounts import sessions
from app.proposals import snapshot
from tests.factories import (
    CallFactory, ConsortiumFactory, OrganisationFactory, ProposalFactory, UserFactory,
)

_receipt = count(1)


def officer_for(call, **kw):
    return UserFactory(roles=["officer"], organisation=call.programme.agency, **kw)


def closed_call(**kw):
    kw.setdefault("opens_at", clock.now() - timedelta(days=50))
    kw.setdefault("closes_at", clock.now() - timedelta(days=1))
    kw.setdefault("review_due_at", clock.now() + timedelta(days=14))
    return CallFactory(**kw)


def submitted_proposal(call, *, members=(), title=None):
    """A submitted proposal whose consortium also counts ``members`` (organisations)."""
    consortium = ConsortiumFactory()
    for org in members:
        consortium.members.append(ConsortiumMember(organisation=org, role="university", confirmed_at=clock.now()))
    n = next(_receipt)
    p = ProposalFactory(call=call, consortium=consortium, status="submitted",
                        receipt_no=f"{call.code}-{n:04d}", submitted_at=clock.now() - timedelta(days=2),
                        title=title or f"신청서 {n}", summary="요약")
    p.summary = "비밀 요약 내용"
    author = db.session.get(User, p.created_by_id)
    snap = snapshot.build(p, number=1, receipt_no=p.receipt_no, submitted_at=p.submitted_at,
                          validated_at=p.submitted_at, submitted_by=author)
    db.session.add(ProposalVersion(proposal_id=p.id, number=1, receipt_no=p.receipt_no, snapshot=snap,
                                   submitted_at=p.submitted_at, submitted_by_id=p.created_by_id))
    db.session.flush()
    return p


def pool_of(call, officer, n, *, organisation=None, org_name=None):
    """n reviewers invited to the call; returns their users."""
    users = []
    for _ in range(n):
        org = organisation or OrganisationFactory(type="university")
        u = UserFactory(roles=["reviewer"], organisation=org)
        reviewers.invite(call, email=u.email, name=u.name, organisation_name=org_name or org.name,
                         department="산업공학과", actor=officer)
        users.append(u)
    return users


def log_in(client, user):
    """Log in by session (independent of the login form, which other tests cover)."""
    token = sessions.start(user)  # the server-side session the cookie names; committed by the next request
    with client.session_transaction() as s:
        s["_user_id"] = token
        s["_fresh"] = True
    return client
