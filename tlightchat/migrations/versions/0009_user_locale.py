"""users.locale: the language an account chose on a page's menu (issue 28, web/i18n.py)

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        # NULL: never chosen; the browser's Accept-Language applies.
        batch.add_column(sa.Column("locale", sa.String(8), nullable=True))


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("locale")
