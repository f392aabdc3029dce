"""an integer revision id

Revision ID: X
Revises:
Create Date: 2024-03-02 10:11:12.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 20240302
down_revision = None
branch_labels = ("integer",)
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
