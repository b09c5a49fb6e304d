"""평가수당 of a call: rates and attendance per stage, each reviewer's statement, finance's batch.

One item per reviewer and evaluation stage (건별), taxed on its own by ``app.review.honoraria``:
its sessions × the stage's rate, with the travel allowance beside it, untaxed. Sessions are

- in a 서면평가, the reviewer's submitted sheets on live seats of the stage (a recused or removed
  seat counts nothing), shown as such; the officer confirms the count, and a count that changed
  after the confirmation has to be confirmed again;
- in a 발표 or 현장평가, the half-days or days the officer records for each reviewer of the panel.

Until finance closes a stage's batch everything is computed from today's data and may still
change; closing freezes each reviewer's amounts in ``HonorariumPayment`` and refuses every later
change of the stage's rate or attendance, so a paid statement never moves.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app import audit
from app.core import clock
from app.core.money import MAX_WON
from app.extensions import db
from app.models import Call, Programme, ReviewAssignment, ReviewerPoolEntry, ReviewerProfile, ReviewSheet, User
from app.models.honoraria import (
    HonorariumAttendance, HonorariumBatch, HonorariumPayment, HonorariumRate, RateBasis,
)
from app.models.review import ACTIVE_COI, CoiStatus, SheetStatus
from app.models.stages import EvaluationStage, StageKind
from app.review import honoraria, stage_scope
from app.review.honoraria import HonorariumError, Item, Line

MAX_SESSIONS = 60  # half-days or days of one stage: far above any evaluation, far below a typo


def kind_label(kind: str) -> str:
    # As app.calls.stages names them; the review does not import the calls' services (one-way layers).
    return {StageKind.WRITTEN: _("서면평가"), StageKind.PRESENTATION: _("발표평가"),
            StageKind.SITE: _("현장평가")}.get(kind, kind)


def basis_label(basis: str) -> str:
    return {RateBasis.PROPOSAL: _("신청서 1건당"), RateBasis.HALF_DAY: _("반일(4시간 이내)당"),
            RateBasis.DAY: _("1일당")}.get(basis, basis)


def bases_for(stage: EvaluationStage) -> tuple[RateBasis, ...]:
    """A 서면평가 is paid per proposal; a 발표 or 현장평가 per half-day or day."""
    if stage.kind == StageKind.WRITTEN:
        return (RateBasis.PROPOSAL,)
    return (RateBasis.HALF_DAY, RateBasis.DAY)


def describe(stage: EvaluationStage, basis: str, sessions: int) -> str:
    unit = {RateBasis.PROPOSAL: _("신청서 %(n)d건", n=sessions), RateBasis.HALF_DAY: _("반일 %(n)d회", n=sessions),
            RateBasis.DAY: _("%(n)d일", n=sessions)}.get(basis, str(sessions))
    return f"{kind_label(stage.kind)} ({unit})"


# --- reading -------------------------------------------------------------------------------

def rate_of(stage: EvaluationStage) -> HonorariumRate | None:
    return db.session.scalar(select(HonorariumRate).where(HonorariumRate.stage_id == stage.id))


def batch_of(stage: EvaluationStage) -> HonorariumBatch | None:
    return db.session.scalar(select(HonorariumBatch).where(HonorariumBatch.stage_id == stage.id))


def sheet_counts(stage: EvaluationStage) -> dict[int, int]:
    """{reviewer id: submitted sheets} on the stage's live seats."""
    return dict(db.session.execute(
        select(ReviewAssignment.reviewer_id, func.count(ReviewSheet.id))
        .join(ReviewSheet, ReviewSheet.assignment_id == ReviewAssignment.id)
        .where(ReviewAssignment.stage_id == stage.id, ReviewAssignment.coi_status == CoiStatus.DECLARED,
               ReviewSheet.status == SheetStatus.SUBMITTED)
        .group_by(ReviewAssignment.reviewer_id)).all())


