"""unterminated string

Revision ID: 5a5a5a5a5a05
Revises:
Create Date: 2024-03-02 10:11:12.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "5a5a5a5a5a05"
down_revision = None
branch_labels = ("unterminated",)
depends_on = None


def upgrade():
    op.execute("UPDATE users SET active = true)


def downgrade():
    pass
