"""store_meta: facts about the store, such as the identity version its keys follow

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 03:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('store_meta',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_store_meta'))
    )


def downgrade() -> None:
    op.drop_table('store_meta')
