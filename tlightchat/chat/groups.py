"""Group conversations (issue 26): the chat of a call with three or more parties.

A call keeps one conversation: its key (the wire `conversationId`) is derived from the
call id (`conversation_id`), so the server names it in `call:started` and
`call:party-joined` without a database round trip on the accept path, and a call
resumed after a restart (same call id) finds its conversation again. A new call of the
same people is a new conversation: the chat belongs to that call (who joined and left,
what was said while it ran), and the group of people is rarely exactly the same.

The conversation and its members are made idempotently (`ensure`, ON CONFLICT DO
NOTHING on the key and on (group, user)), by the call log (chat/grouplog.py) when the
call gets its third party and whenever someone joins, and by `chat:send` when a party
writes before that happened. Members are only added: a party that left keeps reading.

Authorization: every read and write starts from the caller's user id and the key; a
key whose conversation the caller is not a member of is refused `forbidden`, the same
whether it exists or not. Messages go through the pair chat's write path (one table,
the same exactly-once key; chat/group_writes.py).
"""
import hashlib

from sqlalchemy import case, func, select, update

from .group_writes import GROUPS, MEMBERS, not_a_member
from .messages import UNREAD_KINDS, page_of, public_peer, wire
from .. import limits as L
from ..models import GroupConversation, GroupMember, Message, User, utcnow

PREFIX = "call."


def conversation_id(call_id):
    """The wire id of a call's group conversation."""
    key = PREFIX + call_id
    if len(key) <= L.ID_MAX:
        return key
    return PREFIX + hashlib.sha256(call_id.encode()).hexdigest()[:40]


