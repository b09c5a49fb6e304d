"""The agreement document (협약서): its terms, the PDF typeset from the accepted plan, its issue.

The PDF is made once, when the officer issues it, and kept in the content-addressed blob store;
its SHA-256 is what every signature is bound to. It is typeset in Korean whatever the officer's
language (the document is the agreement, not a view of it), and ``KoreanDocument`` writes
invariant output, so the same terms give the same bytes.
"""
from __future__ import annotations

import io
from datetime import date, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from app import audit
from app.core import clock
from app.core.errors import AgreementsError
from app.core.money import eok
from app.core.pdf import KoreanDocument
from app.extensions import db
from app.models import Organisation
from app.models.agreements import Agreement, AgreementSignature, AgreementStatus
from app.models.consortia import MemberRole
from app.agreements import notices
from app.agreements.revision import lock
from app.notifications import outbox
from app.proposals import attachments, blobs
from app.proposals.consortia import ROLE_LABELS
from app.proposals.drafts import SOURCE_LABELS

AGREEMENT_SIGNING_DAYS = 30
AGENCY = "agency"
MAX_CONDITIONS = 20000


def signing_days() -> int:
    return int(current_app.config.get("AGREEMENT_SIGNING_DAYS", AGREEMENT_SIGNING_DAYS))


def default_period(agreement: Agreement) -> tuple[date, date]:
    call = agreement.call
    return date(call.first_year, 1, 1), date(call.last_year, 12, 31)


def party_label(party: str) -> str:
    return _("전담기관") if party == AGENCY else str(ROLE_LABELS.get(party, party))


def set_terms(agreement: Agreement, actor, start: date | None, end: date | None, conditions: str) -> Agreement:
    """The period and the special conditions (특수조건), while the document is drafted."""
    agreement = lock(agreement)
    if agreement.status != AgreementStatus.DRAFTING:
        raise AgreementsError(_("보완 계획이 승인된 뒤, 협약서를 발급하기 전에만 협약 조건을 정할 수 있습니다."))
    first, last = default_period(agreement)
    if start is None:
        raise AgreementsError(_("협약 시작일을 입력하십시오."), field="period_start")
    if end is None:
        raise AgreementsError(_("협약 종료일을 입력하십시오."), field="period_end")
    if not first <= start <= last:
        raise AgreementsError(_("협약 기간은 공모의 사업 연도(%(a)d–%(b)d년) 안이어야 합니다.", a=first.year, b=last.year),
                              field="period_start")
    if not start < end <= last:
        raise AgreementsError(_("협약 종료일은 시작일 뒤, %(b)d년 12월 31일까지여야 합니다.", b=last.year),
                              field="period_end")
    conditions = (conditions or "").strip()
    if len(conditions) > MAX_CONDITIONS:
        raise AgreementsError(_("%(max)d자 이내로 입력하십시오.", max=MAX_CONDITIONS), field="special_conditions")
    before = _terms(agreement)
    agreement.period_start, agreement.period_end, agreement.special_conditions = start, end, conditions
    audit.record(actor, "agreement.terms_set", agreement, changes=audit.changes(before, _terms(agreement)))
    return agreement


def _terms(a: Agreement) -> dict:
    return {"period_start": a.period_start, "period_end": a.period_end, "special_conditions": a.special_conditions}


def _parties(agreement: Agreement) -> list[AgreementSignature]:
    """Lead first, then the other confirmed members in the order they joined, the agency last."""
    consortium = agreement.proposal.consortium
    rows = [AgreementSignature(organisation_id=consortium.lead_org_id, party=MemberRole.LEAD, position=0)]
    for m in consortium.confirmed_members:
        if m.organisation_id != consortium.lead_org_id:
            rows.append(AgreementSignature(organisation_id=m.organisation_id, party=m.role, position=len(rows)))
    rows.append(AgreementSignature(organisation_id=agreement.call.programme.agency_id, party=AGENCY,
                                   position=len(rows)))
    return rows


def issue(agreement: Agreement, actor) -> Agreement:
    """Typeset the document, keep it, and open the signing: every party in order, the agency last."""
    agreement = lock(agreement)
    if agreement.status != AgreementStatus.DRAFTING:
        raise AgreementsError(_("보완 계획이 승인된 협약만 협약서를 발급할 수 있습니다."))
    if agreement.accepted_revision is None:
        raise AgreementsError(_("승인된 보완 계획이 없습니다."))
    if agreement.period_start is None or agreement.period_end is None:
        raise AgreementsError(_("먼저 협약 기간을 정하십시오."), field="period_start")
    at = clock.now()
    agreement.signatures = _parties(agreement)
    db.session.flush()
    data = render(agreement, at)
    try:
        kept = blobs.keep(io.BytesIO(data), f"agreement-{agreement.id}.pdf", len(data) + 1)
    except attachments.AttachmentError as exc:  # the store refused our own PDF: a fault, not the user's
        raise RuntimeError(f"agreement document not stored: {exc.message}") from None
    before = {"status": agreement.status}
    agreement.document_key, agreement.document_sha256, agreement.document_size = kept.storage_key, kept.sha256, kept.size
    agreement.issued_at = at
    agreement.sign_due_at = at + timedelta(days=signing_days())
    agreement.status = AgreementStatus.SIGNING
    audit.record(actor, "agreement.issued", agreement, sha256=kept.sha256, size=kept.size,
                 sign_due_at=agreement.sign_due_at.isoformat(),
                 parties=[{"organisation_id": s.organisation_id, "party": s.party} for s in agreement.signatures],
                 changes=audit.changes(before, {"status": agreement.status}))
    notices.send(agreement, notices.consortium_people(agreement), "issued", "issued",
                 outbox.notice("[%(call)s] 협약서가 발급되었습니다. %(due)s까지 서명하십시오.",
                               call=agreement.call.title, due=notices.due_text(agreement.sign_due_at)),
                 due=agreement.sign_due_at)
    return agreement


