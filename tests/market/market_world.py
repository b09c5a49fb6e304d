"""Rows for the marketplace tests: a firm with a need, a supplier with a capability, an outsider."""
from __future__ import annotations

from dataclasses import dataclass

from app.extensions import db
from app.models.calls import IndustrialComplex
from app.models.marketplace import (
    Alliance, AllianceMember, Capability, Need, ResearchGroup, TaskCandidate, TaskNeed, TaskSupplier,
)
from tests.factories import ComplexFactory, OrganisationFactory, UserFactory


@dataclass
class Market:
    firm: object
    supplier: object
    outsider: object
    need: Need
    capability: Capability
    complex: IndustrialComplex


def need_row(user, complex_=None, **kw) -> Need:
    values = dict(organisation_id=user.organisation_id, created_by_id=user.id, title="사출성형품 외관 불량 자동 검출",
                  complex_id=complex_.id if complex_ else None, region="경남", industry="자동차 부품",
                  process="사출성형", problem="사출성형 제품의 외관 불량을 육안으로 검출해 검사 누락이 잦습니다.",
                  data_available="검사 이미지 2만 장")
    values.update(kw)
    row = Need(**values)
    db.session.add(row)
    db.session.flush()
    return row


def capability_row(user, **kw) -> Capability:
    values = dict(organisation_id=user.organisation_id, created_by_id=user.id, title="사출 외관 검사 머신비전",
                  solutions="사출성형품 외관 검사용 머신비전과 딥러닝 불량 분류", reference_sites="창원국가산단 부품사",
                  industries="자동차 부품", regions="경남")
    values.update(kw)
    row = Capability(**values)
    db.session.add(row)
    db.session.flush()
    return row


def market() -> Market:
    complex_ = ComplexFactory(name="창원", region="경남", designated_year=2022)  # as the AX call names it
    firm = UserFactory(organisation=OrganisationFactory(name="㈜경남사출", type="tenant_company"))
    supplier = UserFactory(organisation=OrganisationFactory(name="㈜비전에이아이", type="ai_supplier"))
    outsider = UserFactory(organisation=OrganisationFactory(name="㈜다른회사", type="tenant_company"))
    need = need_row(firm, complex_)
    capability = capability_row(supplier)
    db.session.commit()
    return Market(firm, supplier, outsider, need, capability, complex_)


def task_for(m: Market, coordinator=None) -> TaskCandidate:
    alliance = Alliance(name="경남 산업 DX 융합얼라이언스", region="경남")
    alliance.members += [AllianceMember(organisation_id=m.firm.organisation_id),
                         AllianceMember(organisation_id=m.supplier.organisation_id)]
    group = ResearchGroup(alliance=alliance, name="스마트기계 연구회", industry="스마트기계",
                          coordinator_id=coordinator.id if coordinator else None)
    db.session.add_all([alliance, group])
    db.session.flush()
    task = TaskCandidate(group_id=group.id, title="사출 외관 검사 AI 실증", summary="창원 사출 기업의 외관 검사 자동화",
                         created_by_id=(coordinator or m.firm).id)
    task.needs.append(TaskNeed(need_id=m.need.id))
    task.suppliers.append(TaskSupplier(capability_id=m.capability.id))
    db.session.add(task)
    db.session.commit()
    return task


def world_thread(need_id: int) -> int:
    """The permission matrix's conversation (tests/security/conftest.py): a supplier outside every
    persona's organisation writes to X's lead about its need, so only X's people may read it."""
    from app.market import messaging

    writer = UserFactory(organisation=OrganisationFactory(name="㈜대화상대", type="ai_supplier"))
    thread = messaging.start(writer, db.session.get(Need, need_id), "보안 대화", "X 기관에만 보이는 메시지")
    return thread.id
