"""merge heads

Revision ID: e5f6a7b8c9d0
Revises: c7d8e9f0a1b2, 4d5e6f7a8b9c
Create Date: 2024-06-03 08:00:00.000000

"""
revision = "e5f6a7b8c9d0"
down_revision = ("c7d8e9f0a1b2", "4d5e6f7a8b9c")
branch_labels = None
depends_on = "9b1e4d2c6a10"


def upgrade():
    pass


def downgrade():
    pass
