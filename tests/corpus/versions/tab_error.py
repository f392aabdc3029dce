"""tabs and spaces mixed

Revision ID: 7e7e7e7e7e03
Revises:
Create Date: 2024-03-02 10:11:12.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "7e7e7e7e7e03"
down_revision = None
branch_labels = ("taberror",)
depends_on = None


def upgrade():
    if True:
        op.drop_index("ix_a")
	op.drop_index("ix_b")


def downgrade():
    pass
