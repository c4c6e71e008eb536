"""safety: blocks and who-may-ring/chat settings with do not disturb, invisible; reports, sanctions, the operators' log (issue 35)

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "safety_blocks",
        sa.Column("user_id", sa.String(64), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("peer_id", sa.String(64), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_safety_blocks_peer_id", "safety_blocks", ["peer_id"])
    op.create_table(
        "safety_settings",
        sa.Column("user_id", sa.String(64), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("ring_policy", sa.String(16), nullable=True),
        sa.Column("chat_policy", sa.String(16), nullable=True),
        sa.Column("dnd_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("invisible", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "safety_reports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("reporter_id", sa.String(64), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("target_id", sa.String(64), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("context", sa.JSON, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_safety_reports_reporter_id", "safety_reports", ["reporter_id"])
    op.create_index("ix_safety_reports_target_id", "safety_reports", ["target_id"])
    op.create_table(
        "safety_sanctions",
        sa.Column("user_id", sa.String(64), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "safety_operator_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("operator", sa.String(32), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("target_id", sa.String(64), nullable=True),
        sa.Column("report_id", sa.Integer, nullable=True),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade():
    op.drop_table("safety_operator_log")
    op.drop_table("safety_sanctions")
    op.drop_index("ix_safety_reports_target_id", "safety_reports")
    op.drop_index("ix_safety_reports_reporter_id", "safety_reports")
    op.drop_table("safety_reports")
    op.drop_table("safety_settings")
    op.drop_index("ix_safety_blocks_peer_id", "safety_blocks")
    op.drop_table("safety_blocks")
