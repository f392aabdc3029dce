"""form feeds between sections

Revision ID: f0f0f0f0f0f0
Revises:
Create Date: 2024-03-02 10:11:12.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "f0f0f0f0f0f0"
down_revision = None
branch_labels = ("ff",)
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("nickname", sa.String(50), nullable=True))


def downgrade():
    pass
