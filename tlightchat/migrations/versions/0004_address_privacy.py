"""address privacy: a per-user "hide my network address from people I have not verified"

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        # NULL: the user never chose; the admin default RELAY_FOR_STRANGERS applies.
        batch.add_column(sa.Column("hide_address", sa.Boolean, nullable=True))


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("hide_address")
