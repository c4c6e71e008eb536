"""call_links: links that ring their maker's slot (issue 27, tlightchat/reach/links.py)

The row keeps the SHA-256 of the link's random token, never the token; a NULL expires_at
lasts until the maker revokes it (revoked_at).

Revision ID: 0012
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0009"  # re-chained at merge
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "call_links",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("user_id", sa.String(64), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("anchor_id", sa.String(64), nullable=False),
        sa.Column("anchor_name", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_call_links_user_id", "call_links", ["user_id"])


def downgrade():
    op.drop_index("ix_call_links_user_id", "call_links")
    op.drop_table("call_links")
