"""text columns for page-given values; clusters' counts time; runs' host, pid and heartbeat

Values a page gives (names, titles' keys, venues, types) are no longer cut by VARCHAR
limits: limits, with reasons, live in cleaning and in the identity keys.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# table -> [(column, old length, nullable)]
TO_TEXT = {
    'venues': [('acronym', 200, False), ('name', 300, True)],
    'papers': [('key', 700, False), ('publication_type', 100, True)],
    'authors': [('key', 400, False), ('name', 300, False)],
    'author_variants': [('spelling', 300, False)],
    'authorships': [('name_as_listed', 300, False)],
    'clusters': [('key', 400, False), ('name', 300, False)],
    'schedules': [('target', 500, False)],
    'crawl_runs': [('spider', 100, False), ('status', 20, False)],
    'pages': [('content_type', 200, True)],
}


def upgrade() -> None:
    for table, columns in TO_TEXT.items():
        with op.batch_alter_table(table) as batch:
            for name, length, nullable in columns:
                batch.alter_column(
                    name, existing_type=sa.String(length), type_=sa.Text(), existing_nullable=nullable
                )
    with op.batch_alter_table('clusters') as batch:
        batch.add_column(sa.Column('counts_seen_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('crawl_runs') as batch:
        batch.add_column(sa.Column('host', sa.Text(), nullable=True))
        batch.add_column(sa.Column('pid', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('crawl_runs') as batch:
        batch.drop_column('heartbeat_at')
        batch.drop_column('pid')
        batch.drop_column('host')
    with op.batch_alter_table('clusters') as batch:
        batch.drop_column('counts_seen_at')
    for table, columns in TO_TEXT.items():
        with op.batch_alter_table(table) as batch:
            for name, length, nullable in columns:
                batch.alter_column(
                    name, existing_type=sa.Text(), type_=sa.String(length), existing_nullable=nullable
                )
