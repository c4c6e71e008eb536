"""safety: an operator's warning the user has not dismissed yet (issue 35), on safety_settings

Shown on the user's open pages at once and at each page load until they dismiss it
(tlightchat/safety/warnings.py).

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("safety_settings") as batch:
        batch.add_column(sa.Column("warning", sa.Text, nullable=True))
        batch.add_column(sa.Column("warned_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("safety_settings") as batch:
        batch.drop_column("warned_at")
        batch.drop_column("warning")
