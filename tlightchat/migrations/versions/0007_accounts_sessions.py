"""account sessions: each signed-in browser's session is a row, so the server can end it

A session cookie used to be the whole session: a copy of it opened /me and connected as
the account for 365 days, even after /logout. Now signing in stores a row (the SHA-256 of
a random token the cookie carries); every request and Socket.IO connect of an account
needs its row. Sign-out deletes that row, "Sign out everywhere" and a password change
delete the user's rows. Existing account cookies carry no token: they sign in again.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "account_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(64), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_account_sessions_user_id", "account_sessions", ["user_id"])


def downgrade():
    op.drop_index("ix_account_sessions_user_id", "account_sessions")
    op.drop_table("account_sessions")
