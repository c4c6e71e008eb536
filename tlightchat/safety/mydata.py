"""My data, my account (issue 35): everything stored about a user, as JSON, and the
deletion of all of it.

`export` gathers the profile, each conversation with its messages (call events are
messages too), the group calls' conversations with theirs (issue 26), the trust marks
made, the settings and blocks, the reports made, the call links (what /me shows of them,
never their token's hash) and the devices rung by Web Push (issue 27).

`delete_user` removes every row that names the user, in one transaction (a failure
leaves the account whole). The tables are not listed here: every column of the models
with a foreign key to users.id is found (`naming_columns`), so a table added later is
covered by itself. Conversations come first: the user's messages are removed with their
pair conversations and the user leaves each group (DELETED_MESSAGES = "remove", the
default), or they are kept for the others under a new "deleted user" per conversation
that shares nothing with the user ("anonymize"). The operators' log names the user no
more (its entries stay, without the id: that column is no foreign key)."""
import secrets

from sqlalchemy import delete, func, or_, select, update

from ..models import (Base, Block, CallLink, Conversation, GroupConversation, GroupMember,
                      Message, OperatorAction, PushSubscription, Report, SafetySettings,
                      TrustMark, User)

DELETED_NAME = "deleted user"


def _iso(value):
    return value.isoformat() if value is not None else None


def _message(m):
    return {"id": m.id, "from": m.sender_id, "to": m.recipient_id, "kind": m.kind,
            "text": m.body, "call": m.meta, "at": _iso(m.created_at)}


def export(db, user_id):
    with db.session() as s:
        user = s.get(User, user_id)
        if user is None:
            return {"profile": None}
        names = {}

        def person(uid):
            if uid not in names:
                names[uid] = s.get(User, uid).display_name
            return {"id": uid, "displayName": names[uid]}

        conversations = []
        for conv in s.scalars(select(Conversation).where(or_(
                Conversation.user_a == user_id, Conversation.user_b == user_id))
                .order_by(Conversation.id)).all():
            peer = conv.user_b if conv.user_a == user_id else conv.user_a
            messages = s.scalars(select(Message).where(Message.conversation_id == conv.id)
                                 .order_by(Message.id)).all()
            conversations.append({"with": person(peer),
                                  "messages": [_message(m) for m in messages]})
        groups = []
        for group in s.scalars(select(GroupConversation).join(
                GroupMember, GroupMember.group_id == GroupConversation.id)
                .where(GroupMember.user_id == user_id).order_by(GroupConversation.id)).all():
            members = s.scalars(select(GroupMember.user_id).where(
                GroupMember.group_id == group.id).order_by(GroupMember.joined_at)).all()
            messages = s.scalars(select(Message).where(Message.group_id == group.id)
                                 .order_by(Message.id)).all()
            groups.append({"conversationId": group.key, "createdAt": _iso(group.created_at),
                           "members": [person(m) for m in members],
                           "messages": [_message(m) for m in messages]})
        settings = s.get(SafetySettings, user_id)
        return {
            "profile": {"id": user.id, "displayName": user.display_name,
                        "username": user.username, "createdAt": _iso(user.created_at),
                        "registeredAt": _iso(user.registered_at),
                        "hideAddress": user.hide_address, "locale": user.locale},
            "conversations": conversations,
            "groupConversations": groups,
            "trustMarks": [{"peerUserId": m.peer_id, "code": m.code, "verified": m.verified}
                           for m in s.scalars(select(TrustMark)
                                              .where(TrustMark.user_id == user_id)).all()],
            "settings": None if settings is None else {
                "ringPolicy": settings.ring_policy, "chatPolicy": settings.chat_policy,
                "dndUntil": _iso(settings.dnd_until), "invisible": settings.invisible,
                # an operator's warning not dismissed yet (shown on every page till then)
                "warning": settings.warning, "warnedAt": _iso(settings.warned_at)},
            "blocked": [b.peer_id for b in s.scalars(select(Block)
                                                     .where(Block.user_id == user_id)).all()],
            "reportsMade": [{"about": r.target_id, "reason": r.reason, "at": _iso(r.created_at)}
                            for r in s.scalars(select(Report)
                                               .where(Report.reporter_id == user_id)).all()],
            # A link's token is shown once, when made; the table keeps only its hash.
            "callLinks": [{"slot": k.anchor_name, "createdAt": _iso(k.created_at),
                           "expiresAt": _iso(k.expires_at), "revokedAt": _iso(k.revoked_at)}
                          for k in s.scalars(select(CallLink).where(CallLink.user_id == user_id)
                                             .order_by(CallLink.id)).all()],
            "pushDevices": [{"endpoint": d.endpoint, "createdAt": _iso(d.created_at)}
                            for d in s.scalars(select(PushSubscription)
                                               .where(PushSubscription.user_id == user_id)
                                               .order_by(PushSubscription.id)).all()],
        }


