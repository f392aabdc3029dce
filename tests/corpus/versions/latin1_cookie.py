# -*- coding: latin-1 -*-
"""menu du café (latin-1 source)

Revision ID: 1a1a1a1a1a1a
Revises:
Create Date: 2024-03-02 10:11:12.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "1a1a1a1a1a1a"
down_revision = None
branch_labels = ("latin1",)
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("nickname", sa.String(50), nullable=True))


def downgrade():
    pass
