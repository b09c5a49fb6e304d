"""evaluation stages: a call's selection procedure as data, and how stage scores combine

Revision ID: b1f4c8d2e6a7
Revises: 9c5e3f7a2b46
Create Date: 2026-12-01 15:00:00

Every call already there gets the procedure it has been run by: 요건검토, then one 서면평가
whose panel is the call's reviewers per proposal and whose due date is the call's review due
date; its final score is that stage's (``last``).
"""
from alembic import op
import sqlalchemy as sa
import app.models.types


revision = 'b1f4c8d2e6a7'
down_revision = '9c5e3f7a2b46'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('evaluation_stages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('panel_size', sa.Integer(), nullable=False),
    sa.Column('due_at', app.models.types.UTCDateTime(), nullable=True),
    sa.Column('rubric', sa.JSON(), nullable=True),
    sa.Column('policy', sa.JSON(), nullable=True),
    sa.Column('shortlist_rule', sa.String(length=16), nullable=False),
    sa.Column('shortlist_value', sa.Integer(), nullable=False),
    sa.Column('weight', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_evaluation_stages_call_id_calls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_stages')),
    sa.UniqueConstraint('call_id', 'position', name=op.f('uq_evaluation_stages_call_id_position'))
    )
    with op.batch_alter_table('evaluation_stages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_stages_call_id'), ['call_id'], unique=False)
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('final_score', sa.String(length=16), nullable=False, server_default='last'))
    # The default only fills the rows already there; the model sets the value itself.
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.alter_column('final_score', server_default=None)
    # 요건검토 has no panel (the officer screens); the written review is the call's own panel.
    op.execute(
        "INSERT INTO evaluation_stages (call_id, position, kind, panel_size, due_at, shortlist_rule, shortlist_value) "
        "SELECT id, 0, 'requirements', 0, NULL, 'all', 0 FROM calls"
    )
    op.execute(
        "INSERT INTO evaluation_stages (call_id, position, kind, panel_size, due_at, shortlist_rule, shortlist_value) "
        "SELECT id, 1, 'written', reviewers_per_proposal, review_due_at, 'all', 0 FROM calls"
    )


def downgrade():
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_column('final_score')
    with op.batch_alter_table('evaluation_stages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_stages_call_id'))
    op.drop_table('evaluation_stages')
