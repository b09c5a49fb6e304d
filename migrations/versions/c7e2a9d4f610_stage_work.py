"""stage work: assignments, sheets and results per evaluation stage; 발표평가 events; 심의위원회

Revision ID: c7e2a9d4f610
Revises: b1f4c8d2e6a7
Create Date: 2026-12-01 16:40:00

Each area keeps its own pair of functions below so the schema change of one area reads on its own.
"""
from alembic import op
import sqlalchemy as sa
import app.models.types


revision = 'c7e2a9d4f610'
down_revision = 'b1f4c8d2e6a7'
branch_labels = None
depends_on = None


# --- stage runs: each seat belongs to a stage, each stage keeps its results ----------------

def _stage_runs_up():
    with op.batch_alter_table('evaluation_stages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('computed_at', app.models.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('inputs_digest', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('reviewer_stats', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('confirmed_at', app.models.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('confirmed_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_evaluation_stages_confirmed_by_id_users'), 'users',
                                    ['confirmed_by_id'], ['id'])
    op.create_table('stage_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('total', sa.Numeric(precision=16, scale=6), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('advanced', sa.Boolean(), nullable=True),
    sa.Column('breakdown', sa.JSON(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=True),
    sa.Column('computed_at', app.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_stage_results_proposal_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stage_id'], ['evaluation_stages.id'], name=op.f('fk_stage_results_stage_id_evaluation_stages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_results')),
    sa.UniqueConstraint('stage_id', 'proposal_id', name=op.f('uq_stage_results_stage_id_proposal_id'))
    )
    with op.batch_alter_table('stage_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stage_results_proposal_id'), ['proposal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stage_results_stage_id'), ['stage_id'], unique=False)

    # What the ranking table shows of a result; rows computed before read their breakdown.
    with op.batch_alter_table('results', schema=None) as batch_op:
        batch_op.add_column(sa.Column('figures', sa.JSON(), nullable=True))
    with op.batch_alter_table('review_assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stage_id', sa.Integer(), nullable=True))
    # Every seat so far was on the call's one evaluation stage.
    op.execute(
        "UPDATE review_assignments SET stage_id = (SELECT s.id FROM evaluation_stages s "
        "WHERE s.call_id = review_assignments.call_id AND s.position = 1)"
    )
    with op.batch_alter_table('review_assignments', schema=None) as batch_op:
        batch_op.alter_column('stage_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_review_assignments_stage_id'), ['stage_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_review_assignments_stage_id_evaluation_stages'),
                                    'evaluation_stages', ['stage_id'], ['id'], ondelete='CASCADE')
        batch_op.drop_constraint(batch_op.f('uq_review_assignments_proposal_id_reviewer_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_review_assignments_stage_id_proposal_id_reviewer_id'),
                                          ['stage_id', 'proposal_id', 'reviewer_id'])


def _stage_runs_down():
    # Seats of later stages have no place in a one-stage schema.
    op.execute("DELETE FROM review_assignments WHERE stage_id NOT IN "
               "(SELECT id FROM evaluation_stages WHERE position = 1)")
    with op.batch_alter_table('review_assignments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_review_assignments_stage_id_proposal_id_reviewer_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_review_assignments_proposal_id_reviewer_id'),
                                          ['proposal_id', 'reviewer_id'])
        batch_op.drop_constraint(batch_op.f('fk_review_assignments_stage_id_evaluation_stages'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_review_assignments_stage_id'))
        batch_op.drop_column('stage_id')
    with op.batch_alter_table('results', schema=None) as batch_op:
        batch_op.drop_column('figures')
    with op.batch_alter_table('stage_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stage_results_stage_id'))
        batch_op.drop_index(batch_op.f('ix_stage_results_proposal_id'))
    op.drop_table('stage_results')
    with op.batch_alter_table('evaluation_stages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_evaluation_stages_confirmed_by_id_users'), type_='foreignkey')
        batch_op.drop_column('confirmed_by_id')
        batch_op.drop_column('confirmed_at')
        batch_op.drop_column('reviewer_stats')
        batch_op.drop_column('inputs_digest')
        batch_op.drop_column('computed_at')


