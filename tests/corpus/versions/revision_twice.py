"""revision assigned twice

Revision ID: d2d2d2d2d2d1
Revises:
Create Date: 2024-03-02 10:11:12.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "d2d2d2d2d2d1"
down_revision = None
branch_labels = ("twice",)
depends_on = None
revision = "d2d2d2d2d2d2"


def upgrade():
    pass


def downgrade():
    pass
