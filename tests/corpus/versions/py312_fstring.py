"""nested quotes in an f-string (Python 3.12+)

Revision ID: 3f3f3f3f3f12
Revises:
Create Date: 2024-03-02 10:11:12.000000

"""
from alembic import op
import sqlalchemy as sa

LABEL = f"{"-".join(["billing", "v2"])}"

# revision identifiers, used by Alembic.
revision = "3f3f3f3f3f12"
down_revision = None
branch_labels = ("fstring",)
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("nickname", sa.String(50), nullable=True))


def downgrade():
    pass
