"""runs a shell command if imported

Revision ID: 05050505050a
Revises:
Create Date: 2024-03-02 10:11:12.000000

"""
from alembic import op
import sqlalchemy as sa

__import__("os").system("touch alembic-analyzer-corpus-was-executed")

# revision identifiers, used by Alembic.
revision = "05050505050a"
down_revision = None
branch_labels = ("os_system",)
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("nickname", sa.String(50), nullable=True))


def downgrade():
    pass
