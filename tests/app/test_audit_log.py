"""The audit log is a hash chain: any edit or deletion is detected."""
from sqlalchemy import delete, update

from app.extensions import db
from app.models import AuditEntry
from app import audit
from tests.factories import UserFactory


def _three_entries():
    user = UserFactory()
    for i in range(3):
        audit.record(user, "test.event", user, step=i)
    db.session.commit()
    return user


def test_entries_link_to_the_one_before(app):
    _three_entries()
    entries = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id)).all()
    assert entries[0].prev_hash == audit.GENESIS
    assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]
    assert audit.verify() is None


def test_an_edited_entry_breaks_the_chain_there(app):
    _three_entries()
    second = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id)).all()[1]
    db.session.execute(update(AuditEntry).where(AuditEntry.id == second.id).values(data={"step": 99}))
    db.session.commit()
    assert audit.verify() == second.id


def test_a_deleted_entry_breaks_the_chain_after_it(app):
    _three_entries()
    ids = db.session.scalars(db.select(AuditEntry.id).order_by(AuditEntry.id)).all()
    db.session.execute(delete(AuditEntry).where(AuditEntry.id == ids[1]))
    db.session.commit()
    assert audit.verify() == ids[2]


def test_flask_audit_verify_reports_the_first_broken_link(app):
    _three_entries()
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and "intact: 3 entries" in ok.output
    first = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id)).first()
    db.session.execute(update(AuditEntry).where(AuditEntry.id == first.id).values(action="forged"))
    db.session.commit()
    bad = runner.invoke(args=["audit", "verify"])
    assert bad.exit_code == 1 and f"broken at entry {first.id}" in bad.output


def test_a_rolled_back_change_leaves_no_entry(app):
    user = UserFactory()
    db.session.commit()
    audit.record(user, "test.rolled_back", user)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id))) == 0
