"""add invoices (written on Windows: CRLF line endings)

Revision ID: 0003
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = "0009_facturation"


def upgrade():
    op.create_table("invoices", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("invoices")