@dataclass
class Row:
    """One reviewer of a stage, as the officer's page and the statements read it."""
    reviewer: User
    derived: int | None  # a 서면평가's submitted sheets; None where the officer records sessions
    attendance: HonorariumAttendance | None

    @property
    def sessions(self) -> int:
        if self.attendance is not None:
            return self.attendance.sessions
        return self.derived or 0

    @property
    def travel(self) -> bool:
        return self.attendance is not None and self.attendance.travel

    @property
    def stale(self) -> bool:
        """Confirmed, but the sheets changed since: the count must be confirmed again."""
        return self.attendance is not None and self.derived is not None and self.attendance.sessions != self.derived

    @property
    def confirmed(self) -> bool:
        return self.attendance is not None and not self.stale


def rows(stage: EvaluationStage) -> list[Row]:
    """The stage's reviewers (live seats, or a confirmed attendance), by name."""
    written = stage.kind == StageKind.WRITTEN
    counts = sheet_counts(stage) if written else {}
    seated = set(db.session.scalars(select(ReviewAssignment.reviewer_id).where(
        ReviewAssignment.stage_id == stage.id, ReviewAssignment.coi_status.in_(ACTIVE_COI))))
    recorded = {a.reviewer_id: a for a in db.session.scalars(
        select(HonorariumAttendance).where(HonorariumAttendance.stage_id == stage.id))}
    ids = seated | set(counts) | set(recorded)
    users = db.session.scalars(select(User).where(User.id.in_(ids))).all() if ids else []
    return sorted((Row(u, counts.get(u.id, 0) if written else None, recorded.get(u.id)) for u in users),
                  key=lambda r: (r.reviewer.name, r.reviewer.id))


def item_of(stage: EvaluationStage, rate: HonorariumRate, row: Row) -> Item:
    return Item(describe(stage, rate.basis, row.sessions), row.sessions, rate.amount_won,
                rate.travel_won if row.travel else 0)


@dataclass
class StageLine:
    """One item of a reviewer's statement: frozen once paid, computed until then."""
    stage: EvaluationStage
    description: str
    gross: int
    income_tax: int
    local_tax: int
    net: int
    travel: int
    payable: int
    paid_at: object = None  # the batch's closing time once paid
    confirmed: bool = False
    affiliation: str | None = None  # as frozen in the payment

    @classmethod
    def computed(cls, stage: EvaluationStage, line: Line, confirmed: bool) -> StageLine:
        return cls(stage, line.item.description, line.gross, line.tax.income_tax, line.tax.local_tax, line.net,
                   line.travel, line.payable, None, confirmed)

    @classmethod
    def frozen(cls, stage: EvaluationStage, p: HonorariumPayment) -> StageLine:
        return cls(stage, p.description, p.gross, p.income_tax, p.local_tax, p.net, p.travel_won, p.payable,
                   p.batch.closed_at, True, p.affiliation)


@dataclass
class ReviewerStatement:
    reviewer: User
    lines: list[StageLine]

    def _sum(self, name: str) -> int:
        return sum(getattr(line, name) for line in self.lines)

    gross = property(lambda self: self._sum("gross"))
    income_tax = property(lambda self: self._sum("income_tax"))
    local_tax = property(lambda self: self._sum("local_tax"))
    net = property(lambda self: self._sum("net"))
    travel = property(lambda self: self._sum("travel"))
    payable = property(lambda self: self._sum("payable"))


def statements(call: Call, reviewer_id: int | None = None) -> list[ReviewerStatement]:
    """Every reviewer's statement for the call (or only ``reviewer_id``'s), items in stage order."""
    by_reviewer: dict[int, ReviewerStatement] = {}
    settings = honoraria.configured()
    for stage in stage_scope.evaluation_stages(call):
        batch = batch_of(stage)
        if batch is not None:
            for p in batch.payments:
                if reviewer_id in (None, p.reviewer_id):
                    by_reviewer.setdefault(p.reviewer_id, ReviewerStatement(p.reviewer, [])).lines.append(
                        StageLine.frozen(stage, p))
            continue
        rate = rate_of(stage)
        if rate is None:
            continue
        for row in rows(stage):
            if reviewer_id not in (None, row.reviewer.id):
                continue
            line, = honoraria.statement([item_of(stage, rate, row)], settings).lines
            if line.payable:
                by_reviewer.setdefault(row.reviewer.id, ReviewerStatement(row.reviewer, [])).lines.append(
                    StageLine.computed(stage, line, row.confirmed))
    return sorted(by_reviewer.values(), key=lambda s: (s.reviewer.name, s.reviewer.id))


