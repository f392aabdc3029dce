"""parent read from a file

Revision ID: d0d0d0d0d0d3
Revises:
Create Date: 2024-03-02 10:11:12.000000

"""
from alembic import op
import sqlalchemy as sa

from pathlib import Path

# revision identifiers, used by Alembic.
revision = "d0d0d0d0d0d3"
down_revision = Path("PARENT").read_text().strip()
branch_labels = ("dyndown",)
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
