"""print statement in a comment

Revision ID: 9c9c9c9c9c9c
Revises:
Create Date: 2024-03-02 10:11:12.000000

"""
from alembic import op
import sqlalchemy as sa

# print "this comment is not code"

# revision identifiers, used by Alembic.
revision = "9c9c9c9c9c9c"
down_revision = None
branch_labels = ("py2comment",)
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("nickname", sa.String(50), nullable=True))


def downgrade():
    pass
