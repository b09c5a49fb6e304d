"""Screening and scoring judge the submitted version, not drafts typed after it."""
from sqlalchemy import func, select

from app.extensions import db
from app.models import InfraItem, Proposal
from app.selection import results
from app.proposals import snapshot, submission, validation
from tests.app.builders import complete_proposal


def _submit_then_edit(user_edits):
    proposal = complete_proposal()
    applicant = proposal.consortium.lead_org.users[0]
    version = submission.submit(proposal, applicant)
    db.session.commit()
    user_edits(proposal)
    db.session.commit()
    return proposal, version


def test_frozen_version_reads_as_submitted_after_later_edits(app, isolated_dirs):
    def edit(p):
        p.infra_items.clear()  # a half-finished rewrite, never resubmitted
        p.title = ""
    proposal, version = _submit_then_edit(edit)

    assert not validation.validate(proposal).ok  # the live draft is broken...
    frozen = snapshot.as_proposal(version, proposal)
    assert validation.validate(frozen).ok  # ...the submitted version is not
    assert frozen.title == "창원국가산단 AX 실증산단 구축"
    assert [i.type_key for i in frozen.infra_items] == ["openlab", "lead_factory"]
    assert results.facts_of(frozen)["infrastructure_types"] == ["openlab", "lead_factory"]
    assert results.facts_of(frozen)["complete_poc_plans"] == 2


def test_building_the_frozen_version_writes_nothing(app, isolated_dirs):
    proposal, version = _submit_then_edit(lambda p: None)
    before = db.session.scalar(select(func.count(InfraItem.id)))
    snapshot.as_proposal(version, proposal)
    db.session.commit()
    assert db.session.scalar(select(func.count(InfraItem.id))) == before
    assert db.session.scalar(select(func.count(Proposal.id))) == 1


def test_screening_checks_the_submitted_version(app, isolated_dirs):
    from app.selection import screening

    def edit(p):
        p.poc_plans.clear()
    proposal, version = _submit_then_edit(edit)
    assert screening.automatic_checks(proposal) == []
    assert screening.queue(proposal.call)[0].checks == []


def test_scoring_facts_come_from_the_submitted_version(app, isolated_dirs):
    def edit(p):
        p.infra_items.append(InfraItem(type_key="saas", description="after submission", budget=1, position=9))
    proposal, version = _submit_then_edit(edit)
    frozen = snapshot.as_submitted([proposal])
    document = results.build_input(proposal.call, frozen, [])
    assert document["proposals"][0]["facts"]["infrastructure_types"] == ["openlab", "lead_factory"]
    assert document["proposals"][0]["budget"] == str(4 * 3_500_000_000)


def test_screening_list_trusts_a_version_checked_under_the_same_rules(app, isolated_dirs):
    from app.selection import screening

    proposal, version = _submit_then_edit(lambda p: None)
    assert version.rules_fingerprint == validation.rules_fingerprint(proposal.call)
    assert version.national_total == 4 * 3_500_000_000
    row = screening.queue(proposal.call)[0]
    assert row.checks == [] and row.national == 4 * 3_500_000_000


def test_screening_list_checks_again_when_the_call_rules_changed(app, isolated_dirs):
    from app.selection import screening

    proposal, version = _submit_then_edit(lambda p: None)
    proposal.call.per_award_cap = 10_000_000_000  # the officer lowered the cap after submission
    db.session.commit()
    row = screening.queue(proposal.call)[0]
    assert [c["field"] for c in row.checks] == ["total-national"]


def test_rules_fingerprint_does_not_depend_on_how_the_ratio_was_loaded(app):
    from decimal import Decimal

    from tests.factories import CallFactory

    call = CallFactory(min_local_ratio=Decimal("0.4"))
    fresh = validation.rules_fingerprint(call)
    db.session.commit()
    db.session.expire_all()
    assert validation.rules_fingerprint(db.session.get(type(call), call.id)) == fresh
