"""add users.phone

Revision ID: 4d5e6f7a8b9c
Revises: 3f2a9c1d7b04
Create Date: 2024-06-02 14:30:12.000000

"""
from alembic import op
import sqlalchemy as sa

revision = "4d5e6f7a8b9c"
down_revision = "3f2a9c1d7b04"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("phone", sa.String(32), nullable=True))
    op.create_index("ix_users_phone", "users", ["phone"], postgresql_where=sa.text("phone IS NOT NULL"))


def downgrade():
    op.drop_index("ix_users_phone", table_name="users")
    op.drop_column("users", "phone")
