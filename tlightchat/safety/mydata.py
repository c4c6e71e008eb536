"""My data, my account (issue 35): everything stored about a user, as JSON, and the
deletion of all of it.

`export` gathers the profile, each conversation with its messages (call events are
messages too), the trust marks made, the settings and blocks, and the reports made.
`delete` removes every row that names the user: its account sessions, marks (made and
received), settings, blocks (either way), sanctions, reports (made and about it), and the
operators' log names it no more (the entries stay, without the id). Its messages are
removed with its conversations (DELETED_MESSAGES = "remove", the default), or kept for
the other party under a new "deleted user" that shares nothing with it ("anonymize")."""
import secrets

from sqlalchemy import delete, or_, select, update

from ..models import (AccountSession, Block, Conversation, Message, OperatorAction, Report,
                      SafetySettings, Sanction, TrustMark, User)

DELETED_NAME = "deleted user"


def _iso(value):
    return value.isoformat() if value is not None else None


def export(db, user_id):
    with db.session() as s:
        user = s.get(User, user_id)
        if user is None:
            return {"profile": None}
        names = {}
        conversations = []
        for conv in s.scalars(select(Conversation).where(or_(
                Conversation.user_a == user_id, Conversation.user_b == user_id))
                .order_by(Conversation.id)).all():
            peer = conv.user_b if conv.user_a == user_id else conv.user_a
            if peer not in names:
                names[peer] = s.get(User, peer).display_name
            messages = s.scalars(select(Message).where(Message.conversation_id == conv.id)
                                 .order_by(Message.id)).all()
            conversations.append({"with": {"id": peer, "displayName": names[peer]}, "messages": [
                {"id": m.id, "from": m.sender_id, "to": m.recipient_id, "kind": m.kind,
                 "text": m.body, "call": m.meta, "at": _iso(m.created_at)} for m in messages]})
        settings = s.get(SafetySettings, user_id)
        return {
            "profile": {"id": user.id, "displayName": user.display_name,
                        "username": user.username, "createdAt": _iso(user.created_at),
                        "registeredAt": _iso(user.registered_at),
                        "hideAddress": user.hide_address, "locale": user.locale},
            "conversations": conversations,
            "trustMarks": [{"peerUserId": m.peer_id, "code": m.code, "verified": m.verified}
                           for m in s.scalars(select(TrustMark)
                                              .where(TrustMark.user_id == user_id)).all()],
            "settings": None if settings is None else {
                "ringPolicy": settings.ring_policy, "chatPolicy": settings.chat_policy,
                "dndUntil": _iso(settings.dnd_until), "invisible": settings.invisible},
            "blocked": [b.peer_id for b in s.scalars(select(Block)
                                                     .where(Block.user_id == user_id)).all()],
            "reportsMade": [{"about": r.target_id, "reason": r.reason, "at": _iso(r.created_at)}
                            for r in s.scalars(select(Report)
                                               .where(Report.reporter_id == user_id)).all()],
        }


def delete_user(db, user_id, mode="remove"):
    with db.session() as s:
        for table, columns in ((AccountSession, ("user_id",)),
                               (TrustMark, ("user_id", "peer_id")),
                               (SafetySettings, ("user_id",)), (Sanction, ("user_id",)),
                               (Block, ("user_id", "peer_id")),
                               (Report, ("reporter_id", "target_id"))):
            s.execute(delete(table).where(or_(*(getattr(table, c) == user_id
                                                for c in columns))))
        s.execute(update(OperatorAction).where(OperatorAction.target_id == user_id)
                  .values(target_id=None))
        convs = s.scalars(select(Conversation).where(or_(
            Conversation.user_a == user_id, Conversation.user_b == user_id))).all()
        for conv in convs:
            if mode == "anonymize":
                _hand_over(s, conv, user_id)
            else:
                s.execute(delete(Message).where(Message.conversation_id == conv.id))
                s.delete(conv)
        s.flush()
        s.execute(delete(User).where(User.id == user_id))


def _hand_over(s, conv, user_id):
    """The conversation stays for the other party, its side now a new deleted user (a
    fresh id per conversation: nothing links it to the old id or to other ones)."""
    ghost = "deleted-" + secrets.token_urlsafe(12)
    s.add(User(id=ghost, display_name=DELETED_NAME))
    s.flush()
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
