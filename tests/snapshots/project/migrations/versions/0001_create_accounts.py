"""create accounts

Revision ID: 0001
Revises:
"""
import os

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = os.environ.get("DEPENDS_ON")


def upgrade():
    op.create_table("accounts", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("accounts")
