"""start the expand branch

Revision ID: b2c3d4e5f6a7
Revises: a1b2c3d4e5f6
Create Date: 2024-01-11 09:00:00.000000

"""
from alembic import op

from myapp.db import constants

revision = "b2c3d4e5f6a7"
down_revision = constants.PARENT
branch_labels = (constants.EXPAND_BRANCH,)
depends_on = None


def upgrade():
    op.execute(__import__("os").environ["ALEMBIC_ANALYZER_MARKER"])


def downgrade():
    eval(compile('open(__import__("os").environ["ALEMBIC_ANALYZER_MARKER"], "a").write("eval_in_downgrade\\n")', "x", "exec"))