def statement_of(call: Call, reviewer: User) -> ReviewerStatement | None:
    found = statements(call, reviewer.id)
    return found[0] if found else None


def calls_of_reviewer(reviewer: User) -> list[Call]:
    """Calls with a rate for a stage the reviewer sat in, or a payment to them."""
    rated = select(HonorariumRate.call_id).join(ReviewAssignment, ReviewAssignment.stage_id == HonorariumRate.stage_id) \
        .where(ReviewAssignment.reviewer_id == reviewer.id)
    paid = select(HonorariumBatch.call_id).join(HonorariumPayment).where(HonorariumPayment.reviewer_id == reviewer.id)
    return list(db.session.scalars(select(Call).where(Call.id.in_(rated.union(paid))).order_by(Call.id.desc())))


def calls_for_finance(user: User) -> list[Call]:
    """Calls with a rate set, newest first: the agency's for its finance, every one for an admin."""
    query = select(Call).where(Call.id.in_(select(HonorariumRate.call_id))).order_by(Call.id.desc())
    if not user.has_role("admin"):
        query = query.join(Programme).where(Programme.agency_id == user.acting_organisation_id)
    return list(db.session.scalars(query))


def profile_of(user: User) -> ReviewerProfile | None:
    return db.session.scalar(select(ReviewerProfile).where(ReviewerProfile.user_id == user.id))


def affiliation_of(user: User, call: Call) -> str:
    return affiliations_of([user], call)[user.id]


def affiliations_of(users: list[User], call: Call) -> dict[int, str]:
    """Each reviewer's affiliation as statements print it — the profile's, else the name the officer
    gave when inviting them to the call, else their organisation's — in a few queries for any number."""
    ids = [u.id for u in users]
    if not ids:
        return {}
    profiles = {p.user_id: p.affiliation for p in db.session.scalars(
        select(ReviewerProfile).where(ReviewerProfile.user_id.in_(ids))
        .options(selectinload(ReviewerProfile.organisation)))}
    invited = dict(db.session.execute(select(ReviewerPoolEntry.user_id, ReviewerPoolEntry.organisation_name)
                                      .where(ReviewerPoolEntry.call_id == call.id,
                                             ReviewerPoolEntry.user_id.in_(ids))).all())
    return {u.id: profiles.get(u.id) or invited.get(u.id) or (u.organisation.name if u.organisation else "")
            for u in users}


# --- changing ------------------------------------------------------------------------------

def _lock_open(stage: EvaluationStage) -> None:
    """The stage's row lock serialises rates, attendance and closing; a closed batch refuses them all."""
    db.session.execute(select(EvaluationStage.id).where(EvaluationStage.id == stage.id).with_for_update())
    if batch_of(stage) is not None:
        raise HonorariumError(_("이 단계의 평가수당은 지급이 확정되어 바꿀 수 없습니다."))