def key(agreement: Agreement) -> str | None:
    return agreement.document_key or None


def filename(agreement: Agreement) -> str:
    return f"{agreement.proposal.receipt_no or agreement.id}-agreement.pdf"


def _won(amount) -> str:
    return f"{int(amount or 0):,}"


def render(agreement: Agreement, at) -> bytes:
    with force_locale("ko"):
        return _render(agreement, at)


def _render(agreement: Agreement, at) -> bytes:
    plan = agreement.accepted_revision.snapshot
    proposal = agreement.proposal
    call = agreement.call
    title = (plan.get("overview") or {}).get("title") or proposal.title
    doc = KoreanDocument(_("협약서") + f": {title}", subject=f"{call.title} · {proposal.receipt_no or ''}",
                         author=call.title)
    doc.table([
        [_("공모"), f"{call.title} ({call.code})"],
        [_("접수번호"), proposal.receipt_no or "-"],
        [_("사업명"), title],
        [_("협약 기간"), f"{agreement.period_start:%Y-%m-%d} ~ {agreement.period_end:%Y-%m-%d}"],
        [_("발급일"), clock.to_kst(at).strftime("%Y-%m-%d")],
        [_("사업계획"), _("보완 계획 제%(n)d판 (승인)", n=agreement.accepted_revision.number)],
    ], header=False, widths=[0.25, 0.75])

    doc.heading(_("협약 당사자"))
    orgs = {o.id: o for o in db.session.scalars(db.select(Organisation).where(
        Organisation.id.in_([s.organisation_id for s in agreement.signatures])))}
    doc.table([[_("순서"), _("기관"), _("구분"), _("사업자등록번호")]]
              + [[str(s.position + 1), orgs[s.organisation_id].name, party_label(s.party),
                  orgs[s.organisation_id].brn_display] for s in agreement.signatures],
              widths=[0.1, 0.45, 0.2, 0.25])

    budget = plan["budget"]
    doc.heading(_("연도별 사업비") + " " + _("(단위: 원)"))
    doc.table([[_("연도"), *[str(SOURCE_LABELS.get(s, s)) for s in budget["sources"]], _("합계")]]
              + [[str(row["year"]), *[_won(row.get(s)) for s in budget["sources"]], _won(row["total"])]
                 for row in budget["rows"]]
              + [[_("합계"), *[_won(budget["totals"].get(s)) for s in budget["sources"]],
                  _won(budget["totals"]["total"])]])
    totals = budget["totals"]
    private = (totals.get("private_cash") or 0) + (totals.get("private_inkind") or 0)
    doc.paragraph(_("총사업비") + f" {eok(totals['total'])} · " + _("국비") + f" {eok(totals.get('national') or 0)} · "
                  + _("지방비") + f" {eok(totals.get('local') or 0)} · " + _("민간부담금") + f" {eok(private)}")

    doc.heading(_("실증(PoC)별 성과지표"))
    for n, poc in enumerate(plan.get("poc_plans", []), 1):
        doc.paragraph(f"{n}. {poc.get('tenant_firm') or ''} · {_('사업비')} {_won(poc.get('budget'))}")
        kpis = [k for k in poc.get("kpis", []) if (k.get("name") or "").strip()]
        if kpis:
            doc.table([[_("성과지표"), _("단위"), _("기준값"), _("목표값")]]
                      + [[k["name"], k.get("unit") or "", k.get("baseline") or "", k.get("target") or ""] for k in kpis],
                      widths=[0.46, 0.14, 0.2, 0.2])
    if not plan.get("poc_plans"):
        doc.paragraph(_("(입력하지 않음)"))

    doc.heading(_("특수조건"))
    doc.paragraph(agreement.special_conditions or _("없음"))
    doc.heading(_("서명"))
    doc.paragraph(_("협약 당사자는 위 순서대로 포털에서 본인 확인(비밀번호, 설정한 경우 일회용 코드)을 거쳐 이 문서의 "
                    "SHA-256 값을 확인하고 서명합니다. 서명 기록은 포털에 보관됩니다."))
    return doc.render()
