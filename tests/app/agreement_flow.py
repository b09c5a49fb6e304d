"""Steps of the agreement through its services, for the agreement tests: each returns what it made."""
from __future__ import annotations

from datetime import date

from app.agreements import document, opening, revision
from app.extensions import db
from app.proposals import drafts
from tests.app.award_builders import announced_selection
from tests.app.builders import SECTION_TEXTS, set_text
from tests.factories import OrganisationFactory, UserFactory, confirmed_member


def with_member():
    """(call, officer, proposal, lead applicant, member applicant): a university joined the consortium."""
    call, officer, proposal, applicant = announced_selection()
    org = OrganisationFactory(type="university", name="한국공과대학교")
    proposal.consortium.members.append(confirmed_member(org, "university"))
    member = UserFactory(organisation=org)
    db.session.commit()
    return call, officer, proposal, applicant, member


def complete(proposal) -> None:
    """Fill what the factory's proposal leaves out, so the revised plan passes the submission rules
    (texts, strategic industries, the budget table equal to the items' sum)."""
    proposal.strategic_industries = proposal.strategic_industries or "기계, 자동차부품"
    for key, body in SECTION_TEXTS.items():
        set_text(proposal, key, proposal.text(key) or body)
    planned = sum(i.budget for i in proposal.infra_items) + sum(p.budget for p in proposal.poc_plans)
    proposal.infra_items[0].budget += proposal.total_budget - planned
    db.session.commit()


def opened(proposal, officer):
    complete(proposal)
    agreement = opening.open_agreement(proposal, officer, "평가위원 의견: PoC 성과지표의 목표값을 구체화할 것.")
    db.session.commit()
    return agreement


def revised(agreement, applicant, title: str = "창원 AX 실증산단 (보완)"):
    drafts.save_overview(agreement.proposal, applicant, {"title": title})
    db.session.commit()
    made = revision.submit(agreement, applicant, "사업명과 성과지표 목표를 보완했습니다.")
    db.session.commit()
    return made


def issued(agreement, officer, conditions: str = "실증 결과는 매년 공개 발표회에서 공유한다."):
    revision.accept(agreement, officer)
    document.set_terms(agreement, officer, date(2025, 7, 1), date(2028, 12, 31), conditions)
    document.issue(agreement, officer)
    db.session.commit()
    return agreement
