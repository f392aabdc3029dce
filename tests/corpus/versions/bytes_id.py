"""a bytes revision id

Revision ID: X
Revises:
Create Date: 2024-03-02 10:11:12.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = b"b7b7b7b7b7b7"
down_revision = None
branch_labels = ("bytes",)
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
