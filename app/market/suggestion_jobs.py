"""The marketplace's suggestions, computed by a job (app/jobs) and shown from the stored list.

Ranking listings takes the matching engine and Kiwi (about 500 MiB once loaded): a web worker
must never load it. A job computes one viewer's list for a need (suppliers), a capability
(needs) or a draft proposal (members) and stores it (``SuggestionList``); the page shows the
stored list with its time. A list is refreshed by a new job when it is missing, when any
listing (or the proposal) changed after it was computed, or when the viewer asks for it. A job
already waiting for the same list is not started twice. Without a worker the job runs at once,
so the page shows the fresh list as before.

What is shown is read again at each view: a listing since closed or hidden from the viewer
drops out of the stored list at once.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app import jobs
from app.core import clock
from app.core.errors import GongmoError
from app.extensions import db
from app.market import suggestions
from app.models import Proposal, User
from app.models.jobs import Job, JobState, SuggestionList
from app.models.marketplace import Capability, Need

KIND = "market.suggestions"
SUPPLIERS, NEEDS, MEMBERS = "suppliers", "needs", "members"
SUBJECTS = {SUPPLIERS: Need, NEEDS: Capability, MEMBERS: Proposal}


@dataclass(frozen=True)
class Shown:
    items: list[suggestions.Suggested]
    computed_at: datetime | None
    job: Job | None  # the job computing a newer list, while it runs


@jobs.kind(KIND, _l("추천 목록 계산"))
def compute(job: Job, progress: jobs.Progress) -> jobs.Outcome:
    which, subject_id = job.params.get("list"), job.params.get("subject_id")
    model = SUBJECTS.get(which)
    subject = db.session.get(model, subject_id) if model else None
    viewer = db.session.get(User, job.owner_id)
    if subject is None or viewer is None:
        raise GongmoError(_("추천할 대상을 찾을 수 없습니다."))
    progress(10, _("추천 목록을 계산하고 있습니다."))
    started = clock.now()
    if which == SUPPLIERS:
        found = suggestions.suppliers_for(subject, viewer)
    elif which == NEEDS:
        found = suggestions.needs_for(subject, viewer)
    else:
        found = suggestions.members_for(subject, viewer)
    row = _row(which, subject_id, viewer.id) or SuggestionList(kind=which, subject_id=subject_id, viewer_id=viewer.id)
    row.items = [{"kind": s.kind, "id": s.listing.id, "line": s.line} for s in found]
    row.computed_at = started  # what changed during the computation makes it stale
    db.session.add(row)
    return jobs.Outcome(_("추천 %(n)s건을 계산했습니다.", n=len(found)))


def _row(which: str, subject_id: int, viewer_id: int) -> SuggestionList | None:
    return db.session.scalar(select(SuggestionList).where(
        SuggestionList.kind == which, SuggestionList.subject_id == subject_id, SuggestionList.viewer_id == viewer_id))


def _changed_since(which: str, subject, at: datetime) -> bool:
    latest = [db.session.scalar(select(func.max(model.updated_at))) for model in (Need, Capability)]
    if which == MEMBERS:
        latest.append(subject.updated_at)
    return any(t is not None and t >= at for t in latest)


def _running(which: str, subject_id: int, viewer) -> Job | None:
    for job in db.session.scalars(select(Job).where(Job.owner_id == viewer.id, Job.kind == KIND,
                                                    Job.state.in_((JobState.QUEUED, JobState.RUNNING)))):
        if job.params.get("list") == which and job.params.get("subject_id") == subject_id:
            return job
    return None


def refresh(which: str, subject, viewer) -> Job:
    """Start a job computing the viewer's list (or return the one already waiting) and hand it over.

    Commits: the job's row must be there for the worker it is handed to.
    """
    job = _running(which, subject.id, viewer)
    if job is None:
        job = jobs.start(KIND, viewer, {"list": which, "subject_id": subject.id})
        db.session.commit()
        jobs.hand_over(job)
    return job


def _listings(items: list[dict], viewer) -> list[suggestions.Suggested]:
    """The stored suggestions the viewer may still see, in their stored order."""
    found: dict[tuple[str, int], object] = {}
    for kind, model in (("capability", Capability), ("need", Need)):
        ids = [i["id"] for i in items if i["kind"] == kind]
        if ids:
            query = suggestions.visible(model, viewer).where(model.id.in_(ids)).options(selectinload(model.organisation))
            found.update({(kind, r.id): r for r in db.session.scalars(query)})
    return [suggestions.Suggested(row, row.organisation, i["line"])
            for i in items if (row := found.get((i["kind"], i["id"]))) is not None]


def shown(which: str, subject, viewer, *, refresh_stale: bool = True) -> Shown:
    """What the page shows: the stored list, refreshed by a job when it is missing or stale.

    ``refresh_stale`` False (a refused form shown again) only reads: a refused request changes nothing.
    """
    row = _row(which, subject.id, viewer.id)
    job = None
    if refresh_stale and (row is None or _changed_since(which, subject, row.computed_at)):
        job = refresh(which, subject, viewer)
        db.session.refresh(job)
        if job.finished:  # run in this process (no worker)
            job = None
        row = _row(which, subject.id, viewer.id)
    if row is None:
        return Shown([], None, job)
    return Shown(_listings(row.items, viewer), row.computed_at, job)
