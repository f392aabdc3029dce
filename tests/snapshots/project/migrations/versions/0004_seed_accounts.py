"""seed accounts (Python 2 syntax: no Python 3 parser accepts it)

Revision ID: 0004
Revises: 0003
"""
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade():
    print "seeding accounts"
    op.execute("INSERT INTO accounts (id) VALUES (1)")


def downgrade():
    op.execute("DELETE FROM accounts")
