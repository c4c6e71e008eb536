"""Who is this browser? A random user id in the signed session cookie, and a User row.

Every page visit makes sure the browser has an identity (a guest on first visit); a
Socket.IO connection is bound to that identity at connect time and never to anything
the client says about itself.
"""
import secrets

from flask import g, request, session

from .db import User
from .errors import Refusal
from .protocol import Rename

SESSION_KEY = "uid"
# Machine endpoints: answered without making anyone a guest.
NO_IDENTITY = ("static", "pages.healthz", "pages.live", "pages.ready", "metrics.metrics")


def guest_name():
    return f"Guest-{secrets.randbelow(9000) + 1000}"


class Identity:
    def __init__(self, db):
        self.db = db

    def init_app(self, app):
        app.before_request(self.ensure_identity)

    def load_user(self, user_id):
        if not isinstance(user_id, str):
            return None
        with self.db.session() as s:
            return s.get(User, user_id)

    def session_user(self):
        """The user of the current request's session cookie, or None."""
        return self.load_user(session.get(SESSION_KEY))

    def ensure_identity(self):
        """before_request for pages: a browser without a (known) identity becomes a guest."""
        if request.endpoint in NO_IDENTITY:
            return
        user = self.session_user()
        if user is None and request.endpoint is None:
            g.user = None  # an unknown URL shows a known identity but never makes a new one
            return
        if user is None:
            user = User(id=secrets.token_urlsafe(16), display_name=guest_name())
            with self.db.session() as s:
                s.add(user)
            session.clear()
            session[SESSION_KEY] = user.id
            session.permanent = True
        g.user = user

    def rename(self, user_id, display_name):
        """Validate and store a new display name; returns the clean name."""
        try:
            clean = Rename.model_validate({"displayName": display_name}).displayName
        except Exception as err:
            raise Refusal("invalid-payload", "display name must be 1 to 40 characters, "
                          "without control characters") from err
        with self.db.session() as s:
            user = s.get(User, user_id)
            user.display_name = clean
        return clean

    def set_hide_address(self, user_id, hide):
        """Store the user's address-privacy choice (True, False)."""
        with self.db.session() as s:
            s.get(User, user_id).hide_address = bool(hide)
