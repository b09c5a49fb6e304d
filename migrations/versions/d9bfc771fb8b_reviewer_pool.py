"""reviewer pool: profiles and expertise, conflict rules by the decree, invitations, honoraria

Revision ID: d9bfc771fb8b
Revises: c7e2a9d4f610
Create Date: 2026-12-01 19:33:22

Each area keeps its own pair of functions below so the schema change of one area reads on its own.
"""
from alembic import op
import sqlalchemy as sa
import app.models.types


revision = 'd9bfc771fb8b'
down_revision = 'c7e2a9d4f610'
branch_labels = None
depends_on = None


# --- the pool: profiles, expertise codes, declared ties, sanctions ------------------------

def _pool_up():
    op.create_table('expertise_codes',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name_ko', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=100), nullable=False),
    sa.Column('parent_code', sa.String(length=16), nullable=True),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['parent_code'], ['expertise_codes.code'], name=op.f('fk_expertise_codes_parent_code_expertise_codes')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_expertise_codes'))
    )
    with op.batch_alter_table('expertise_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_expertise_codes_parent_code'), ['parent_code'], unique=False)

    op.create_table('reviewer_profiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('affiliation_name', sa.String(length=200), nullable=False),
    sa.Column('department', sa.String(length=100), nullable=False),
    sa.Column('position', sa.String(length=100), nullable=False),
    sa.Column('org_type', sa.String(length=32), nullable=False),
    sa.Column('region', sa.String(length=64), nullable=False),
    sa.Column('keywords', sa.Text(), nullable=False),
    sa.Column('career_years', sa.Integer(), nullable=False),
    sa.Column('available', sa.Boolean(), nullable=False),
    sa.Column('unavailable_until', sa.Date(), nullable=True),
    sa.Column('bank_sealed', sa.Text(), nullable=True),
    sa.Column('terms', sa.JSON(), nullable=True),
    sa.Column('terms_at', app.models.types.UTCDateTime(), nullable=True),
    sa.Column('created_at', app.models.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', app.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_reviewer_profiles_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reviewer_profiles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviewer_profiles')),
    sa.UniqueConstraint('user_id', name=op.f('uq_reviewer_profiles_user_id'))
    )
    with op.batch_alter_table('reviewer_profiles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviewer_profiles_available'), ['available'], unique=False)
        batch_op.create_index(batch_op.f('ix_reviewer_profiles_org_type'), ['org_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_reviewer_profiles_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reviewer_profiles_region'), ['region'], unique=False)

    op.create_table('reviewer_sanctions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('lifted_at', app.models.types.UTCDateTime(), nullable=True),
    sa.Column('lifted_reason', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_reviewer_sanctions_created_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reviewer_sanctions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviewer_sanctions')),
    sa.UniqueConstraint('user_id', 'starts_on', name=op.f('uq_reviewer_sanctions_user_id_starts_on'))
    )
    with op.batch_alter_table('reviewer_sanctions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviewer_sanctions_ends_on'), ['ends_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_reviewer_sanctions_user_id'), ['user_id'], unique=False)

    op.create_table('reviewer_expertise',
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['code'], ['expertise_codes.code'], name=op.f('fk_reviewer_expertise_code_expertise_codes')),
    sa.ForeignKeyConstraint(['profile_id'], ['reviewer_profiles.id'], name=op.f('fk_reviewer_expertise_profile_id_reviewer_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('profile_id', 'code', name=op.f('pk_reviewer_expertise'))
    )
    with op.batch_alter_table('reviewer_expertise', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviewer_expertise_code'), ['code'], unique=False)

    op.create_table('reviewer_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('organisation_ids', sa.JSON(), nullable=False),
    sa.Column('organisations_text', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['profile_id'], ['reviewer_profiles.id'], name=op.f('fk_reviewer_records_profile_id_reviewer_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviewer_records'))
    )
    with op.batch_alter_table('reviewer_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviewer_records_profile_id'), ['profile_id'], unique=False)

    op.create_table('reviewer_relatives',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('relation', sa.String(length=50), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_reviewer_relatives_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['profile_id'], ['reviewer_profiles.id'], name=op.f('fk_reviewer_relatives_profile_id_reviewer_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviewer_relatives'))
    )
    with op.batch_alter_table('reviewer_relatives', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviewer_relatives_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reviewer_relatives_profile_id'), ['profile_id'], unique=False)


def _pool_down():
    with op.batch_alter_table('reviewer_relatives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviewer_relatives_profile_id'))
        batch_op.drop_index(batch_op.f('ix_reviewer_relatives_organisation_id'))

    op.drop_table('reviewer_relatives')
    with op.batch_alter_table('reviewer_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviewer_records_profile_id'))

    op.drop_table('reviewer_records')
    with op.batch_alter_table('reviewer_expertise', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviewer_expertise_code'))

    op.drop_table('reviewer_expertise')
    with op.batch_alter_table('reviewer_sanctions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviewer_sanctions_user_id'))
        batch_op.drop_index(batch_op.f('ix_reviewer_sanctions_ends_on'))

    op.drop_table('reviewer_sanctions')
    with op.batch_alter_table('reviewer_profiles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviewer_profiles_region'))
        batch_op.drop_index(batch_op.f('ix_reviewer_profiles_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_reviewer_profiles_org_type'))
        batch_op.drop_index(batch_op.f('ix_reviewer_profiles_available'))

    op.drop_table('reviewer_profiles')
    with op.batch_alter_table('expertise_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_expertise_codes_parent_code'))

    op.drop_table('expertise_codes')


