"""Signing: each party's authorised person, in order, re-authenticated, bound to the document's hash.

Certificate-based signing (공동인증서) is out of scope (README): a signature here is the signer's
password checked again (and the one-time code where the second factor is on) together with the
SHA-256 of the very document they confirm, stored with who signed and when. A wrong password or
code counts toward the login throttle like a failed sign-in, so the form cannot be used to guess.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app import access, audit
from app.accounts import credentials, login_throttle, totp
from app.core import clock
from app.core.errors import AgreementsError
from app.extensions import db
from app.models.agreements import Agreement, AgreementSignature, AgreementStatus
from app.models.projects import Project
from app.agreements import notices
from app.agreements.document import AGENCY
from app.agreements.revision import lock
from app.notifications import outbox
from app.projects import setup


class SigningRefused(AgreementsError):
    """Nothing signed. ``counted``: a failed re-authentication the caller commits (throttle, audit)."""

    def __init__(self, message, field: str = "", counted: bool = False):
        super().__init__(message, field=field)
        self.counted = counted


def project_of(agreement: Agreement) -> Project | None:
    return db.session.scalar(select(Project).where(Project.agreement_id == agreement.id))


def my_turn(agreement: Agreement, user) -> AgreementSignature | None:
    """The signature ``user`` may give now: the next one in order, if it is theirs."""
    if agreement.status != AgreementStatus.SIGNING:
        return None
    nxt = agreement.next_signature
    return nxt if nxt is not None and access.can_sign_for(user, nxt) else None


def waiting_for_others(agreement: Agreement, user) -> AgreementSignature | None:
    """A later signature of ``user``'s, while an earlier party has still to sign."""
    if agreement.status != AgreementStatus.SIGNING:
        return None
    return next((s for s in agreement.signatures if s.signed_at is None and access.can_sign_for(user, s)
                 and s is not agreement.next_signature), None)


def sign(agreement: Agreement, user, *, password: str, code: str, confirmed_sha256: str,
         client: str | None = None) -> AgreementSignature:
    agreement = lock(agreement)
    if agreement.status != AgreementStatus.SIGNING:
        raise SigningRefused(_("서명할 수 있는 협약서가 아닙니다."))
    signature = agreement.next_signature
    if signature is None or not access.can_sign_for(user, signature):
        if waiting_for_others(agreement, user) is not None:
            raise SigningRefused(_("서명 순서가 아닙니다. 앞 순서의 당사자가 서명한 뒤에 서명할 수 있습니다."))
        raise SigningRefused(_("이 협약서에 서명할 권한이 없습니다."))
    if (confirmed_sha256 or "").strip().lower() != agreement.document_sha256:
        raise SigningRefused(_("확인한 문서의 SHA-256 값이 발급된 협약서와 다릅니다. 페이지를 새로 고쳐 다시 확인하십시오."),
                             field="confirm")
    with_totp = _reauthenticate(user, password, code, client)
    at = clock.now()
    signature.signer_id = user.id
    signature.signer_name = user.name
    signature.signed_at = at
    signature.document_sha256 = agreement.document_sha256
    signature.with_totp = with_totp
    audit.record(user, "agreement.signed", agreement, party=signature.party, organisation_id=signature.organisation_id,
                 position=signature.position, sha256=agreement.document_sha256, with_totp=with_totp)
    nxt = agreement.next_signature
    if nxt is None:
        _complete(agreement, user, at)
    elif nxt.party == AGENCY:
        notices.send(agreement, notices.officers(agreement), "agency_turn", "agency-turn",
                     outbox.notice("[%(call)s] %(consortium)s의 협약서에 전담기관 서명 차례입니다.",
                                   call=agreement.call.title, consortium=agreement.proposal.consortium.name),
                     due=agreement.sign_due_at)
    else:
        notices.send(agreement, notices.applicants_of(nxt.organisation_id), "your_turn", f"turn{nxt.position}",
                     outbox.notice("[%(call)s] 협약서에 서명할 차례입니다.", call=agreement.call.title),
                     due=agreement.sign_due_at)
    return signature


def _reauthenticate(user, password: str, code: str, client: str | None) -> bool:
    """The password again, and the code where the second factor is on; True when a code was used."""
    client = login_throttle.client_key(client)
    moment = clock.now()
    wait = login_throttle.refusal(user.email, client, moment)
    if wait is not None:
        raise SigningRefused(_("비밀번호를 여러 번 틀렸습니다. %(s)d초 뒤에 다시 시도하십시오.",
                               s=login_throttle.wait_seconds(wait)), field="password")
    if not password or not credentials.check_password(user, password):
        _failed(user, client, moment, "wrong_password")
        raise SigningRefused(_("비밀번호가 맞지 않습니다."), field="password", counted=True)
    if not totp.is_enabled(user):
        return False
    try:
        totp.use(user, code, moment)
    except totp.CodeRefused as refused:
        if refused.reason == "unreadable":
            raise SigningRefused(_("일회용 코드를 확인할 수 없습니다. 관리자에게 문의하십시오."), field="code") from None
        _failed(user, client, moment, f"{refused.reason}_code")
        raise SigningRefused(_("일회용 코드가 맞지 않거나 이미 사용한 코드입니다."), field="code", counted=True) from None
    return True


def _failed(user, client: str, moment, reason: str) -> None:
    failures = login_throttle.fail(user.email, client, moment)
    audit.record(user, "agreement.sign_failed", user, reason=reason, failures=failures)


def _complete(agreement: Agreement, actor, at) -> None:
    """The agency signed last: the agreement is made and its project starts, in this transaction."""
    before = {"status": agreement.status}
    agreement.status = AgreementStatus.SIGNED
    agreement.signed_at = at
    audit.record(actor, "agreement.completed", agreement, sha256=agreement.document_sha256,
                 changes=audit.changes(before, {"status": agreement.status}))
    project = setup.start(agreement, actor)
    notices.send(agreement, notices.consortium_people(agreement), "signed", "signed",
                 outbox.notice("[%(call)s] 협약이 체결되었습니다. 과제 페이지에서 보고 일정을 확인하십시오.",
                               call=agreement.call.title),
                 endpoint="projects.show", project_id=project.id)
    notices.send(agreement, notices.officers(agreement), "signed", "signed-officer",
                 outbox.notice("[%(call)s] %(consortium)s의 협약이 체결되었습니다.", call=agreement.call.title,
                               consortium=agreement.proposal.consortium.name),
                 endpoint="projects.show", project_id=project.id)
