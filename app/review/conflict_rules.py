"""Who may never review a proposal of a call, whoever they are: the 제척 rules by identity.

SPEC §7 follows 국가연구개발혁신법 시행령 (평가위원 제척). Each rule is read here as follows,
always by organisation *identity* (rows found by 사업자등록번호), never by a name anyone typed:

- ``own_people``: the people who act for the consortium (who created it or submitted the
  proposal, who confirmed a member's participation) never review it, whatever their affiliation.
- ``member_org`` / ``same_department`` (같은 기관; 대학·연구기관은 같은 학과·부서): the reviewer's
  affiliation (the profile's organisation, and the account's organisation) is a confirmed member.
  For the organisation types in ``CONFLICT_SAME_DEPARTMENT_TYPES`` only the same department
  excludes: the member's departments are those of the people acting for it in the consortium;
  when either side's department is unknown they count as the same (``member_org``).
- ``relative``: a declared relative (친족) works for a confirmed member organisation.
- ``reciprocal`` (상호평가): a reviewer who is also an applicant in the call (their organisation
  is a confirmed member of another submitted proposal, or they act for it) does not review a
  competitor one of whose people sits (live seat, any stage) on the reviewer's own proposal.
  The decree names reciprocal evaluation, not competition as such: a concurrent applicant with
  no such tie is no 제척 (an applicant who fears one files a 기피). An agency whose rules go
  further sets ``CONFLICT_EXCLUDE_COMPETITORS`` and every concurrent applicant is kept off
  every competitor (``competitor``).
- ``agency`` / ``ministry``: staff of the programme's managing agency (or an entry the officer
  typed under the agency's own name) and of the ministry (``Programme.ministry_org_id``).
- ``sanctioned``: a sanction in force on the day (KST), ``SANCTION_YEARS`` long (app/review/sanctions.py).
- ``joint_work``: a declared joint project or co-authorship (``ReviewerRecord``) with a confirmed
  member organisation in the last ``CONFLICT_JOINT_WORK_YEARS`` years (by year, KST).

``ConflictIndex`` loads everything for a call and a set of people in a few queries and keeps
inverted maps (organisation -> people), so asking for a whole proposal costs what its ties cost,
not the size of the pool.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core import clock
from app.extensions import db
from app.models import Consortium, ConsortiumMember, Organisation, Proposal, ReviewAssignment, ReviewerPoolEntry, User
from app.models.pool import ReviewerProfile, ReviewerRecord, ReviewerRelative, Sanction
from app.models.proposals import ProposalStatus
from app.models.review import ACTIVE_COI

# Reason codes, in the order they are checked, with the officer's label: first the identity rules
# (``RULES``, ``ConflictIndex``), then those of one stage's panel (``exclusions.PanelContext``).
RULES = {
    "own_people": _l("제척: 이 신청 컨소시엄을 대표해 신청하거나 참여를 확인한 사람"),
    "member_org": _l("제척: 평가위원의 소속 기관이 컨소시엄 참여기관임"),
    "same_department": _l("제척: 참여기관의 같은 학과·부서 소속"),
    "relative": _l("제척: 친족이 참여기관 소속"),
    "reciprocal": _l("상호평가: 같은 공모의 신청 컨소시엄끼리 서로 평가함"),
    "competitor": _l("제척: 같은 공모에 경쟁 신청한 컨소시엄 참여자"),
    "agency": _l("제척: 전담기관 소속"),
    "ministry": _l("제척: 소관 부처 소속"),
    "sanctioned": _l("제척: 평가 관련 제재 중"),
    "joint_work": _l("제척: 최근 참여기관과 공동과제·공동저작"),
}
REASONS = {
    **RULES,
    "recused": _l("회피: 평가위원이 이해충돌로 회피함"),
    "removed": _l("배제: 기피 인용 또는 담당자가 배정 해제함"),
    "same_org": _l("같은 기관의 평가위원이 이미 배정됨"),
}

# Big IN lists are sent in slices (SQLite caps bound parameters).
CHUNK = 2000


def org_key(name: str) -> str:
    """Organisation names compared as people type them: case, spacing and (주) aside."""
    n = (name or "").casefold()
    for noise in ("(주)", "㈜", "주식회사", "(재)", "재단법인", "(사)", "사단법인"):
        n = n.replace(noise, "")
    return "".join(n.split())


def _day(at: datetime | date | None) -> str:
    if at is None:
        return "-"
    return (clock.to_kst(at) if isinstance(at, datetime) else at).strftime("%Y-%m-%d")


@dataclass(frozen=True)
class Exclusion:
    """Why one person may not review one proposal. ``entry`` is the call's pool entry when there is one."""

    entry: ReviewerPoolEntry | None
    code: str
    # The organisation the rule fired on (member, agency, ministry, a relative's or partner's).
    organisation: Organisation | None = None
    # member_org: since when the member is confirmed; sanctioned: from when to when.
    since: datetime | date | None = None
    # recused/removed: the reason given; otherwise what the officer needs (department, relative, record).
    detail: str = ""
    user_id: int | None = None
    until: date | None = None

    @property
    def who(self) -> int:
        return self.entry.user_id if self.entry is not None else self.user_id

    @property
    def reason(self) -> str:
        org = self.organisation.name if self.organisation is not None else ""
        c = self.code
        if c == "member_org" and self.organisation is not None:
            return str(_l("제척: 참여기관 %(org)s 소속 (컨소시엄 참여 확인 %(since)s)", org=org, since=_day(self.since)))
        if c == "same_department":
            return str(_l("제척: 참여기관 %(org)s의 같은 학과·부서(%(dept)s) 소속", org=org, dept=self.detail))
        if c == "relative":
            return str(_l("제척: 친족(%(who)s)이 참여기관 %(org)s 소속", who=self.detail, org=org))
        if c == "reciprocal":
            return str(_l("상호평가: 평가위원이 참여한 신청(%(own)s)을 이 신청의 참여자가 평가하고 있음", own=self.detail))
        if c == "competitor":
            return str(_l("제척: 같은 공모에 경쟁 신청(%(own)s)한 컨소시엄 참여자", own=self.detail))
        if c == "ministry" and org:
            return str(_l("제척: 소관 부처(%(org)s) 소속", org=org))
        if c == "sanctioned":
            return str(_l("제척: 제재 중 (%(start)s ~ %(end)s)", start=_day(self.since), end=_day(self.until)))
        if c == "joint_work":
            return str(_l("제척: 최근 참여기관 %(org)s과(와) 공동과제·공동저작 (%(record)s)", org=org, record=self.detail))
        if self.detail:
            return f"{REASONS[c]} ({_l('사유')}: {self.detail})"
        return str(REASONS[c])


