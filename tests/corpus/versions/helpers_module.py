"""Shared helpers that ended up in the versions directory."""
import sqlalchemy as sa


def timestamps():
    return [sa.Column("created_at", sa.DateTime()), sa.Column("updated_at", sa.DateTime())]
