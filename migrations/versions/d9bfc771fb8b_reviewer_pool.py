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
    pass


def _conflicts_down():
    pass


# --- recommendations and invitation rounds --------------------------------------------------

def _panels_up():
    pass


def _panels_down():
    pass


# --- honoraria (평가수당) -------------------------------------------------------------------

def _honoraria_up():
    pass


def _honoraria_down():
    pass


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
