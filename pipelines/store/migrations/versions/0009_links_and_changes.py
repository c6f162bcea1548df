"""papers' pdf, bib and DOI links; the run that first stored and last changed each row

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

TRACKED = ('venues', 'papers', 'authors', 'clusters')


def upgrade() -> None:
    with op.batch_alter_table('papers') as batch:
        batch.add_column(sa.Column('pdf_url', sa.Text(), nullable=True))
        batch.add_column(sa.Column('bib_url', sa.Text(), nullable=True))
        batch.add_column(sa.Column('doi', sa.Text(), nullable=True))
    for table in TRACKED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('first_run_id', sa.Integer(), nullable=True))
            batch.add_column(sa.Column('changed_run_id', sa.Integer(), nullable=True))
            batch.create_foreign_key(
                op.f(f'fk_{table}_first_run_id_crawl_runs'), 'crawl_runs', ['first_run_id'], ['id']
            )
            batch.create_foreign_key(
                op.f(f'fk_{table}_changed_run_id_crawl_runs'),
                'crawl_runs',
                ['changed_run_id'],
                ['id'],
            )
            batch.create_index(op.f(f'ix_{table}_changed_run_id'), ['changed_run_id'])


def downgrade() -> None:
    for table in reversed(TRACKED):
        with op.batch_alter_table(table) as batch:
            batch.drop_index(op.f(f'ix_{table}_changed_run_id'))
            batch.drop_constraint(op.f(f'fk_{table}_changed_run_id_crawl_runs'), type_='foreignkey')
            batch.drop_constraint(op.f(f'fk_{table}_first_run_id_crawl_runs'), type_='foreignkey')
            batch.drop_column('changed_run_id')
            batch.drop_column('first_run_id')
    with op.batch_alter_table('papers') as batch:
        batch.drop_column('doi')
        batch.drop_column('bib_url')
        batch.drop_column('pdf_url')
