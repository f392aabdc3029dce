"""python 2 era migration

Revision ID: 9e9e9e9e9e02
Revises:
Create Date: 2024-03-02 10:11:12.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "9e9e9e9e9e02"
down_revision = None
branch_labels = ("py2",)
depends_on = None


def upgrade():
    print "migrating users"


def downgrade():
    pass
