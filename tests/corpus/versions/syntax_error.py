"""missing parenthesis

Revision ID: 5e5e5e5e5e01
Revises:
Create Date: 2024-03-02 10:11:12.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "5e5e5e5e5e01"
down_revision = None
branch_labels = ("syntax",)
depends_on = None


def upgrade():
    op.create_index("ix_users_email", "users", ["email"]


def downgrade():
    pass