# --- conflicts: the call's pledge text and configured rules ---------------------------------

def _conflicts_up():
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ministry_org_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_programmes_ministry_org_id_organisations'), 'organisations',
                                    ['ministry_org_id'], ['id'])
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pledge_text', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.alter_column('pledge_text', server_default=None)


def _conflicts_down():
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_column('pledge_text')
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_programmes_ministry_org_id_organisations'), type_='foreignkey')
        batch_op.drop_column('ministry_org_id')


# --- recommendations and invitation rounds --------------------------------------------------

def _panels_up():
    op.create_table('panel_recommendation_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', app.models.types.UTCDateTime(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('computed_at', app.models.types.UTCDateTime(), nullable=True),
    sa.Column('candidates', sa.Integer(), nullable=False),
    sa.Column('unavailable', sa.Integer(), nullable=False),
    sa.Column('conflicts', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_panel_recommendation_runs_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_panel_recommendation_runs_requested_by_id_users')),
    sa.ForeignKeyConstraint(['stage_id'], ['evaluation_stages.id'], name=op.f('fk_panel_recommendation_runs_stage_id_evaluation_stages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_recommendation_runs')),
    sa.UniqueConstraint('stage_id', name=op.f('uq_panel_recommendation_runs_stage_id'))
    )
    with op.batch_alter_table('panel_recommendation_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_recommendation_runs_call_id'), ['call_id'], unique=False)

    op.create_table('panel_recommendations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('score', sa.String(length=32), nullable=False),
    sa.Column('terms', sa.JSON(), nullable=False),
    sa.Column('industry', sa.Boolean(), nullable=False),
    sa.Column('computed_at', app.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_panel_recommendations_proposal_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stage_id'], ['evaluation_stages.id'], name=op.f('fk_panel_recommendations_stage_id_evaluation_stages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_panel_recommendations_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_recommendations'))
    )
    with op.batch_alter_table('panel_recommendations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_recommendations_proposal_id'), ['proposal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_panel_recommendations_stage_id'), ['stage_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_panel_recommendations_user_id'), ['user_id'], unique=False)

    op.create_table('panel_recruitments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('invite_factor', sa.Integer(), nullable=False),
    sa.Column('response_days', sa.Integer(), nullable=False),
    sa.Column('industry_share', sa.Numeric(precision=3, scale=2), nullable=False),
    sa.Column('current_round', sa.Integer(), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=False),
    sa.Column('started_at', app.models.types.UTCDateTime(), nullable=False),
    sa.Column('closed_at', app.models.types.UTCDateTime(), nullable=True),
    sa.Column('closed_reason', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_panel_recruitments_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stage_id'], ['evaluation_stages.id'], name=op.f('fk_panel_recruitments_stage_id_evaluation_stages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['started_by_id'], ['users.id'], name=op.f('fk_panel_recruitments_started_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_recruitments')),
    sa.UniqueConstraint('stage_id', name=op.f('uq_panel_recruitments_stage_id'))
    )
    with op.batch_alter_table('panel_recruitments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_recruitments_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_panel_recruitments_closed_at'), ['closed_at'], unique=False)

    op.create_table('panel_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recruitment_id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('score', sa.String(length=32), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('invited_at', app.models.types.UTCDateTime(), nullable=False),
    sa.Column('respond_by', app.models.types.UTCDateTime(), nullable=False),
    sa.Column('responded_at', app.models.types.UTCDateTime(), nullable=True),
    sa.Column('decline_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_panel_invitations_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recruitment_id'], ['panel_recruitments.id'], name=op.f('fk_panel_invitations_recruitment_id_panel_recruitments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stage_id'], ['evaluation_stages.id'], name=op.f('fk_panel_invitations_stage_id_evaluation_stages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_panel_invitations_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_invitations')),
    sa.UniqueConstraint('stage_id', 'user_id', name=op.f('uq_panel_invitations_stage_id_user_id')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_panel_invitations_token_hash'))
    )
    with op.batch_alter_table('panel_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_invitations_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_panel_invitations_recruitment_id'), ['recruitment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_panel_invitations_respond_by'), ['respond_by'], unique=False)
        batch_op.create_index(batch_op.f('ix_panel_invitations_stage_id'), ['stage_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_panel_invitations_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_panel_invitations_user_id'), ['user_id'], unique=False)