def _chunks(ids):
    ids = sorted(ids)
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


def _dept(text: str | None) -> str:
    return "".join((text or "").casefold().split())


class ConflictIndex:
    """The identity rules for one call and a set of people, loaded at once.

    ``reason(proposal, user_id)`` answers for anyone in ``user_ids`` (in the call's pool or not);
    ``excluded(proposal)`` gives the whole map for a proposal. ``seat`` tells the index about a
    seat taken since it was loaded (reciprocity depends on who sits where).
    """

    def __init__(self, call, stage, user_ids):
        cfg = current_app.config
        self.call, self.stage = call, stage
        self.day = clock.to_kst(clock.now()).date()
        self.dept_types = set(cfg.get("CONFLICT_SAME_DEPARTMENT_TYPES", ("university", "research_institute")))
        self.joint_years = int(cfg.get("CONFLICT_JOINT_WORK_YEARS", 3))
        self.competitors = bool(cfg.get("CONFLICT_EXCLUDE_COMPETITORS", False))
        self._cache: dict[int, dict[int, Exclusion]] = {}
        self._load_proposals()
        # Seated reviewers are loaded too: reciprocity asks whose people they are.
        self.seats: dict[int, set[int]] = defaultdict(set)
        for pid, uid in db.session.execute(
                select(ReviewAssignment.proposal_id, ReviewAssignment.reviewer_id)
                .where(ReviewAssignment.call_id == call.id, ReviewAssignment.coi_status.in_(ACTIVE_COI))):
            self.seats[pid].add(uid)
        seated = set().union(*self.seats.values()) if self.seats else set()
        self._load_people(set(user_ids) | seated)
        self._link()

    # --- loading ------------------------------------------------------------------------------

    def _load_proposals(self) -> None:
        rows = db.session.execute(
            select(Proposal.id, Proposal.status, Proposal.receipt_no, Proposal.created_by_id,
                   Consortium.created_by_id).join(Consortium, Consortium.id == Proposal.consortium_id)
            .where(Proposal.call_id == self.call.id)).all()
        self.receipt = {pid: receipt or f"#{pid}" for pid, _s, receipt, _c, _cc in rows}
        self.submitted = {pid for pid, status, *_ in rows if status == ProposalStatus.SUBMITTED}
        self.acting: dict[int, set[int]] = {pid: {c for c in (creator, cons_creator) if c}
                                            for pid, _s, _r, creator, cons_creator in rows}
        self.members: dict[int, dict[int, ConsortiumMember]] = defaultdict(dict)
        for m, pid in db.session.execute(
                select(ConsortiumMember, Proposal.id)
                .join(Proposal, Proposal.consortium_id == ConsortiumMember.consortium_id)
                .where(Proposal.call_id == self.call.id, ConsortiumMember.confirmed_at.is_not(None))
                .options(selectinload(ConsortiumMember.organisation))):
            self.members[pid][m.organisation_id] = m
            if m.confirmed_by_id:
                self.acting[pid].add(m.confirmed_by_id)
        actors = set().union(*self.acting.values()) if self.acting else set()
        actor_rows = {}
        for chunk in _chunks(actors):
            actor_rows.update({uid: (org, dept) for uid, org, dept in db.session.execute(
                select(User.id, User.organisation_id, User.department).where(User.id.in_(chunk)))})
        # A member's departments: those of the people who act for it in this consortium.
        self.member_depts: dict[tuple[int, int], set[str]] = {}
        for pid, members in self.members.items():
            for org_id, m in members.items():
                people = {m.confirmed_by_id} | {a for a in self.acting[pid] if actor_rows.get(a, (None,))[0] == org_id}
                self.member_depts[(pid, org_id)] = {d for a in people if a in actor_rows
                                                    and (d := _dept(actor_rows[a][1]))}

    def _load_people(self, ids: set[int]) -> None:
        self.people = ids
        self.orgs: dict[int, set[int]] = {}
        self.dept: dict[int, str] = {}
        profile_dept: dict[int, str] = {}
        entry_dept: dict[int, str] = {}
        for chunk in _chunks(ids):
            for uid, org, dept in db.session.execute(
                    select(User.id, User.organisation_id, User.department).where(User.id.in_(chunk))):
                self.orgs[uid] = {org} if org else set()
                self.dept[uid] = (dept or "").strip()
            for uid, org, dept in db.session.execute(
                    select(ReviewerProfile.user_id, ReviewerProfile.organisation_id, ReviewerProfile.department)
                    .where(ReviewerProfile.user_id.in_(chunk))):
                if org:
                    self.orgs.setdefault(uid, set()).add(org)
                profile_dept[uid] = (dept or "").strip()
        agency_key = org_key(self.call.programme.agency.name) if self.call.programme.agency else ""
        self.typed_as_agency: set[int] = set()
        for uid, name, dept in db.session.execute(
                select(ReviewerPoolEntry.user_id, ReviewerPoolEntry.organisation_name, ReviewerPoolEntry.department)
                .where(ReviewerPoolEntry.call_id == self.call.id)):
            entry_dept[uid] = (dept or "").strip()
            if agency_key and name and org_key(name) == agency_key:
                self.typed_as_agency.add(uid)
        # The profile is the reviewer's own word; the call's entry is what the officer wrote.
        for uid in ids:
            self.dept[uid] = profile_dept.get(uid) or entry_dept.get(uid) or self.dept.get(uid, "")
        self.by_org: dict[int, set[int]] = defaultdict(set)
        for uid, orgs in self.orgs.items():
            for org in orgs:
                self.by_org[org].add(uid)
        member_orgs = {org for members in self.members.values() for org in members}
        self.relatives: dict[int, list[tuple[int, ReviewerRelative]]] = defaultdict(list)
        for chunk in _chunks(member_orgs):
            for uid, rel in db.session.execute(
                    select(ReviewerProfile.user_id, ReviewerRelative)
                    .join(ReviewerProfile, ReviewerProfile.id == ReviewerRelative.profile_id)
                    .where(ReviewerRelative.organisation_id.in_(chunk))):
                if uid in ids:
                    self.relatives[rel.organisation_id].append((uid, rel))
        # organisation -> (person, "title, year") of their recent joint work with it; plain columns,
        # as a pool of thousands may have tens of thousands of records.
        self.work: dict[int, list[tuple[int, str]]] = defaultdict(list)
        since_year = self.day.year - self.joint_years
        for chunk in _chunks(ids):
            for uid, partners, title, year in db.session.execute(
                    select(ReviewerProfile.user_id, ReviewerRecord.organisation_ids, ReviewerRecord.title,
                           ReviewerRecord.year)
                    .join(ReviewerProfile, ReviewerProfile.id == ReviewerRecord.profile_id)
                    .where(ReviewerProfile.user_id.in_(chunk), ReviewerRecord.year >= since_year)
                    .order_by(ReviewerRecord.year.desc(), ReviewerRecord.id)):
                for org in set(partners or ()) & member_orgs:
                    self.work[org].append((uid, f"{title}, {year}"))
        self.sanctions: dict[int, Sanction] = {}
        for s in db.session.scalars(select(Sanction).where(
                Sanction.lifted_at.is_(None), Sanction.starts_on <= self.day, Sanction.ends_on > self.day)
                .order_by(Sanction.ends_on.desc())):
            if s.user_id in ids:
                self.sanctions.setdefault(s.user_id, s)

    def _link(self) -> None:
        """Who is whose: each loaded person's proposals in the call, and the applicants of each."""
        self.people_of: dict[int, set[int]] = defaultdict(set)  # proposal -> its people (loaded ones)
        self.proposals_of: dict[int, set[int]] = defaultdict(set)  # person -> submitted proposals they belong to
        for pid in self.receipt:
            people = {u for u in self.acting.get(pid, ()) if u in self.people}
            for org in self.members.get(pid, {}):
                people |= self.by_org.get(org, set())
            self.people_of[pid] = people
            if pid in self.submitted:
                for u in people:
                    self.proposals_of[u].add(pid)
        # proposal P -> the proposals Q on which one of P's people sits (P's people review Q)
        self.reviewed_by: dict[int, set[int]] = defaultdict(set)
        for q, seated in self.seats.items():
            for v in seated:
                self._sat(q, v)

    def _sat(self, q: int, v: int) -> None:
        for p in self.proposals_of.get(v, ()):
            if p != q:
                self.reviewed_by[p].add(q)
                self._cache.pop(p, None)

    def seat(self, proposal_id: int, user_id: int) -> None:
        """A seat taken after loading: later answers see it (one panel run seats many)."""
        self.seats[proposal_id].add(user_id)
        self._sat(proposal_id, user_id)  # forgets the answers it changes, and only those

    # --- answers ------------------------------------------------------------------------------

    def reason(self, proposal, user_id: int) -> Exclusion | None:
        return self.excluded(proposal).get(user_id)

    def excluded_ids(self, proposal) -> set[int]:
        return set(self.excluded(proposal))

    def excluded(self, proposal) -> dict[int, Exclusion]:
        pid = proposal if isinstance(proposal, int) else proposal.id
        if pid not in self._cache:
            self._cache[pid] = self._compute(pid)
        return self._cache[pid]

    def _compute(self, pid: int) -> dict[int, Exclusion]:
        out: dict[int, Exclusion] = {}

        def put(uid, code, **kw):
            if uid in self.people and uid not in out:
                out[uid] = Exclusion(None, code, user_id=uid, **kw)

        members = self.members.get(pid, {})
        for uid in sorted(self.acting.get(pid, ())):
            put(uid, "own_people")
        for org_id, m in members.items():
            theirs = self.member_depts.get((pid, org_id), set())
            for uid in sorted(self.by_org.get(org_id, ())):
                mine = self.dept.get(uid, "")
                if m.organisation.type in self.dept_types and mine and theirs:
                    if _dept(mine) in theirs:
                        put(uid, "same_department", organisation=m.organisation, detail=mine)
                    continue  # another department of a university or institute: not the same body
                put(uid, "member_org", organisation=m.organisation, since=m.confirmed_at)
        for org_id, m in members.items():
            for uid, rel in self.relatives.get(org_id, ()):
                put(uid, "relative", organisation=m.organisation, detail=f"{rel.relation} {rel.name}".strip())
        for q in sorted(self.reviewed_by.get(pid, ())):
            for uid in sorted(self.people_of.get(q, ())):
                put(uid, "reciprocal", detail=self.receipt[q])
        if self.competitors:
            for uid, own in sorted(self.proposals_of.items()):
                if own - {pid}:
                    put(uid, "competitor", detail=", ".join(self.receipt[q] for q in sorted(own - {pid})))
        programme = self.call.programme
        for uid in sorted(self.by_org.get(programme.agency_id, set()) | self.typed_as_agency):
            put(uid, "agency", organisation=programme.agency)
        if programme.ministry_org_id:
            for uid in sorted(self.by_org.get(programme.ministry_org_id, ())):
                put(uid, "ministry", organisation=programme.ministry_org)
        for uid, s in sorted(self.sanctions.items()):
            put(uid, "sanctioned", since=s.starts_on, until=s.ends_on, detail=s.reason)
        for org_id, m in members.items():
            for uid, record in self.work.get(org_id, ()):
                put(uid, "joint_work", organisation=m.organisation, detail=record)
        return out


def conflict_index(call, stage, user_ids) -> ConflictIndex:
    """The identity rules for ``user_ids`` against every proposal of ``call``."""
    return ConflictIndex(call, stage, user_ids)
