"""The safety rows: blocks and each user's rules (who may ring or write, do not disturb).

Read from the database on every decision, never cached in a process: every node of a
cluster shares the database, so a block or a changed rule holds on every node the moment
it is committed (docs/protocol.md, "Safety").
"""
from datetime import datetime, timezone

from sqlalchemy import bindparam, delete, exists, or_, select

from ..errors import Refusal
from ..models import Block, Conversation, Message, SafetySettings, TrustMark, User

MAX_BLOCKS = 1000  # per user: a list a person can read on /me, and a bounded lobby filter


# The questions asked, as SQL expressions: each answered alone, or several in one statement
# (chat_facts: what every chat:send asks).
def _blocked(a, b):
    """A block stands between a and b (either way)."""
    return exists().where(or_((Block.user_id == a) & (Block.peer_id == b),
                              (Block.user_id == b) & (Block.peer_id == a)))


def _wrote(me, other):
    """`me` wrote a text message to `other`."""
    return exists().where(Message.sender_id == me, Message.recipient_id == other,
                          Message.kind == "text")


def _verified(me, other):
    """`me` marked `other` verified (NULL: no mark)."""
    return (select(TrustMark.verified)
            .where(TrustMark.user_id == me, TrustMark.peer_id == other).scalar_subquery())


_SENDER, _RECIPIENT = bindparam("sender"), bindparam("recipient")
_CHAT_FACTS = select(
    _blocked(_SENDER, _RECIPIENT),
    select(SafetySettings.chat_policy).where(SafetySettings.user_id == _RECIPIENT).scalar_subquery(),
    _wrote(_RECIPIENT, _SENDER), _verified(_RECIPIENT, _SENDER))


class SafetyData:
    def __init__(self, db):
        self.db = db

    # -- blocks ------------------------------------------------------------------------
    def block(self, user_id, peer_id, online=False):
        """Like trust marks, only a person one can reach is blockable (online now, or a
        conversation exists): any other id is answered as unknown, so blocking never
        tells whether an id exists."""
        if peer_id == user_id:
            raise Refusal("invalid-payload", "userId: that is you")
        with self.db.session() as s:
            a, b = sorted((user_id, peer_id))
            known = online or s.scalar(select(Conversation.id).where(
                Conversation.user_a == a, Conversation.user_b == b)) is not None
            if not known or s.get(User, peer_id) is None:
                raise Refusal("not-found", "no such user")
            if s.get(Block, (user_id, peer_id)) is None:
                count = len(s.scalars(select(Block.peer_id).where(Block.user_id == user_id))
                            .all())
                if count >= MAX_BLOCKS:
                    raise Refusal("limit", "at most %(n)s blocked people", n=MAX_BLOCKS)
                s.add(Block(user_id=user_id, peer_id=peer_id))

    def unblock(self, user_id, peer_id):
        with self.db.session() as s:
            s.execute(delete(Block).where(Block.user_id == user_id, Block.peer_id == peer_id))

    def blocked(self, user_id):
        """The people this user blocked, with their names (for /me)."""
        with self.db.session() as s:
            rows = s.execute(select(Block.peer_id, User.display_name)
                             .join(User, User.id == Block.peer_id)
                             .where(Block.user_id == user_id)
                             .order_by(Block.created_at)).all()
            return [{"id": pid, "displayName": name} for pid, name in rows]

    def hidden_for(self, user_id):
        """Everyone a block stands between this user and: blocked by them or blocking them."""
        with self.db.session() as s:
            rows = s.execute(select(Block.user_id, Block.peer_id).where(
                or_(Block.user_id == user_id, Block.peer_id == user_id))).all()
            return frozenset(b if a == user_id else a for a, b in rows)

    def blocked_between(self, a, b):
        with self.db.session() as s:
            return bool(s.scalar(select(_blocked(a, b))))

    def has_blocked(self, user_id, peer_id):
        with self.db.session() as s:
            return s.get(Block, (user_id, peer_id)) is not None

    # -- rules -------------------------------------------------------------------------
    def settings(self, user_id):
        with self.db.session() as s:
            row = s.get(SafetySettings, user_id)
            if row is None:
                return {"ringPolicy": None, "chatPolicy": None, "dndUntil": None,
                        "invisible": False}
            return {"ringPolicy": row.ring_policy, "chatPolicy": row.chat_policy,
                    "dndUntil": row.dnd_until.timestamp() if row.dnd_until else None,
                    "invisible": bool(row.invisible)}

    def set_settings(self, user_id, **fields):
        """fields: ring_policy, chat_policy (None: the default), dnd_until (epoch
        seconds, None: off), invisible (bool), warning (str) and warned_at (epoch
        seconds; both None: no warning to show)."""
        with self.db.session() as s:
            row = s.get(SafetySettings, user_id)
            if row is None:
                row = SafetySettings(user_id=user_id)
                s.add(row)
            for key, value in fields.items():
                if key in ("dnd_until", "warned_at") and value is not None:
                    value = datetime.fromtimestamp(value, timezone.utc)
                setattr(row, key, value)

    def warning(self, user_id):
        """The operators' warning the user has not dismissed: {reason, at (epoch ms)}."""
        with self.db.session() as s:
            row = s.get(SafetySettings, user_id)
            if row is None or row.warned_at is None:
                return None
            return {"reason": row.warning or "", "at": int(row.warned_at.timestamp() * 1000)}

    def invisible_users(self):
        with self.db.session() as s:
            return set(s.scalars(select(SafetySettings.user_id)
                                 .where(SafetySettings.invisible.is_(True))).all())

    def relation(self, me, other):
        """(chatted, verified): whether `me` wrote to `other`, and marked them verified."""
        with self.db.session() as s:
            chatted, verified = s.execute(select(_wrote(me, other), _verified(me, other))).one()
            return bool(chatted), bool(verified)

    def chat_facts(self, sender, recipient):
        """What `sender` writing to `recipient` depends on, in one statement (every
        chat:send asks it; three units of work and four queries built anew each time cost
        the chat bench half its server time): (a block between them, the recipient's
        chosen chat policy (None: the default), and the recipient's relation to the
        sender as relation())."""
        with self.db.reading() as c:
            blocked, chosen, chatted, verified = c.execute(
                _CHAT_FACTS, {"sender": sender, "recipient": recipient}).one()
            return bool(blocked), chosen, bool(chatted), bool(verified)
