"""revision id computed at import

Revision ID: X
Revises:
Create Date: 2024-03-02 10:11:12.000000

"""
from alembic import op
import sqlalchemy as sa

import uuid

# revision identifiers, used by Alembic.
revision = uuid.uuid4().hex[:12]
down_revision = None
branch_labels = ("computed",)
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