def _panels_down():
    with op.batch_alter_table('panel_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_panel_invitations_user_id'))
        batch_op.drop_index(batch_op.f('ix_panel_invitations_status'))
        batch_op.drop_index(batch_op.f('ix_panel_invitations_stage_id'))
        batch_op.drop_index(batch_op.f('ix_panel_invitations_respond_by'))
        batch_op.drop_index(batch_op.f('ix_panel_invitations_recruitment_id'))
        batch_op.drop_index(batch_op.f('ix_panel_invitations_call_id'))

    op.drop_table('panel_invitations')
    with op.batch_alter_table('panel_recruitments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_panel_recruitments_closed_at'))
        batch_op.drop_index(batch_op.f('ix_panel_recruitments_call_id'))

    op.drop_table('panel_recruitments')
    with op.batch_alter_table('panel_recommendations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_panel_recommendations_user_id'))
        batch_op.drop_index(batch_op.f('ix_panel_recommendations_stage_id'))
        batch_op.drop_index(batch_op.f('ix_panel_recommendations_proposal_id'))

    op.drop_table('panel_recommendations')
    with op.batch_alter_table('panel_recommendation_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_panel_recommendation_runs_call_id'))

    op.drop_table('panel_recommendation_runs')


# --- honoraria (평가수당) -------------------------------------------------------------------

def _honoraria_up():
    op.create_table('honorarium_rates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('basis', sa.String(length=16), nullable=False),
    sa.Column('amount_won', sa.BigInteger(), nullable=False),
    sa.Column('travel_won', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', app.models.types.UTCDateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_honorarium_rates_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stage_id'], ['evaluation_stages.id'], name=op.f('fk_honorarium_rates_stage_id_evaluation_stages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_honorarium_rates_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_honorarium_rates')),
    sa.UniqueConstraint('stage_id', name=op.f('uq_honorarium_rates_stage_id'))
    )
    with op.batch_alter_table('honorarium_rates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_honorarium_rates_call_id'), ['call_id'], unique=False)

    op.create_table('honorarium_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('sessions', sa.Integer(), nullable=False),
    sa.Column('travel', sa.Boolean(), nullable=False),
    sa.Column('confirmed_at', app.models.types.UTCDateTime(), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_honorarium_attendance_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_honorarium_attendance_reviewer_id_users')),
    sa.ForeignKeyConstraint(['stage_id'], ['evaluation_stages.id'], name=op.f('fk_honorarium_attendance_stage_id_evaluation_stages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_honorarium_attendance')),
    sa.UniqueConstraint('stage_id', 'reviewer_id', name=op.f('uq_honorarium_attendance_stage_id_reviewer_id'))
    )
    with op.batch_alter_table('honorarium_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_honorarium_attendance_reviewer_id'), ['reviewer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_honorarium_attendance_stage_id'), ['stage_id'], unique=False)

    op.create_table('honorarium_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('closed_at', app.models.types.UTCDateTime(), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_honorarium_batches_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_honorarium_batches_closed_by_id_users')),
    sa.ForeignKeyConstraint(['stage_id'], ['evaluation_stages.id'], name=op.f('fk_honorarium_batches_stage_id_evaluation_stages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_honorarium_batches')),
    sa.UniqueConstraint('stage_id', name=op.f('uq_honorarium_batches_stage_id'))
    )
    with op.batch_alter_table('honorarium_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_honorarium_batches_call_id'), ['call_id'], unique=False)

    op.create_table('honorarium_payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('affiliation', sa.String(length=200), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('basis', sa.String(length=16), nullable=False),
    sa.Column('sessions', sa.Integer(), nullable=False),
    sa.Column('rate_won', sa.BigInteger(), nullable=False),
    sa.Column('gross', sa.BigInteger(), nullable=False),
    sa.Column('income_tax', sa.BigInteger(), nullable=False),
    sa.Column('local_tax', sa.BigInteger(), nullable=False),
    sa.Column('net', sa.BigInteger(), nullable=False),
    sa.Column('travel_won', sa.BigInteger(), nullable=False),
    sa.Column('payable', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['honorarium_batches.id'], name=op.f('fk_honorarium_payments_batch_id_honorarium_batches'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_honorarium_payments_reviewer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_honorarium_payments')),
    sa.UniqueConstraint('batch_id', 'reviewer_id', name=op.f('uq_honorarium_payments_batch_id_reviewer_id'))
    )
    with op.batch_alter_table('honorarium_payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_honorarium_payments_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_honorarium_payments_reviewer_id'), ['reviewer_id'], unique=False)


def _honoraria_down():
    with op.batch_alter_table('honorarium_payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_honorarium_payments_reviewer_id'))
        batch_op.drop_index(batch_op.f('ix_honorarium_payments_batch_id'))

    op.drop_table('honorarium_payments')
    with op.batch_alter_table('honorarium_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_honorarium_batches_call_id'))

    op.drop_table('honorarium_batches')
    with op.batch_alter_table('honorarium_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_honorarium_attendance_stage_id'))
        batch_op.drop_index(batch_op.f('ix_honorarium_attendance_reviewer_id'))

    op.drop_table('honorarium_attendance')
    with op.batch_alter_table('honorarium_rates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_honorarium_rates_call_id'))

    op.drop_table('honorarium_rates')


def upgrade():
    _pool_up()
    _conflicts_up()
    _panels_up()
    _honoraria_up()


def downgrade():
    _honoraria_down()
    _panels_down()
    _conflicts_down()
    _pool_down()