def _amount(value, field: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise HonorariumError(_("금액은 0원 이상의 정수(원 단위)로 입력하세요."), field=field)
    if value > MAX_WON:
        raise HonorariumError(_("금액이 너무 큽니다. 1,000조원 이하로 입력하십시오."), field=field)
    return value


def set_rate(stage: EvaluationStage, actor: User, *, basis: str, amount_won, travel_won=0) -> HonorariumRate:
    _lock_open(stage)
    if basis not in bases_for(stage):
        raise HonorariumError(_("이 평가 단계에 맞는 지급 기준을 고르십시오."), field="basis")
    amount, travel = _amount(amount_won, "amount_won"), _amount(travel_won, "travel_won")
    rate = rate_of(stage)
    before = ({"basis": rate.basis, "amount_won": rate.amount_won, "travel_won": rate.travel_won}
              if rate is not None else {})
    after = {"basis": basis, "amount_won": amount, "travel_won": travel}
    if before == after:
        return rate
    if rate is None:
        rate = HonorariumRate(call_id=stage.call_id, stage_id=stage.id)
    rate.basis, rate.amount_won, rate.travel_won, rate.updated_by_id = basis, amount, travel, actor.id
    db.session.add(rate)
    audit.record(actor, "honorarium.rate", rate, call=stage.call_id, stage_id=stage.id,
                 changes=audit.changes(before, after))
    return rate


@dataclass(frozen=True)
class Entry:
    """What the officer confirms for one reviewer: sessions (ignored in a 서면평가) and travel."""
    reviewer_id: int
    sessions: int | None
    travel: bool


def record_attendance(stage: EvaluationStage, actor: User, entries: list[Entry]) -> int:
    """Confirm every listed reviewer's sessions and travel; all or nothing. Returns the rows changed.

    A refusal names the entry's field the way the form's list does (``rows-2-sessions``).
    """
    _lock_open(stage)
    current = {r.reviewer.id: r for r in rows(stage)}
    written = stage.kind == StageKind.WRITTEN
    changed = 0
    for index, entry in enumerate(entries):
        row = current.get(entry.reviewer_id)
        if row is None:
            # Only a tampered form names someone off the panel: said above the table, not beside a row.
            raise HonorariumError(_("이 단계의 평가위원이 아닙니다."))
        sessions = row.derived if written else entry.sessions
        if not isinstance(sessions, int) or isinstance(sessions, bool) or not 0 <= sessions <= MAX_SESSIONS:
            raise HonorariumError(_("횟수는 0에서 %(n)d 사이의 정수로 입력하십시오.", n=MAX_SESSIONS),
                                  field=f"rows-{index}-sessions")
        a = row.attendance
        before = {"sessions": a.sessions, "travel": a.travel} if a is not None else {}
        after = {"sessions": sessions, "travel": bool(entry.travel)}
        if before == after:
            continue
        if a is None:
            a = HonorariumAttendance(stage_id=stage.id, reviewer_id=entry.reviewer_id)
        a.sessions, a.travel = sessions, bool(entry.travel)
        a.confirmed_at, a.confirmed_by_id = clock.now(), actor.id
        db.session.add(a)
        audit.record(actor, "honorarium.attendance", a, call=stage.call_id, stage_id=stage.id,
                     reviewer_id=entry.reviewer_id, changes=audit.changes(before, after))
        changed += 1
    return changed


def close_batch(stage: EvaluationStage, actor: User) -> HonorariumBatch:
    """Finance pays the stage: every reviewer's item is frozen as it stands now."""
    _lock_open(stage)
    rate = rate_of(stage)
    if rate is None:
        raise HonorariumError(_("이 단계의 지급 기준이 아직 정해지지 않았습니다."), field="confirm")
    stage_rows = rows(stage)
    if not stage_rows:
        raise HonorariumError(_("이 단계에는 지급할 평가위원이 없습니다."), field="confirm")
    waiting = [r.reviewer.name for r in stage_rows if not r.confirmed]
    if waiting:
        raise HonorariumError(_("담당자가 참석(평가 건수)을 확인하지 않은 평가위원이 있습니다: %(names)s",
                                names=", ".join(waiting)), field="confirm")
    settings = honoraria.configured()
    call = stage.call
    batch = HonorariumBatch(call_id=stage.call_id, stage_id=stage.id, closed_at=clock.now(), closed_by_id=actor.id,
                            settings={k: str(v) for k, v in vars(settings).items()})
    db.session.add(batch)
    affiliations = affiliations_of([r.reviewer for r in stage_rows], call)
    for row in stage_rows:
        line, = honoraria.statement([item_of(stage, rate, row)], settings).lines
        if not line.payable:
            continue
        batch.payments.append(HonorariumPayment(
            reviewer_id=row.reviewer.id, name=row.reviewer.name, affiliation=affiliations[row.reviewer.id][:200],
            description=line.item.description, basis=rate.basis, sessions=line.item.sessions,
            rate_won=rate.amount_won, gross=line.gross, income_tax=line.tax.income_tax,
            local_tax=line.tax.local_tax, net=line.net, travel_won=line.travel, payable=line.payable))
    audit.record(actor, "honorarium.batch_closed", batch, call=stage.call_id, stage_id=stage.id,
                 reviewers=len(batch.payments), gross=sum(p.gross for p in batch.payments),
                 payable=sum(p.payable for p in batch.payments))
    return batch
