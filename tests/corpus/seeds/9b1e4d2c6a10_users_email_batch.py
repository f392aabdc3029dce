"""make users.email unique (sqlite batch mode)

Revision ID: 9b1e4d2c6a10
Revises:
Create Date: 2024-05-02 09:41:55.103981

"""
from alembic import op
import sqlalchemy as sa


revision = '9b1e4d2c6a10'
down_revision = None
branch_labels = ('core',)
depends_on = None


def _timestamps(table):
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(), nullable=True))


def upgrade():
    op.create_table(
        'users',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('email', sa.String(255), nullable=False),
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_users_email', ['email'])
        batch_op.alter_column('email', existing_type=sa.String(255), type_=sa.String(320))
    for table in ('users',):
        _timestamps(table)


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('updated_at')
        batch_op.drop_column('created_at')
        batch_op.alter_column('email', existing_type=sa.String(320), type_=sa.String(255))
        batch_op.drop_constraint('uq_users_email', type_='unique')
    op.drop_table('users')