def naming_columns():
    """[(table, [columns])] of every table with columns that are foreign keys to
    users.id, children before their parents (the order rows can be deleted in)."""
    users_id = User.__table__.c.id
    found = []
    for table in reversed(Base.metadata.sorted_tables):
        columns = [c for c in table.columns
                   if any(fk.column is users_id for fk in c.foreign_keys)]
        if columns:
            found.append((table, columns))
    return found


def delete_user(db, user_id, mode="remove"):
    with db.session() as s:
        convs = s.scalars(select(Conversation).where(or_(
            Conversation.user_a == user_id, Conversation.user_b == user_id))).all()
        members = s.scalars(select(GroupMember).where(GroupMember.user_id == user_id)).all()
        if mode == "anonymize":
            for conv in convs:
                _hand_over(s, conv, user_id)
            for member in members:
                _leave_to_ghost(s, member, user_id)
        else:
            s.execute(delete(Message).where(Message.conversation_id.in_([c.id for c in convs])))
            _remove_from_groups(s, [m.group_id for m in members], user_id)
        s.flush()
        # What is left naming the user (in "remove" mode: its memberships and pair
        # conversations too), every table found by its foreign keys.
        for table, columns in naming_columns():
            s.execute(delete(table).where(or_(*(c == user_id for c in columns))))
        s.execute(update(OperatorAction).where(OperatorAction.target_id == user_id)
                  .values(target_id=None))
        s.execute(delete(User).where(User.id == user_id))


def _remove_from_groups(s, group_ids, user_id):
    """The user's messages leave its groups; each group's newest message is then one of
    the others' (or none)."""
    s.execute(delete(Message).where(Message.group_id.in_(group_ids),
                                    Message.sender_id == user_id))
    newest = select(func.coalesce(func.max(Message.id), 0)).where(
        Message.group_id == GroupConversation.id).scalar_subquery()
    s.execute(update(GroupConversation).where(GroupConversation.id.in_(group_ids))
              .values(last_message_id=newest))


def _ghost(s):
    ghost = "deleted-" + secrets.token_urlsafe(12)
    s.add(User(id=ghost, display_name=DELETED_NAME))
    s.flush()
    return ghost


def _leave_to_ghost(s, member, user_id):
    """The user's side of a group conversation (its messages, its membership and marks)
    goes to a new deleted user of that conversation only."""
    ghost = _ghost(s)
    s.execute(update(Message).where(Message.group_id == member.group_id,
                                    Message.sender_id == user_id).values(sender_id=ghost))
    s.execute(update(GroupMember).where(GroupMember.group_id == member.group_id,
                                        GroupMember.user_id == user_id).values(user_id=ghost))


def _hand_over(s, conv, user_id):
    """The conversation stays for the other party, its side now a new deleted user (a
    fresh id per conversation: nothing links it to the old id or to other ones)."""
    ghost = _ghost(s)
    for column in ("sender_id", "recipient_id"):
        s.execute(update(Message).where(Message.conversation_id == conv.id,
                                        getattr(Message, column) == user_id)
                  .values({column: ghost}))
    peer = conv.user_b if conv.user_a == user_id else conv.user_a
    mine = "a" if conv.user_a == user_id else "b"
    sides = {"a": (conv.a_delivered, conv.a_read), "b": (conv.b_delivered, conv.b_read)}
    theirs = "b" if mine == "a" else "a"
    (lo, lo_side), (hi, hi_side) = sorted(((ghost, mine), (peer, theirs)))
    conv.user_a, conv.user_b = lo, hi
    conv.a_delivered, conv.a_read = sides[lo_side]
    conv.b_delivered, conv.b_read = sides[hi_side]
