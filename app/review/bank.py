"""Reviewers' bank details for honoraria: sealed at rest, read in full only by finance.

The details live in ``ReviewerProfile.bank_sealed``, sealed (app/core/sealing.py) with the
context ``bank:<profile id>``, so a value copied into another reviewer's row does not open.
The reviewer writes their own and sees them masked ("국민 ***-****-1234"); only a user with
the finance role reads them whole (``read_as``, ``access.can_read_bank_details``). The audit
log records that the details changed and their masked form, never the number.
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass

from flask_babel import lazy_gettext as _l

from app import access, audit
from app.core import sealing
from app.core.errors import ReviewError
from app.extensions import db
from app.models.pool import ReviewerProfile

MAX_BANK = 50
MAX_HOLDER = 100
# Korean account numbers run from 10 to 14 digits; a little slack either side for others.
_ACCOUNT = re.compile(r"[0-9]+(?:-[0-9]+)*")
MIN_DIGITS, MAX_DIGITS = 8, 20


class BankError(ReviewError):
    pass


@dataclass(frozen=True)
class BankDetails:
    bank: str
    account_no: str
    holder: str


def context(profile: ReviewerProfile) -> str:
    return f"bank:{profile.id}"


def clean(details: BankDetails) -> BankDetails:
    """The details as stored (trimmed), or a refusal naming the field at fault."""
    bank, account, holder = (details.bank or "").strip(), (details.account_no or "").strip(), (details.holder or "").strip()
    if not bank or len(bank) > MAX_BANK:
        raise BankError(_l("은행명을 %(n)d자 이내로 입력하십시오.", n=MAX_BANK), field="bank")
    digits = account.replace("-", "")
    if not _ACCOUNT.fullmatch(account) or not MIN_DIGITS <= len(digits) <= MAX_DIGITS:
        raise BankError(_l("계좌번호는 숫자(0-9)와 하이픈(-)으로 %(lo)d~%(hi)d자리를 입력하십시오.",
                           lo=MIN_DIGITS, hi=MAX_DIGITS), field="account_no")
    if not holder or len(holder) > MAX_HOLDER:
        raise BankError(_l("예금주를 %(n)d자 이내로 입력하십시오.", n=MAX_HOLDER), field="holder")
    return BankDetails(bank=bank, account_no=account, holder=holder)


def write(profile: ReviewerProfile, details: BankDetails, actor) -> None:
    """Seal the details into the profile (the caller commits); audited without the number."""
    details = clean(details)
    if profile.id is None:
        db.session.flush()  # the context names the row
    before = masked(profile)
    profile.bank_sealed = sealing.seal(json.dumps(asdict(details), ensure_ascii=False), context(profile))
    after = masked(profile)
    audit.record(actor, "reviewer.bank_details_set", profile, user_id=profile.user_id,
                 changes=audit.changes({"bank_details": before}, {"bank_details": after}))


def read(profile: ReviewerProfile) -> BankDetails | None:
    """The details in full, or None when none are stored or they do not open here.

    For code that has already asked ``access.can_read_bank_details`` (the finance export);
    a page shows ``masked`` or goes through ``read_as``.
    """
    if not profile.bank_sealed or profile.id is None:
        return None
    plain = sealing.unseal(profile.bank_sealed, context(profile))
    if plain is None:
        return None
    try:
        data = json.loads(plain)
        return BankDetails(bank=data["bank"], account_no=data["account_no"], holder=data["holder"])
    except (ValueError, KeyError, TypeError):
        return None


def read_as(user, profile: ReviewerProfile) -> BankDetails | None:
    """The details in full for a finance user; anyone else is refused."""
    if not access.can_read_bank_details(user):
        raise BankError(_l("계좌 정보 전체는 재무 담당자만 볼 수 있습니다."))
    return read(profile)


def mask_account(account_no: str) -> str:
    """Every digit but the last four hidden, hyphens kept: "123-4567-8901" -> "***-****-8901"."""
    total = sum(c.isdigit() for c in account_no)
    seen, out = 0, []
    for c in account_no:
        if c.isdigit():
            seen += 1
            out.append(c if seen > total - 4 else "*")
        else:
            out.append(c)
    return "".join(out)


def masked(profile: ReviewerProfile) -> str:
    """"국민은행 ***-****-1234 (홍길동)", or "" when there are none (or they do not open)."""
    details = read(profile)
    if details is None:
        return ""
    return f"{details.bank} {mask_account(details.account_no)} ({details.holder})"
