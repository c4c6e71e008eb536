"""Who is this browser? A random user id in the signed session cookie, and a User row.

Every page visit makes sure the browser has an identity (a guest on first visit); a
Socket.IO connection is bound to that identity at connect time and never to anything
the client says about itself.
"""
import secrets

from flask import current_app, g, request, session

from .db import User
from .protocol import ProtocolError, Rename

SESSION_KEY = "uid"


def _db():
    return current_app.extensions["tlc_db"]


def guest_name():
    return f"Guest-{secrets.randbelow(9000) + 1000}"


def load_user(user_id):
    if not isinstance(user_id, str):
        return None
    with _db().session() as s:
        return s.get(User, user_id)


def session_user():
    """The user of the current request's session cookie, or None."""
    return load_user(session.get(SESSION_KEY))


def ensure_identity():
    """before_request for pages: a browser without a (known) identity becomes a guest."""
    if request.endpoint in ("static", "pages.healthz"):
        return
    user = session_user()
    if user is None and request.endpoint is None:
        g.user = None  # an unknown URL shows a known identity but never makes a new one
        return
    if user is None:
        user = User(id=secrets.token_urlsafe(16), display_name=guest_name())
        with _db().session() as s:
            s.add(user)
        session.clear()
        session[SESSION_KEY] = user.id
        session.permanent = True
    g.user = user


def rename(user_id, display_name):
    """Validate and store a new display name; returns the clean name."""
    try:
        clean = Rename.model_validate({"displayName": display_name}).displayName
    except Exception as err:
        raise ProtocolError("invalid-payload", "display name must be 1 to 40 characters, "
                            "without control characters") from err
    with _db().session() as s:
        user = s.get(User, user_id)
        user.display_name = clean
    return clean


def init_app(app):
    app.before_request(ensure_identity)
