"""security round two: server-side sessions, e-mail ownership, login throttling, member consent, outbox delivery

Revision ID: 5e1c2a7b9d10
Revises: 04564ce879a4
Create Date: 2026-12-01 10:15:00

Each area keeps its own pair of functions below so the schema change of one area reads on its own.
"""
from alembic import op
import sqlalchemy as sa
import app.models.types


# revision identifiers, used by Alembic.
revision = '5e1c2a7b9d10'
down_revision = '04564ce879a4'
branch_labels = None
depends_on = None


# --- accounts: sessions, e-mail verification, login throttling ---------------------------

def _accounts_up():
    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('client', sa.String(length=64), nullable=False),
    sa.Column('created_at', app.models.types.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', app.models.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_sessions_token_hash'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)

    op.create_table('login_throttles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('client', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', app.models.types.UTCDateTime(), nullable=True),
    sa.Column('last_success_at', app.models.types.UTCDateTime(), nullable=True),
    sa.Column('updated_at', app.models.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_throttles')),
    sa.UniqueConstraint('email', 'client', name=op.f('uq_login_throttles_email_client'))
    )
    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_throttles_updated_at'), ['updated_at'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified_at', app.models.types.UTCDateTime(), nullable=True))
    # Accounts made before addresses were verified count as verified: they have been in use.
    op.execute("UPDATE users SET email_verified_at = created_at")
    # The hard lock-out gives way to the throttle (login_throttles): its counters go.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')


def _accounts_down():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False, server_default=sa.text('0')))
        batch_op.add_column(sa.Column('locked_until', app.models.types.UTCDateTime(), nullable=True))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('failed_logins', server_default=None)
        batch_op.drop_column('email_verified_at')

    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_throttles_updated_at'))
    op.drop_table('login_throttles')
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))
    op.drop_table('user_sessions')


# --- consortia: member organisations confirm their membership -----------------------------

def _consortia_up():
    with op.batch_alter_table('consortium_members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_at', app.models.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('confirmed_at', app.models.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('confirmed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('declined_at', app.models.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('declined_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_consortium_members_confirmed_by_id_users'), 'users', ['confirmed_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_consortium_members_declined_by_id_users'), 'users', ['declined_by_id'], ['id'])
    # Members listed before consent existed count as confirmed, since the consortium was formed.
    op.execute(
        "UPDATE consortium_members SET "
        "created_at = (SELECT consortia.created_at FROM consortia WHERE consortia.id = consortium_members.consortium_id), "
        "confirmed_at = (SELECT consortia.created_at FROM consortia WHERE consortia.id = consortium_members.consortium_id)"
    )
    with op.batch_alter_table('consortium_members', schema=None) as batch_op:
        batch_op.alter_column('created_at', existing_type=app.models.types.UTCDateTime(), nullable=False)


def _consortia_down():
    # Consent did not exist before this revision: a pending or declined listing would count as a
    # member there, so it goes (down-migrating must not hand a refusing organisation's seat back).
    op.execute("DELETE FROM consortium_members WHERE confirmed_at IS NULL")
    with op.batch_alter_table('consortium_members', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_consortium_members_declined_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_consortium_members_confirmed_by_id_users'), type_='foreignkey')
        batch_op.drop_column('declined_by_id')
        batch_op.drop_column('declined_at')
        batch_op.drop_column('confirmed_by_id')
        batch_op.drop_column('confirmed_at')
        batch_op.drop_column('created_at')


# --- links: notification links stored as paths ---------------------------------------------

def _link_as_path(url):
    """A stored link reduced to a path on this site; '' when none is left (a copy of
    app/services/safe_redirect.local_path as it was, so this revision never changes)."""
    from urllib.parse import urlsplit, urlunsplit

    if not url:
        return ""
    parts = urlsplit(url)
    path = urlunsplit(("", "", parts.path, parts.query, parts.fragment))
    if (any(ord(c) <= 0x20 or ord(c) == 0x7F for c in path) or not path.startswith("/")
            or path.startswith("//") or "\\" in path or urlsplit(path).scheme or urlsplit(path).netloc):
        return ""
    return path


def _links_up():
    # Notices written before this revision may hold absolute links, some with a host taken
    # from a forged request: keep only the path, so following one stays on the site.
    notifications = sa.table("notifications", sa.column("id", sa.Integer), sa.column("url", sa.String))
    conn = op.get_bind()
    rows = conn.execute(sa.select(notifications.c.id, notifications.c.url).where(notifications.c.url != "")).all()
    for row_id, url in rows:
        path = _link_as_path(url)
        if path != url:
            conn.execute(notifications.update().where(notifications.c.id == row_id).values(url=path))


def _links_down():
    pass  # paths are valid links for the older code too


# --- outbox: delivery attempts and message ids ----------------------------------------------

def _outbox_up():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_id', sa.String(length=255), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('attempted_at', app.models.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('possible_duplicate', sa.Boolean(), nullable=False, server_default=sa.false()))
    # Rows queued before this revision keep the Message-ID the older code sent them with
    # (a copy of its formula, so this revision never changes).
    import hashlib

    outbox = sa.table('outbox', sa.column('id', sa.Integer), sa.column('key', sa.String),
                      sa.column('message_id', sa.String))
    conn = op.get_bind()
    for row_id, key in conn.execute(sa.select(outbox.c.id, outbox.c.key)).all():
        digest = hashlib.sha256(key.encode()).hexdigest()[:16]
        conn.execute(outbox.update().where(outbox.c.id == row_id)
                     .values(message_id=f"<outbox-{row_id}-{digest}@gongmo.local>"))
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('message_id', server_default=None)
        batch_op.alter_column('possible_duplicate', server_default=None)


def _outbox_down():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('possible_duplicate')
        batch_op.drop_column('attempted_at')
        batch_op.drop_column('message_id')


def upgrade():
    _accounts_up()
    _consortia_up()
    _links_up()
    _outbox_up()


def downgrade():
    _outbox_down()
    _links_down()
    _consortia_down()
    _accounts_down()
