"""conversations: the sorted-pair check compares user ids by code point on PostgreSQL

The service sorts a pair with Python's `<=` (code points). SQLite compares text that
way too, but PostgreSQL compares in the database's collation (en_US and ICU collations
put "a" before "B" and skip "-" and "_"), which refused about half the pairs of random
user ids. COLLATE "C" is code point order on every PostgreSQL.

Revision ID: 0006
Revises: 0005
"""
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite's text comparison is already by code point
    op.drop_constraint("ck_conversations_sorted", "conversations", type_="check")
    op.create_check_constraint("ck_conversations_sorted", "conversations",
                               'user_a COLLATE "C" <= user_b COLLATE "C"')


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_constraint("ck_conversations_sorted", "conversations", type_="check")
    op.create_check_constraint("ck_conversations_sorted", "conversations", "user_a <= user_b")
