"""group conversations: the chat of a group call's users (issue 26, chat/groups.py)

group_conversations (one per call, `key` its wire id) and group_members (who is in it,
with each member's marks); a message of a group has group_id and neither
conversation_id nor recipient_id, so those two become nullable (SQLite rebuilds the
messages table for that; PostgreSQL only drops the NOT NULL).

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "group_conversations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("call_id", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_message_id", sa.Integer, nullable=False, server_default="0"),
        sa.UniqueConstraint("key", name="uq_group_conversations_key"),
    )
    op.create_table(
        "group_members",
        sa.Column("group_id", sa.Integer, sa.ForeignKey("group_conversations.id"),
                  primary_key=True),
        sa.Column("user_id", sa.String(64), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered", sa.Integer, nullable=False, server_default="0"),
        sa.Column("read", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_index("ix_group_members_user_id", "group_members", ["user_id"])
    with op.batch_alter_table("messages", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.alter_column("conversation_id", existing_type=sa.Integer, nullable=True)
        batch.alter_column("recipient_id", existing_type=sa.String(64), nullable=True)
        batch.add_column(sa.Column("group_id", sa.Integer, sa.ForeignKey(
            "group_conversations.id", name="fk_messages_group_id"), nullable=True))
    op.create_index("ix_messages_group_id_id", "messages", ["group_id", "id"])


def downgrade():
    op.drop_index("ix_messages_group_id_id", table_name="messages")
    op.execute("DELETE FROM messages WHERE group_id IS NOT NULL")
    with op.batch_alter_table("messages", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_constraint("fk_messages_group_id", type_="foreignkey")
        batch.drop_column("group_id")
        batch.alter_column("conversation_id", existing_type=sa.Integer, nullable=False)
        batch.alter_column("recipient_id", existing_type=sa.String(64), nullable=False)
    op.drop_index("ix_group_members_user_id", table_name="group_members")
    op.drop_table("group_members")
    op.drop_table("group_conversations")
