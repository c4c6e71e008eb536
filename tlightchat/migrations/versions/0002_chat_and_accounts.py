"""chat (conversations, messages) and accounts (username, password hash on users)

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("username", sa.String(32), nullable=True))
        batch.add_column(sa.Column("password_hash", sa.String(255), nullable=True))
        batch.add_column(sa.Column("registered_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_unique_constraint("uq_users_username", ["username"])

    op.create_table(
        "conversations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_a", sa.String(64), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("user_b", sa.String(64), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_message_id", sa.Integer, nullable=False, server_default="0"),
        sa.Column("a_delivered", sa.Integer, nullable=False, server_default="0"),
        sa.Column("a_read", sa.Integer, nullable=False, server_default="0"),
        sa.Column("b_delivered", sa.Integer, nullable=False, server_default="0"),
        sa.Column("b_read", sa.Integer, nullable=False, server_default="0"),
        sa.UniqueConstraint("user_a", "user_b", name="uq_conversations_pair"),
        sa.CheckConstraint("user_a <= user_b", name="ck_conversations_sorted"),
    )
    op.create_index("ix_conversations_user_a", "conversations", ["user_a"])
    op.create_index("ix_conversations_user_b", "conversations", ["user_b"])

    op.create_table(
        "messages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.Integer, sa.ForeignKey("conversations.id"),
                  nullable=False),
        sa.Column("sender_id", sa.String(64), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("recipient_id", sa.String(64), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("client_msg_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False, server_default="text"),
        sa.Column("body", sa.Text, nullable=False, server_default=""),
        sa.Column("meta", sa.JSON, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("sender_id", "client_msg_id", name="uq_messages_sender_client_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_messages_conversation_id_id", "messages", ["conversation_id", "id"])


def downgrade():
    op.drop_index("ix_messages_conversation_id_id", table_name="messages")
    op.drop_table("messages")
    op.drop_index("ix_conversations_user_b", table_name="conversations")
    op.drop_index("ix_conversations_user_a", table_name="conversations")
    op.drop_table("conversations")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("uq_users_username", type_="unique")
        batch.drop_column("registered_at")
        batch.drop_column("password_hash")
        batch.drop_column("username")
