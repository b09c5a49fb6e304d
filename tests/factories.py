"""factory-boy factories on the app's session.

``CallFactory`` builds the 2025 AX call's configuration (complexes, infrastructure
types, rubric) with a window that is open at the current (possibly frozen) clock.
"""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from itertools import count

import factory
from factory.alchemy import SQLAlchemyModelFactory

from app.extensions import db
from app.models import (
    Call, Consortium, ConsortiumMember, IndustrialComplex, InfraType, Organisation, Programme,
    Proposal, RequiredAttachment, User,
)
from app.demo import ax2025
from app.accounts import brn
from app.core import clock
from app.accounts.passwords import hash_password

PASSWORD = "Correct-horse-9"
_brn_seq = count(100_000_001)


def next_brn() -> str:
    return brn.with_check_digit(str(next(_brn_seq))[:9])


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731 - the app context's session
        sqlalchemy_session_persistence = "flush"


class OrganisationFactory(Base):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"기관 {n}")
    type = "public_agency"
    region = "경남"
    brn = factory.LazyFunction(next_brn)


class UserFactory(Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.kr")
    name = factory.Sequence(lambda n: f"사용자{n}")
    password_hash = factory.LazyFunction(lambda: hash_password(PASSWORD))
    organisation = factory.SubFactory(OrganisationFactory)
    locale = "ko"
    # Verified unless a test says otherwise (``email_verified_at=None``): most tests are not about it.
    email_verified_at = factory.LazyFunction(clock.now)

    @factory.post_generation
    def roles(obj, create, extracted, **kwargs):
        for role in extracted or ("applicant",):
            obj.grant(role)

    @factory.post_generation
    def confirmed(obj, create, extracted, **kwargs):
        """``UserFactory(confirmed=False)``: a newcomer whose membership awaits a colleague.

        Passing ``organisation_confirmed_at=None`` does not do it: the column's default fires
        on a None at INSERT.
        """
        if extracted is False:
            obj.organisation_confirmed_at = None
            if create:
                db.session.flush()


class ComplexFactory(Base):
    class Meta:
        model = IndustrialComplex
        sqlalchemy_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"산단{n}")
    region = "경남"
    designated_year = 2022


class ProgrammeFactory(Base):
    class Meta:
        model = Programme

    name = "AX 실증산단 구축사업"
    ministry = "산업통상자원부"
    agency = factory.SubFactory(OrganisationFactory, name="한국산업단지공단", type="public_agency")


class CallFactory(Base):
    class Meta:
        model = Call

    programme = factory.SubFactory(ProgrammeFactory)
    code = factory.Sequence(lambda n: f"AX-{2025 + n}")
    title = "2025년 AX 실증산단 구축사업 공모"
    description_md = ax2025.DESCRIPTION_MD
    opens_at = factory.LazyFunction(lambda: clock.now() - timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: clock.now() + timedelta(days=30))
    awards = ax2025.AWARDS
    per_award_cap = ax2025.PER_AWARD_CAP
    total_cap = ax2025.TOTAL_CAP
    first_year = ax2025.FIRST_YEAR
    last_year = ax2025.LAST_YEAR
    min_local_ratio = Decimal(ax2025.MIN_LOCAL_RATIO)
    rubric = factory.LazyFunction(ax2025.rubric)
    policy = factory.LazyFunction(ax2025.policy)
    phase = "published"

    @factory.post_generation
    def setup(obj, create, extracted, **kwargs):
        names = kwargs.get("complexes")
        rows = ax2025.COMPLEXES if names is None else [c for c in ax2025.COMPLEXES if c[0] in names]
        for name, region, year in rows:
            obj.complexes.append(ComplexFactory(name=name, region=region, designated_year=year))
        for i, (key, ko, en) in enumerate(ax2025.INFRA_TYPES):
            obj.infra_types.append(InfraType(key=key, label_ko=ko, label_en=en, position=i))
        kinds = ax2025.ATTACHMENT_KINDS if kwargs.get("attachments", True) else []
        for i, (key, ko, en, required) in enumerate(kinds):
            obj.attachment_kinds.append(RequiredAttachment(key=key, label_ko=ko, label_en=en, required=required, position=i))
        db.session.flush()


class ConsortiumFactory(Base):
    class Meta:
        model = Consortium

    name = factory.Sequence(lambda n: f"컨소시엄 {n}")
    lead_org = factory.SubFactory(OrganisationFactory)
    created_by_id = factory.LazyAttribute(lambda o: UserFactory(organisation=o.lead_org).id)

    @factory.post_generation
    def lead_member(obj, create, extracted, **kwargs):
        obj.members.append(confirmed_member(obj.lead_org, "lead"))
        db.session.flush()


def confirmed_member(organisation, role: str) -> ConsortiumMember:
    """A member organisation that has accepted its listing: what most tests mean by "a member"."""
    return ConsortiumMember(organisation=organisation, role=role, confirmed_at=clock.now())


def applicant_with_consortium(**user_kwargs):
    """An applicant whose organisation leads a fresh consortium."""
    user = UserFactory(**user_kwargs)
    consortium = ConsortiumFactory(lead_org=user.organisation, created_by_id=user.id)
    return user, consortium


class ProposalFactory(Base):
    class Meta:
        model = Proposal

    call = factory.SubFactory(CallFactory)
    consortium = factory.SubFactory(ConsortiumFactory)
    created_by_id = factory.LazyAttribute(lambda o: o.consortium.created_by_id)
    title = "창원국가산단 AX 실증산단 구축"
