"""proposal sections are the call's data: call_sections, proposal_texts, site label, lead types

Until now every call asked for the same pages (the 2025 smart-industrial-complex call's); the
three long texts were columns of proposals. Each existing call gets those pages as rows, the
texts move to proposal_texts, and frozen snapshots (schema 1) are carried to schema 2 with the
same words, so versions submitted before still read as they did.

Revision ID: a5c9e1f3b7d2
Revises: f4b8d6c0e2a3
Create Date: 2026-12-02 02:10:00

"""
import json

from alembic import op
import sqlalchemy as sa


revision = 'a5c9e1f3b7d2'
down_revision = 'f4b8d6c0e2a3'
branch_labels = None
depends_on = None

# The pages every call had while they were code: (key, kind, ko, en, column of proposals, snapshot key).
LEGACY = (
    ("infra", "items", "AX 인프라 구축", "AX infrastructure", None, None),
    ("poc", "plans", "기업 AX 실증 (PoC)", "Company AX proof of concept (PoC)", None, None),
    ("master_plan", "text", "AX 중장기 마스터플랜", "Mid- to long-term AX master plan", "master_plan", "master_plan"),
    ("alliance", "text", "AX 얼라이언스 구성·운영 계획", "AX alliance: composition and operation", "alliance_plan",
     "alliance_plan"),
    ("aidc", "text", "지역 AI 데이터센터 연계 계획", "Linkage with the regional AI data centre", "aidc_linkage",
     "aidc_linkage"),
)


def upgrade():
    op.create_table('call_sections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('label_ko', sa.String(length=100), nullable=False),
    sa.Column('label_en', sa.String(length=100), nullable=False),
    sa.Column('guide_ko', sa.Text(), nullable=False),
    sa.Column('guide_en', sa.Text(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_call_sections_call_id_calls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_sections')),
    sa.UniqueConstraint('call_id', 'key', name=op.f('uq_call_sections_call_id_key'))
    )
    with op.batch_alter_table('call_sections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_sections_call_id'), ['call_id'], unique=False)
    op.create_table('proposal_texts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('section_key', sa.String(length=32), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_texts_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_texts')),
    sa.UniqueConstraint('proposal_id', 'section_key', name=op.f('uq_proposal_texts_proposal_id_section_key'))
    )
    with op.batch_alter_table('proposal_texts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_texts_proposal_id'), ['proposal_id'], unique=False)
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('site_label_ko', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('site_label_en', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('lead_org_types', sa.JSON(), nullable=False, server_default='[]'))

    bind = op.get_bind()
    sections = sa.table('call_sections', *(sa.column(c) for c in (
        'call_id', 'key', 'kind', 'label_ko', 'label_en', 'guide_ko', 'guide_en', 'required', 'position')))
    call_ids = [row[0] for row in bind.execute(sa.text("SELECT id FROM calls"))]
    if call_ids:
        op.bulk_insert(sections, [
            {"call_id": call_id, "key": key, "kind": kind, "label_ko": ko, "label_en": en, "guide_ko": "",
             "guide_en": "", "required": True, "position": n}
            for call_id in call_ids for n, (key, kind, ko, en, _column, _snap) in enumerate(LEGACY)])
    texts = sa.table('proposal_texts', sa.column('proposal_id'), sa.column('section_key'), sa.column('body'))
    rows = bind.execute(sa.text("SELECT id, master_plan, alliance_plan, aidc_linkage FROM proposals")).mappings()
    moved = [{"proposal_id": r["id"], "section_key": key, "body": r[column]}
             for r in rows for key, _k, _ko, _en, column, _s in LEGACY if column and r[column]]
    if moved:
        op.bulk_insert(texts, moved)
    for table in ("proposal_versions", "plan_revisions"):
        for row in bind.execute(sa.text(f"SELECT id, snapshot FROM {table}")).mappings():
            snap = row["snapshot"] if isinstance(row["snapshot"], dict) else json.loads(row["snapshot"])
            if snap.get("schema", 1) >= 2:
                continue
            bind.execute(sa.text(f"UPDATE {table} SET snapshot = :snap WHERE id = :id"),
                         {"snap": json.dumps(_schema_2(snap), ensure_ascii=False), "id": row["id"]})
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_column('master_plan')
        batch_op.drop_column('alliance_plan')
        batch_op.drop_column('aidc_linkage')


def _schema_2(snap: dict) -> dict:
    out = dict(snap)
    out["schema"] = 2
    out["sections"] = [{"key": key, "kind": kind, "label_ko": ko, "label_en": en}
                       for key, kind, ko, en, _c, _s in LEGACY]
    out["texts"] = {key: out.pop(snap_key, "") for key, _k, _ko, _en, _c, snap_key in LEGACY if snap_key}
    return out


def downgrade():
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('master_plan', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('alliance_plan', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('aidc_linkage', sa.Text(), nullable=False, server_default=''))
    bind = op.get_bind()
    for key, _k, _ko, _en, column, _s in LEGACY:
        if column:
            bind.execute(sa.text(
                f"UPDATE proposals SET {column} = (SELECT body FROM proposal_texts t "
                f"WHERE t.proposal_id = proposals.id AND t.section_key = :key) "
                f"WHERE id IN (SELECT proposal_id FROM proposal_texts WHERE section_key = :key)"), {"key": key})
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_column('lead_org_types')
        batch_op.drop_column('site_label_en')
        batch_op.drop_column('site_label_ko')
    with op.batch_alter_table('proposal_texts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_texts_proposal_id'))
    op.drop_table('proposal_texts')
    with op.batch_alter_table('call_sections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_sections_call_id'))
    op.drop_table('call_sections')
