"""Trust marks: which peers a user verified by comparing the call's safety code.

The browser computes the code (static/js/safety.js); the server only keeps, per (user,
peer), the code that was compared and whether it matched, so a later call with another
code can warn, and address privacy (privacy.py) can let verified people connect directly.
"""
from sqlalchemy import select

from .db import Conversation, TrustMark, User
from .errors import Refusal


class TrustService:
    def __init__(self, db):
        self.db = db

    def set(self, user_id, peer_id, code, verified, online=False):
        """Mark a peer the user can reach: one online now (`online`: the lobby shows it
        anyway) or one they have a conversation with. Any other id is answered as an
        unknown one, so a mark never tells whether an id exists."""
        if peer_id == user_id:
            raise Refusal("invalid-payload", "peerUserId: that is you")
        with self.db.session() as s:
            a, b = sorted((user_id, peer_id))
            known = online or s.scalar(select(Conversation.id).where(
                Conversation.user_a == a, Conversation.user_b == b)) is not None
            if not known or s.get(User, peer_id) is None:
                raise Refusal("not-found", "no such user")
            mark = s.get(TrustMark, (user_id, peer_id))
            if mark is None:
                mark = TrustMark(user_id=user_id, peer_id=peer_id)
                s.add(mark)
            mark.code, mark.verified = code, verified
        return {"peerUserId": peer_id, "code": code, "verified": verified}

    def marks(self, user_id):
        """{peerUserId: {code, verified}} of every mark this user made."""
        with self.db.session() as s:
            rows = s.scalars(select(TrustMark).where(TrustMark.user_id == user_id)).all()
            return {m.peer_id: {"code": m.code, "verified": m.verified} for m in rows}

    def is_verified(self, user_id, peer_id):
        with self.db.session() as s:
            mark = s.get(TrustMark, (user_id, peer_id))
            return bool(mark and mark.verified)
