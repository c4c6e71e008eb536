"""trust marks: "I verified the safety code with this person", per (user, peer), with the code

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "trust_marks",
        sa.Column("user_id", sa.String(64), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("peer_id", sa.String(64), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("verified", sa.Boolean, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade():
    op.drop_table("trust_marks")