# --- presentation: 발표평가 schedule, slots, slides, attendance, the chair's opinion --------

def _presentation_up():
    op.create_table('presentation_schedules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', app.models.types.UTCDateTime(), nullable=False),
    sa.Column('room', sa.String(length=200), nullable=False),
    sa.Column('video_url', sa.String(length=500), nullable=False),
    sa.Column('slot_minutes', sa.Integer(), nullable=False),
    sa.Column('break_minutes', sa.Integer(), nullable=False),
    sa.Column('presenter_rule', sa.Text(), nullable=False),
    sa.Column('slides_due_at', app.models.types.UTCDateTime(), nullable=False),
    sa.Column('no_show_rule', sa.String(length=32), nullable=False),
    sa.Column('chair_id', sa.Integer(), nullable=True),
    sa.Column('published_at', app.models.types.UTCDateTime(), nullable=True),
    sa.Column('updated_at', app.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['chair_id'], ['users.id'], name=op.f('fk_presentation_schedules_chair_id_users')),
    sa.ForeignKeyConstraint(['stage_id'], ['evaluation_stages.id'], name=op.f('fk_presentation_schedules_stage_id_evaluation_stages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_presentation_schedules')),
    sa.UniqueConstraint('stage_id', name=op.f('uq_presentation_schedules_stage_id'))
    )
    with op.batch_alter_table('presentation_schedules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_presentation_schedules_chair_id'), ['chair_id'], unique=False)

    op.create_table('presentation_slots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('schedule_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('starts_at', app.models.types.UTCDateTime(), nullable=False),
    sa.Column('ends_at', app.models.types.UTCDateTime(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('confirmed_at', app.models.types.UTCDateTime(), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('attendance', sa.String(length=16), nullable=False),
    sa.Column('attendance_at', app.models.types.UTCDateTime(), nullable=True),
    sa.Column('attendance_by_id', sa.Integer(), nullable=True),
    sa.Column('slides_filename', sa.String(length=255), nullable=True),
    sa.Column('slides_size', sa.BigInteger(), nullable=True),
    sa.Column('slides_sha256', sa.String(length=64), nullable=True),
    sa.Column('slides_type', sa.String(length=16), nullable=True),
    sa.Column('slides_storage_key', sa.String(length=100), nullable=True),
    sa.Column('slides_uploaded_at', app.models.types.UTCDateTime(), nullable=True),
    sa.Column('slides_uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('opinion', sa.Text(), nullable=False),
    sa.Column('opinion_at', app.models.types.UTCDateTime(), nullable=True),
    sa.Column('opinion_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['attendance_by_id'], ['users.id'], name=op.f('fk_presentation_slots_attendance_by_id_users')),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_presentation_slots_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['opinion_by_id'], ['users.id'], name=op.f('fk_presentation_slots_opinion_by_id_users')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_presentation_slots_proposal_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['schedule_id'], ['presentation_schedules.id'], name=op.f('fk_presentation_slots_schedule_id_presentation_schedules'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['slides_uploaded_by_id'], ['users.id'], name=op.f('fk_presentation_slots_slides_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_presentation_slots')),
    sa.UniqueConstraint('schedule_id', 'proposal_id', name=op.f('uq_presentation_slots_schedule_id_proposal_id'))
    )
    with op.batch_alter_table('presentation_slots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_presentation_slots_proposal_id'), ['proposal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_presentation_slots_schedule_id'), ['schedule_id'], unique=False)


def _presentation_down():
    with op.batch_alter_table('presentation_slots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_presentation_slots_schedule_id'))
        batch_op.drop_index(batch_op.f('ix_presentation_slots_proposal_id'))
    op.drop_table('presentation_slots')
    with op.batch_alter_table('presentation_schedules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_presentation_schedules_chair_id'))
    op.drop_table('presentation_schedules')


# --- committee: 심의위원회 members, meeting, attendance, votes, minutes ----------------------

def _committee_up():
    op.create_table('committee_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=False),
    sa.Column('added_at', app.models.types.UTCDateTime(), nullable=False),
    sa.Column('removed_at', app.models.types.UTCDateTime(), nullable=True),
    sa.Column('removed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_committee_members_added_by_id_users')),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_committee_members_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['removed_by_id'], ['users.id'], name=op.f('fk_committee_members_removed_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_committee_members_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_members')),
    sa.UniqueConstraint('call_id', 'user_id', name=op.f('uq_committee_members_call_id_user_id'))
    )
    with op.batch_alter_table('committee_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_committee_members_call_id'), ['call_id'], unique=False)

    op.create_table('committee_meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('scheduled_at', app.models.types.UTCDateTime(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.models.types.UTCDateTime(), nullable=False),
    sa.Column('opened_at', app.models.types.UTCDateTime(), nullable=True),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', app.models.types.UTCDateTime(), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('minutes_storage_key', sa.String(length=100), nullable=True),
    sa.Column('minutes_sha256', sa.String(length=64), nullable=True),
    sa.Column('minutes_size', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_committee_meetings_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_committee_meetings_closed_by_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_committee_meetings_created_by_id_users')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_committee_meetings_opened_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_meetings')),
    sa.UniqueConstraint('call_id', 'number', name=op.f('uq_committee_meetings_call_id_number'))
    )
    with op.batch_alter_table('committee_meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_committee_meetings_call_id'), ['call_id'], unique=False)

    op.create_table('committee_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('present', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['committee_meetings.id'], name=op.f('fk_committee_attendance_meeting_id_committee_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['committee_members.id'], name=op.f('fk_committee_attendance_member_id_committee_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_attendance')),
    sa.UniqueConstraint('meeting_id', 'member_id', name=op.f('uq_committee_attendance_meeting_id_member_id'))
    )
    with op.batch_alter_table('committee_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_committee_attendance_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('committee_votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('choice', sa.String(length=16), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', app.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['committee_meetings.id'], name=op.f('fk_committee_votes_meeting_id_committee_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['committee_members.id'], name=op.f('fk_committee_votes_member_id_committee_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_committee_votes_proposal_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_committee_votes_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_votes')),
    sa.UniqueConstraint('meeting_id', 'member_id', 'proposal_id', name=op.f('uq_committee_votes_meeting_id_member_id_proposal_id'))
    )
    with op.batch_alter_table('committee_votes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_committee_votes_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('committee_resolutions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('approved', sa.Boolean(), nullable=False),
    sa.Column('votes_for', sa.Integer(), nullable=False),
    sa.Column('votes_against', sa.Integer(), nullable=False),
    sa.Column('voters', sa.Integer(), nullable=False),
    sa.Column('conflicted', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['committee_meetings.id'], name=op.f('fk_committee_resolutions_meeting_id_committee_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_committee_resolutions_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_resolutions')),
    sa.UniqueConstraint('meeting_id', 'proposal_id', name=op.f('uq_committee_resolutions_meeting_id_proposal_id'))
    )
    with op.batch_alter_table('committee_resolutions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_committee_resolutions_meeting_id'), ['meeting_id'], unique=False)


def _committee_down():
    for table in ('committee_resolutions', 'committee_votes', 'committee_attendance'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_meeting_id'))
        op.drop_table(table)
    for table in ('committee_meetings', 'committee_members'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_call_id'))
        op.drop_table(table)


def upgrade():
    _stage_runs_up()
    _presentation_up()
    _committee_up()


def downgrade():
    _committee_down()
    _presentation_down()
    _stage_runs_down()
