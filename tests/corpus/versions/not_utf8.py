"""menu du café (latin-1, no coding line)

Revision ID: 8b8b8b8b8b06
Revises:
Create Date: 2024-03-02 10:11:12.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "8b8b8b8b8b06"
down_revision = None
branch_labels = ("notutf8",)
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("nickname", sa.String(50), nullable=True))


def downgrade():
    pass
