"""indented with tabs

Revision ID: 7a7a7a7a7a7a
Revises:
Create Date: 2024-03-02 10:11:12.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "7a7a7a7a7a7a"
down_revision = None
branch_labels = ("tabs",)
depends_on = None


def upgrade():
	op.add_column("users", sa.Column("nickname", sa.String(50), nullable=True))


def downgrade():
	pass