class GroupChat:
    def __init__(self, db):
        self.db = db
        self.insert_group = db.insert(GROUPS).on_conflict_do_nothing(index_elements=["key"])
        self.insert_members = db.insert(MEMBERS).on_conflict_do_nothing(
            index_elements=["group_id", "user_id"])

    # -- membership ----------------------------------------------------------------

    def ensure_on(self, c, call_id, user_ids, at=None):
        """On connection `c` (the caller's transaction): the call's conversation exists
        and every one of `user_ids` that is a stored user is a member. Returns its row id."""
        now, key = at or utcnow(), conversation_id(call_id)
        c.execute(self.insert_group, {"key": key, "call_id": call_id, "created_at": now,
                                      "last_message_id": 0})
        gid = c.scalar(select(GROUPS.c.id).where(GROUPS.c.key == key))
        users = sorted(c.scalars(select(User.id).where(User.id.in_(set(user_ids)))))
        if users:
            c.execute(self.insert_members, [{"group_id": gid, "user_id": u, "joined_at": now,
                                             "delivered": 0, "read": 0} for u in users])
        return gid

    def ensure(self, call_id, user_ids, at=None):
        with self.db.session() as s:
            self.ensure_on(s.connection(), call_id, user_ids, at)
        return conversation_id(call_id)

    def exists(self, call_id):
        """Whether the call has a conversation (it had three parties at some moment)."""
        with self.db.session() as s:
            return s.scalar(select(GroupConversation.id).where(
                GroupConversation.key == conversation_id(call_id))) is not None

    def members(self, key):
        """The members' user ids (for delivery); [] for no such conversation."""
        with self.db.session() as s:
            return list(s.scalars(select(GroupMember.user_id).join(
                GroupConversation, GroupConversation.id == GroupMember.group_id)
                .where(GroupConversation.key == key).order_by(GroupMember.user_id)))

    def _own(self, s, viewer_id, key):
        """(group, my member row), or `forbidden`."""
        row = s.execute(select(GroupConversation, GroupMember).join(
            GroupMember, GroupMember.group_id == GroupConversation.id).where(
            GroupConversation.key == key, GroupMember.user_id == viewer_id)).first()
        if row is None:
            raise not_a_member()
        return row

    def _people(self, s, group_ids):
        """{group id: [(member row, user)]}, members in the order they joined."""
        out = {g: [] for g in group_ids}
        for m, u in s.execute(select(GroupMember, User).join(User, User.id == GroupMember.user_id)
                              .where(GroupMember.group_id.in_(group_ids))
                              .order_by(GroupMember.joined_at, GroupMember.user_id)):
            out[m.group_id].append((m, u))
        return out

    @staticmethod
    def _marks(people, viewer_id):
        """Others' marks on my messages (the lowest: delivered/read by everyone), mine."""
        others = [m for m, _ in people if m.user_id != viewer_id]
        me = next(m for m, _ in people if m.user_id == viewer_id)
        return {"deliveredUpTo": min((m.delivered for m in others), default=0),
                "readUpTo": min((m.read for m in others), default=0),
                "myDeliveredUpTo": me.delivered, "myReadUpTo": me.read}

    def _unread(self, s, group_id, viewer_id, read):
        return s.scalar(select(func.count()).select_from(Message).where(
            Message.group_id == group_id, Message.id > read, Message.sender_id != viewer_id,
            Message.kind.in_(UNREAD_KINDS)))

    # -- reading -------------------------------------------------------------------

    def history(self, viewer_id, key, before=None, after=None, limit=L.CHAT_PAGE):
        """One page, like a pair's (ChatService.history), with the members."""
        limit = max(1, min(limit, L.CHAT_PAGE_MAX))
        with self.db.session() as s:
            group, mine = self._own(s, viewer_id, key)
            rows, has_more = page_of(s, Message.group_id == group.id, before, after, limit)
            people = self._people(s, [group.id])[group.id]
            return {"conversationId": key, "members": [public_peer(u) for _, u in people],
                    "messages": [wire(m, name, key) for m, name in rows], "hasMore": has_more,
                    "unread": self._unread(s, group.id, viewer_id, mine.read),
                    **self._marks(people, viewer_id)}

    def conversations(self, viewer_id, limit=L.CONVERSATIONS_MAX):
        """The viewer's group conversations that have messages, most recent first, as
        chat:conversations entries (with `conversationId` and `members`, no `with`)."""
        with self.db.session() as s:
            rows = s.execute(select(GroupConversation, GroupMember).join(
                GroupMember, GroupMember.group_id == GroupConversation.id).where(
                GroupMember.user_id == viewer_id, GroupConversation.last_message_id > 0)
                .order_by(GroupConversation.last_message_id.desc()).limit(limit)).all()
            if not rows:
                return []
            people = self._people(s, [g.id for g, _ in rows])
            last = {m.id: (m, name) for m, name in s.execute(
                select(Message, User.display_name).join(User, User.id == Message.sender_id)
                .where(Message.id.in_([g.last_message_id for g, _ in rows])))}
            return [{"conversationId": g.key, "members": [public_peer(u) for _, u in people[g.id]],
                     "lastMessage": wire(*last[g.last_message_id], g.key),
                     "unread": self._unread(s, g.id, viewer_id, mine.read),
                     **self._marks(people[g.id], viewer_id)} for g, mine in rows]

    # -- marks ---------------------------------------------------------------------

    def mark(self, viewer_id, key, up_to, read):
        """Like ChatService.mark, for a group: (my state, changed)."""
        with self.db.session() as s:
            group, mine = self._own(s, viewer_id, key)
            up_to = min(up_to, group.last_message_id)
            before = (mine.delivered, mine.read)
            values = {MEMBERS.c.delivered: case((MEMBERS.c.delivered < up_to, up_to),
                                                else_=MEMBERS.c.delivered)}
            if read:
                values[MEMBERS.c.read] = case((MEMBERS.c.read < up_to, up_to),
                                              else_=MEMBERS.c.read)
            s.execute(update(MEMBERS).where(MEMBERS.c.group_id == group.id,
                                            MEMBERS.c.user_id == viewer_id).values(values))
            s.refresh(mine)
            after = (mine.delivered, mine.read)
            state = {"conversationId": key, "deliveredUpTo": after[0], "readUpTo": after[1],
                     "unread": self._unread(s, group.id, viewer_id, mine.read)}
            receipts = {}
            if after != before:  # each other member's view: the lowest marks of the rest
                people = self._people(s, [group.id])[group.id]
                receipts = {m.user_id: self._marks(people, m.user_id) for m, _ in people
                            if m.user_id != viewer_id}
        return state, receipts
