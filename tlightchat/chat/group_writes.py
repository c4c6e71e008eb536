"""The write path of group conversations (issue 26): a batch's rows for a group, stored
in the caller's transaction like a pair's (chat/writes.py), with the same exactly-once
key (sender_id, client_msg_id).

A row's `group` is the conversation's key (its wire `conversationId`); only a member
may write to it: anyone else is refused `forbidden`, whether or not the key exists, so
the answer tells nothing about other people's conversations. The groups' rows are
locked first (PostgreSQL; SQLite has one writer), so message ids commit in id order
within a conversation, as for a pair.
"""
from sqlalchemy import bindparam, select, tuple_, update

from ..errors import Refusal
from ..models import GroupConversation, GroupMember

GROUPS = GroupConversation.__table__
MEMBERS = GroupMember.__table__


def not_a_member():
    return Refusal("forbidden", "conversationId: you are not in this conversation")


class GroupStatements:
    def __init__(self):
        self.lock_groups = select(GROUPS.c.id, GROUPS.c.key).where(
            GROUPS.c.key.in_(bindparam("keys", expanding=True))
        ).order_by(GROUPS.c.id).with_for_update()
        self.members = select(MEMBERS.c.group_id, MEMBERS.c.user_id).where(tuple_(
            MEMBERS.c.group_id, MEMBERS.c.user_id).in_(bindparam("pairs", expanding=True)))
        self.set_last_message = update(GROUPS).where(
            GROUPS.c.id == bindparam("group")).values(last_message_id=bindparam("last"))


def write_group_rows(c, sql, groups, rows, names, known):
    """Per row (all for a group): (stored row, sender's name, duplicate) or a Refusal.
    `sql` the pair writer's statements (insert, stored), `groups` GroupStatements,
    `names` {userId: displayName} of the senders, `known` {(sender, clientMsgId): stored
    row} as read before."""
    out = [None] * len(rows)
    ids = dict((key, gid) for gid, key in c.execute(
        groups.lock_groups, {"keys": sorted({r.group for r in rows})}))
    wanted = {(ids[r.group], r.sender_id) for r in rows if r.group in ids}
    members = set(c.execute(groups.members, {"pairs": list(wanted)}).all()) if wanted else set()
    fresh = []
    for n, row in enumerate(rows):
        gid = ids.get(row.group)
        existing = known.get((row.sender_id, row.client_msg_id))
        if gid is None or (gid, row.sender_id) not in members:
            out[n] = not_a_member()
        elif existing is not None:
            out[n] = _as_duplicate(existing, row, gid, names)
        elif row.sender_id not in names:
            out[n] = Refusal("invalid-state", "your identity is gone; reload")
        else:
            fresh.append(n)
    if not fresh:
        return out
    values = [{"conversation_id": None, "recipient_id": None, "group_id": ids[rows[n].group],
               "sender_id": rows[n].sender_id, "client_msg_id": rows[n].client_msg_id,
               "kind": rows[n].kind, "body": rows[n].body, "html": rows[n].html,
               "meta": rows[n].meta, "created_at": rows[n].at} for n in fresh]
    inserted = {(r.sender_id, r.client_msg_id): r for r in c.execute(sql.insert_messages, values)}
    raced = [(rows[n].sender_id, rows[n].client_msg_id) for n in fresh
             if (rows[n].sender_id, rows[n].client_msg_id) not in inserted]
    meanwhile = {(m.sender_id, m.client_msg_id): m
                 for m in c.execute(sql.stored, {"keys": raced})} if raced else {}
    newest = {}
    for n in fresh:
        row, key = rows[n], (rows[n].sender_id, rows[n].client_msg_id)
        if key in inserted:
            stored = inserted[key]
            out[n] = (stored, names[row.sender_id], False)
            newest[stored.group_id] = max(newest.get(stored.group_id, 0), stored.id)
        else:
            out[n] = _as_duplicate(meanwhile[key], row, ids[row.group], names)
    if newest:
        c.execute(groups.set_last_message, [{"group": g, "last": last}
                                            for g, last in newest.items()])
    return out


def _as_duplicate(existing, row, group_id, names):
    if existing.group_id != group_id or existing.kind != row.kind or existing.body != row.body:
        return Refusal("invalid-state", "clientMsgId: already used for another "
                       "message; make a new id for a new message")
    return existing, names[existing.sender_id], True
