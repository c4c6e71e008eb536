"""health probe: one row that /healthz/ready writes, to prove the database takes writes

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "health_probe",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.bulk_insert(table, [{"id": "ready", "checked_at": None}])


def downgrade():
    op.drop_table("health_probe")
