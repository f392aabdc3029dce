"""ajouté une clé étrangère vers les comptes

Revision ID: 0002_clé
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002_clé"	# 🔑 la clé
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("accounts", sa.Column("propriétaire", sa.Text))


def downgrade():
    op.drop_column("accounts", "propriétaire")
