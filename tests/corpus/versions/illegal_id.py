"""a dash in the revision id

Revision ID: a1-b2
Revises:
Create Date: 2024-03-02 10:11:12.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "a1-b2"
down_revision = None
branch_labels = ("illegal",)
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
