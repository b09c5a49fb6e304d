"""integrity of the selection round: call amendments, audit trail by call, results with left-out sheets

Revision ID: 9c5e3f7a2b46
Revises: 8b4f2d6e1a35
Create Date: 2026-12-01 14:00:00

Each area keeps its own pair of functions below so the schema change of one area reads on its own.
"""
from alembic import op
import sqlalchemy as sa
import app.models.types


revision = '9c5e3f7a2b46'
down_revision = '8b4f2d6e1a35'
branch_labels = None
depends_on = None


# --- audit: the call an entry belongs to ---------------------------------------------------

def _audit_up():
    # No backfill: an old entry's hash covers its row as it was written.
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('call_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_log_call_id'), ['call_id'], unique=False)
        # The entries about a call written before entries knew their call are found by object.
        batch_op.create_index(batch_op.f('ix_audit_log_object_type'), ['object_type', 'object_id'], unique=False)


def _audit_down():
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_object_type'))
        batch_op.drop_index(batch_op.f('ix_audit_log_call_id'))
        batch_op.drop_column('call_id')


# --- calls: amendments (변경공고) ------------------------------------------------------------

def _amendments_up():
    op.create_table('call_amendments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_call_amendments_actor_id_users')),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_call_amendments_call_id_calls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_amendments')),
    sa.UniqueConstraint('call_id', 'number', name=op.f('uq_call_amendments_call_id_number'))
    )
    with op.batch_alter_table('call_amendments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_amendments_call_id'), ['call_id'], unique=False)


def _amendments_down():
    with op.batch_alter_table('call_amendments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_amendments_call_id'))
    op.drop_table('call_amendments')


# --- results: sheets left out of a computation, with the officer's reason ------------------

def _results_up():
    op.create_table('left_out_sheets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('at', app.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['review_assignments.id'], name=op.f('fk_left_out_sheets_assignment_id_review_assignments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_left_out_sheets_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['officer_id'], ['users.id'], name=op.f('fk_left_out_sheets_officer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_left_out_sheets')),
    sa.UniqueConstraint('assignment_id', name=op.f('uq_left_out_sheets_assignment_id'))
    )
    with op.batch_alter_table('left_out_sheets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_left_out_sheets_call_id'), ['call_id'], unique=False)
    with op.batch_alter_table('call_outcomes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('inputs_digest', sa.String(length=64), nullable=True))


def _results_down():
    with op.batch_alter_table('call_outcomes', schema=None) as batch_op:
        batch_op.drop_column('inputs_digest')
    with op.batch_alter_table('left_out_sheets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_left_out_sheets_call_id'))
    op.drop_table('left_out_sheets')


# --- objections: grounds, evidence, 인용/일부인용/기각, re-evaluation ---------------------------

def _objections_up():
    with op.batch_alter_table('objections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ground', sa.String(length=32), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('decision', sa.String(length=16), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('reevaluation_status', sa.String(length=16), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('reevaluation_opened_at', app.models.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('reevaluation_applied_at', app.models.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('reevaluation_changed', sa.Boolean(), nullable=True))
    # The defaults only fill the rows already there; the models set every value themselves.
    with op.batch_alter_table('objections', schema=None) as batch_op:
        batch_op.alter_column('ground', server_default=None)
        batch_op.alter_column('decision', server_default=None)
        batch_op.alter_column('reevaluation_status', server_default=None)
    op.create_table('objection_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('objection_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('detected_type', sa.String(length=16), nullable=False),
    sa.Column('storage_key', sa.String(length=100), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', app.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['objection_id'], ['objections.id'], name=op.f('fk_objection_evidence_objection_id_objections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_objection_evidence_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_objection_evidence'))
    )
    with op.batch_alter_table('objection_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_objection_evidence_objection_id'), ['objection_id'], unique=False)
    with op.batch_alter_table('review_assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('objection_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_review_assignments_objection_id'), ['objection_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_review_assignments_objection_id_objections'), 'objections',
                                    ['objection_id'], ['id'], ondelete='CASCADE')
    with op.batch_alter_table('results', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reevaluated_at', app.models.types.UTCDateTime(), nullable=True))


def _objections_down():
    with op.batch_alter_table('results', schema=None) as batch_op:
        batch_op.drop_column('reevaluated_at')
    with op.batch_alter_table('review_assignments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_review_assignments_objection_id_objections'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_review_assignments_objection_id'))
        batch_op.drop_column('objection_id')
    with op.batch_alter_table('objection_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_objection_evidence_objection_id'))
    op.drop_table('objection_evidence')
    with op.batch_alter_table('objections', schema=None) as batch_op:
        batch_op.drop_column('reevaluation_changed')
        batch_op.drop_column('reevaluation_applied_at')
        batch_op.drop_column('reevaluation_opened_at')
        batch_op.drop_column('reevaluation_status')
        batch_op.drop_column('decision')
        batch_op.drop_column('ground')


def upgrade():
    _audit_up()
    _amendments_up()
    _results_up()
    _objections_up()


def downgrade():
    _objections_down()
    _results_down()
    _amendments_down()
    _audit_down()
