"""factory-boy factories on the app's session, with traits for the shapes tests keep asking for.

``CallFactory`` builds the 2025 AX call's configuration (complexes, infrastructure
types, rubric) with a window that is open at the current (possibly frozen) clock;
``CallFactory(closed=True)`` closed yesterday. ``UserFactory(unverified=True)`` has not
followed its verification link. ``ProposalFactory(submitted=True)`` is submitted with its
first version frozen, as ``submission.submit`` leaves it (without checking anything).
Content (complete proposals, submitted ones with facts) is built in ``tests/app/builders.py``.
"""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from itertools import count

import factory
from factory.alchemy import SQLAlchemyModelFactory

from app.extensions import db
from app.models import (
    Call, CallSection, Consortium, ConsortiumMember, IndustrialComplex, InfraType, Organisation, Programme,
    Proposal, ProposalVersion, RequiredAttachment, User,
)
from app.models.stages import default_procedure
from app.demo import ax2025
from app.accounts import brn
from app.core import clock
from app.accounts.passwords import hash_password
from app.proposals import snapshot

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
    # Verified unless a test says otherwise (``unverified=True``): most tests are not about it.
    email_verified_at = factory.LazyFunction(clock.now)

    class Params:
        unverified = factory.Trait(email_verified_at=None)

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

    class Params:
        # Closed yesterday after the 40-day window, reviews due in two weeks; still phase
        # "published": the clock closed it, nobody started the review yet.
        closed = factory.Trait(
            opens_at=factory.LazyFunction(lambda: clock.now() - timedelta(days=41)),
            closes_at=factory.LazyFunction(lambda: clock.now() - timedelta(days=1)),
            review_due_at=factory.LazyFunction(lambda: clock.now() + timedelta(days=14)),
        )

    @factory.post_generation
    def setup(obj, create, extracted, **kwargs):
        names = kwargs.get("complexes")
        rows = ax2025.COMPLEXES if names is None else [c for c in ax2025.COMPLEXES if c[0] in names]
        for name, region, year in rows:
            obj.complexes.append(ComplexFactory(name=name, region=region, designated_year=year))
        for i, (key, ko, en) in enumerate(ax2025.INFRA_TYPES):
            obj.infra_types.append(InfraType(key=key, label_ko=ko, label_en=en, position=i))
        # The 2025 call's form unless a test gives its own (``setup__sections=[...]``).
        for i, row in enumerate(kwargs.get("sections", ax2025.SECTIONS)):
            obj.sections.append(CallSection(**{"guide_ko": "", "guide_en": "", "required": True, **row}, position=i))
        if not obj.site_label_ko:
            obj.site_label_ko, obj.site_label_en = ax2025.SITE_LABEL
        kinds = ax2025.ATTACHMENT_KINDS if kwargs.get("attachments", True) else []
        for i, (key, ko, en, required) in enumerate(kinds):
            obj.attachment_kinds.append(RequiredAttachment(key=key, label_ko=ko, label_en=en, required=required, position=i))
        # Like a call made by the officer's service: 요건검토, then the written review by its panel.
        obj.stages = default_procedure(obj.reviewers_per_proposal or 5, obj.review_due_at)
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


def officer_for(call, **kwargs):
    """An officer of the call's programme agency: the one who may manage ``call``."""
    return UserFactory(roles=["officer"], organisation=call.programme.agency, **kwargs)


def other_agency_officer(**kwargs):
    """An officer of another programme's agency: an officer, but not of this call."""
    return UserFactory(roles=["officer"], organisation=ProgrammeFactory().agency, **kwargs)


def closed_call(**kwargs):
    return CallFactory(closed=True, **kwargs)


def _first_version(proposal, create, extracted, **kwargs):
    """Version 1 frozen from what the proposal holds, as ``submission.submit`` would."""
    author = db.session.get(User, proposal.created_by_id)
    proposal.versions.append(ProposalVersion(
        number=1, receipt_no=proposal.receipt_no, submitted_at=proposal.submitted_at, submitted_by_id=author.id,
        snapshot=snapshot.build(proposal, number=1, receipt_no=proposal.receipt_no, submitted_at=proposal.submitted_at,
                                validated_at=proposal.submitted_at, submitted_by=author)))
    db.session.flush()


class ProposalFactory(Base):
    class Meta:
        model = Proposal

    call = factory.SubFactory(CallFactory)
    consortium = factory.SubFactory(ConsortiumFactory)
    created_by_id = factory.LazyAttribute(lambda o: o.consortium.created_by_id)
    title = "창원국가산단 AX 실증산단 구축"

    class Params:
        # Submitted an hour before its call closed (or an hour ago, if it has not), with a receipt
        # number and version 1 frozen; the content is the caller's (see builders.proposal_content).
        submitted = factory.Trait(
            status="submitted",
            submitted_at=factory.LazyAttribute(lambda o: min(o.call.closes_at, clock.now()) - timedelta(hours=1)),
            receipt_no=factory.LazyAttributeSequence(lambda o, n: f"{o.call.code}-{n + 1:04d}"),
            version=factory.PostGeneration(_first_version),
        )
