"""Account sessions the server can end (sign-out, "Sign out everywhere", a new password).

A signed-in browser's cookie carries a random token next to the user id; the database
keeps the token's SHA-256 as an AccountSession row. Every request and every Socket.IO
connect of an account needs the row (identity.py): without it the cookie is no longer
the account (the browser becomes a new guest). Ending sessions deletes rows and closes
their sockets (hub.end_sessions, on every node of a cluster).

A guest has no session row: a guest is nothing but its cookie (no password, no other
way back to that identity), so a guest cannot sign out (accounts.py says so) and a
copy of a guest's cookie is that guest, as before.
"""
import hashlib
import secrets

from sqlalchemy import delete, select

from .db import AccountSession

TOKEN_KEY = "st"  # the session cookie's field holding the token
ALL = "*"         # every session of the user (hub.end_sessions)


def digest(token):
    """The row id of a token: what the database and the hub's socket table hold."""
    if not isinstance(token, str) or not token:
        return None
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class Sessions:
    def __init__(self, db):
        self.db = db

    def start(self, user_id):
        """A new session for `user_id`: its token, for the cookie."""
        token = secrets.token_urlsafe(32)
        with self.db.session() as s:
            s.add(AccountSession(id=digest(token), user_id=user_id))
        return token

    def holds(self, user_id, token):
        """Whether `token` is a live session of `user_id`."""
        key = digest(token)
        if key is None:
            return False
        with self.db.session() as s:
            return s.scalar(select(AccountSession.user_id).where(
                AccountSession.id == key)) == user_id

    def end(self, token):
        """End one session; its digest (for closing its sockets)."""
        key = digest(token)
        if key is not None:
            with self.db.session() as s:
                s.execute(delete(AccountSession).where(AccountSession.id == key))
        return key

    def end_all(self, user_id, keep=None):
        """End every session of `user_id` except the one of token `keep`; the digests."""
        kept = digest(keep)
        with self.db.session() as s:
            ended = [key for key in s.scalars(select(AccountSession.id).where(
                AccountSession.user_id == user_id)) if key != kept]
            if ended:
                s.execute(delete(AccountSession).where(AccountSession.id.in_(ended)))
        return ended
