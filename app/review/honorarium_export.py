"""Finance's batch table of a call's 평가수당: one row per reviewer item, with the bank details.

Paid items come from their closed batch as frozen; the others are computed from today's rates
and attendance and marked as not paid yet. The account number is whole only for a finance user
(``access.can_read_bank_details``); anyone else (the call's officers, an admin) gets the masked
form, and neither the bank nor the holder. Amounts are int won so a spreadsheet adds them up.
"""
from __future__ import annotations

from sqlalchemy import select

from app import access, audit
from app.core import clock
from app.extensions import db
from app.models import Call, ReviewerProfile, User
from app.review import bank, honorarium_service

Table = tuple[list[str], list[list[object]]]

HEADERS = ["평가 단계", "지급 상태", "성명", "소속", "내역", "지급액(원)", "소득세(원)", "지방소득세(원)",
           "차인지급액(원)", "여비(원)", "입금액(원)", "은행", "계좌번호", "예금주"]


def _bank_columns(user: User | None, profile: ReviewerProfile | None, full: bool) -> list[str]:
    if profile is None:
        return ["", "", ""]
    if full:
        details = bank.read_as(user, profile)
        return [details.bank, details.account_no, details.holder] if details else ["", "", ""]
    return ["", bank.masked(profile), ""]


def batch_table(call: Call, viewer: User) -> Table:
    full = access.can_read_bank_details(viewer)
    statements = honorarium_service.statements(call)
    ids = [s.reviewer.id for s in statements]
    profiles = {p.user_id: p for p in db.session.scalars(
        select(ReviewerProfile).where(ReviewerProfile.user_id.in_(ids)))} if ids else {}
    affiliations = honorarium_service.affiliations_of([s.reviewer for s in statements], call)
    rows = []
    opened: list[int] = []  # whose account numbers this table shows in full
    for s in statements:
        columns = _bank_columns(viewer, profiles.get(s.reviewer.id), full)
        if full and columns[1]:
            opened.append(s.reviewer.id)
        for line in s.lines:
            if line.paid_at is not None:
                status = "지급 확정 " + clock.to_kst(line.paid_at).strftime("%Y-%m-%d")
            else:
                status = "미확정 (확인 완료)" if line.confirmed else "미확정 (확인 전)"
            rows.append([honorarium_service.kind_label(line.stage.kind), status, s.reviewer.name,
                         line.affiliation or affiliations[s.reviewer.id], line.description, line.gross, line.income_tax,
                         line.local_tax, line.net, line.travel, line.payable, *columns])
    if opened:
        # Reading bank details is itself on the record: who took which people's numbers, when.
        audit.record(viewer, "honorarium.bank_details_read", call, reviewer_ids=opened)
    return HEADERS, rows
