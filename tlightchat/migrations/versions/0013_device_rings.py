"""device_rings (issue 27: a link's push ring, seen by every node of a cluster;
tlightchat/reach/links.py)

Before, the rings lived in the memory of the node where the visitor opened the link, so
a Decline or Accept that reached another node found nothing.

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "device_rings",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("maker_id", sa.String(64), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("visitor_id", sa.String(64), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_device_rings_link_visitor", "device_rings", ["token_hash", "visitor_id"])
    op.create_index("uq_device_rings_ringing", "device_rings", ["token_hash", "visitor_id"],
                    unique=True, sqlite_where=sa.text("state = 'ringing'"),
                    postgresql_where=sa.text("state = 'ringing'"))
    op.create_index("ix_device_rings_maker_id", "device_rings", ["maker_id"])
    op.create_index("ix_device_rings_visitor_id", "device_rings", ["visitor_id"])
    op.create_index("ix_device_rings_until", "device_rings", ["until"])


def downgrade():
    for name in ("ix_device_rings_until", "ix_device_rings_visitor_id",
                 "ix_device_rings_maker_id", "uq_device_rings_ringing",
                 "ix_device_rings_link_visitor"):
        op.drop_index(name, "device_rings")
    op.drop_table("device_rings")
