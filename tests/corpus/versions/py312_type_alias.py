"""type alias (Python 3.12+)

Revision ID: 3a3a3a3a3a12
Revises:
Create Date: 2024-03-02 10:11:12.000000

"""
from alembic import op
import sqlalchemy as sa

type RevisionId = str

# revision identifiers, used by Alembic.
revision = "3a3a3a3a3a12"
down_revision = None
branch_labels = ("typealias",)
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("nickname", sa.String(50), nullable=True))


def downgrade():
    pass
