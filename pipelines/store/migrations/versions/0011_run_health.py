"""runs' health: the targets that make runs comparable, figures and reasons, healthy or not

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-15 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('crawl_runs') as batch:
        batch.add_column(sa.Column('targets', sa.Text(), nullable=True))
        batch.add_column(sa.Column('health', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('healthy', sa.Boolean(), nullable=True))
        batch.create_index(op.f('ix_crawl_runs_targets'), ['targets'])


def downgrade() -> None:
    with op.batch_alter_table('crawl_runs') as batch:
        batch.drop_index(op.f('ix_crawl_runs_targets'))
        batch.drop_column('healthy')
        batch.drop_column('health')
        batch.drop_column('targets')
