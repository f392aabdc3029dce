"""cut off in the middle of a call

Revision ID: 7c7c7c7c7c04
Revises:
Create Date: 2024-03-02 10:11:12.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "7c7c7c7c7c04"
down_revision = None
branch_labels = ("truncated",)
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("nickname", sa.St