"""messages.html: the body's safe HTML, rendered once when the message is stored

History rendered every message's Markdown on the event loop when read: one page of 100
bracket-heavy messages froze every connection for seconds. Now the HTML is rendered
when the message is stored and kept here; reads never render. The rows stored before
this revision are rendered here, once, in batches (backfill), so no read renders them
either.

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BATCH = 500


def upgrade():
    op.add_column("messages", sa.Column("html", sa.Text(), nullable=True))
    from tlightchat.chat.markdown import render  # the renderer of this version

    messages = sa.table("messages", sa.column("id", sa.Integer), sa.column("body", sa.Text),
                        sa.column("html", sa.Text))
    bind, last = op.get_bind(), 0
    while True:
        rows = bind.execute(sa.select(messages.c.id, messages.c.body)
                            .where(messages.c.id > last, messages.c.html.is_(None))
                            .order_by(messages.c.id).limit(BATCH)).all()
        if not rows:
            return
        bind.execute(messages.update().where(messages.c.id == sa.bindparam("row_id"))
                     .values(html=sa.bindparam("rendered")),
                     [{"row_id": i, "rendered": render(body) if body else ""}
                      for i, body in rows])
        last = rows[-1][0]


def downgrade():
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("html")
