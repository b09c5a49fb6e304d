"""in-app notices keep a gettext msgid and its params instead of two fixed texts

Revision ID: 8b4f2d6e1a35
Revises: 5e1c2a7b9d10
Create Date: 2026-12-01 13:30:00

A notice written before this revision keeps its Korean text as its message with no
params, which the portal shows as written (gettext finds no catalog entry for it and, with
no params, does no %-formatting). Downgrading renders each message with its params into
both old columns.
"""
from alembic import op
import sqlalchemy as sa


revision = '8b4f2d6e1a35'
down_revision = '5e1c2a7b9d10'
branch_labels = None
depends_on = None

notifications = sa.table('notifications', sa.column('id', sa.Integer), sa.column('text_ko', sa.Text),
                         sa.column('text_en', sa.Text), sa.column('message', sa.Text), sa.column('params', sa.JSON))


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('params', sa.JSON(), nullable=False, server_default='{}'))
    op.execute(notifications.update().values(message=notifications.c.text_ko))
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.alter_column('message', server_default=None)
        batch_op.alter_column('params', server_default=None)
        batch_op.drop_column('text_ko')
        batch_op.drop_column('text_en')




def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('text_ko', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('text_en', sa.Text(), nullable=False, server_default=''))
    conn = op.get_bind()
    for row in conn.execute(sa.select(notifications.c.id, notifications.c.message, notifications.c.params)):
        text = row.message % row.params if row.params else row.message
        conn.execute(notifications.update().where(notifications.c.id == row.id).values(text_ko=text, text_en=text))
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.alter_column('text_ko', server_default=None)
        batch_op.alter_column('text_en', server_default=None)
        batch_op.drop_column('params')
        batch_op.drop_column('message')
