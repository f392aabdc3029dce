"""create users

Revision ID: a1b2c3d4e5f6
Revises:
Create Date: 2024-01-10 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

open(__import__("os").environ["ALEMBIC_ANALYZER_MARKER"], "a").write("revision_module_level\n")

revision = "a1b2c3d4e5f6"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("users", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade():
    op.drop_table("users")
