"""add refunds (copied from 0005_add_payments.py, and the id was not changed)

Revision ID: 0005
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("refunds", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("refunds")
