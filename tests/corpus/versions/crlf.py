"""windows line endings

Revision ID: c1c1c1c1c1c1
Revises:
Create Date: 2024-03-02 10:11:12.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c1c1c1c1c1c1"
down_revision = None
branch_labels = ("crlf",)
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("nickname", sa.String(50), nullable=True))


def downgrade():
    pass
