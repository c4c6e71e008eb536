"""Who is this browser? A random user id in the signed session cookie, and a User row.

Every page visit makes sure the browser has an identity (a guest on first visit); a
Socket.IO connection is bound to that identity at connect time and never to anything
the client says about itself. A new guest's row is stored only when the identity is
first used (its socket connects, it renames itself, it registers): a page view alone
puts the id and the guest name in the cookie and writes nothing, so cookie-less GETs
cannot fill the users table (before: 300 of them made 305 rows in 0.8 s), and new
guest rows are limited per address (GUEST_MAX_PER_ADDRESS; before, one address stored 101
in 3.7 s). An account's cookie also needs a live server-side session (sessions.py):
after sign-out a copy of the cookie is no longer the account.
"""
import secrets

from flask import g, has_request_context, request, session

from .db import User
from .errors import Refusal
from .protocol import Rename
from .ratelimit import WindowLimiter, address_key
from .sessions import TOKEN_KEY, Sessions

SESSION_KEY = "uid"
GUEST_KEY = "guest"  # the display name of a guest not stored yet
# Machine endpoints: answered without making anyone a guest.
NO_IDENTITY = ("static", "pages.healthz", "pages.live", "pages.ready", "metrics.metrics")


def guest_name():
    return f"Guest-{secrets.randbelow(9000) + 1000}"


def _pending_guest():
    """The guest a page made for this cookie whose row is not stored yet, or None."""
    user_id, name = session.get(SESSION_KEY), session.get(GUEST_KEY)
    if isinstance(user_id, str) and isinstance(name, str):
        return User(id=user_id, display_name=name[:40])
    return None


def _address():
    return address_key(request.remote_addr if has_request_context() else None)


def stored_user(s, user):
    """`user` (maybe a guest not stored yet) as a row of database session `s`."""
    row = s.get(User, user.id)
    if row is None:
        row = User(id=user.id, display_name=user.display_name)
        s.add(row)
    return row


class Identity:
    def __init__(self, db, guest_limiter=None):
        self.db = db
        self.sessions = Sessions(db)
        # New guest rows per address key (ratelimit.address_key); create_app gives the
        # configured one (shared through Redis in a cluster).
        self.guest_limiter = guest_limiter or WindowLimiter(60, 600)
        # (user_id, display_name) → stored. The app hands it a group commit of
        # store_guests (tlightchat/__init__.py): a flash crowd of first connections
        # shares one transaction and its fsync, in an OS thread, instead of one
        # COMMIT each on the event loop.
        self.store_guest = lambda user_id, name: self.store_guests([(user_id, name)])[0]

    def init_app(self, app):
        app.before_request(self.ensure_identity)

    def load_user(self, user_id):
        if not isinstance(user_id, str):
            return None
        with self.db.session() as s:
            return s.get(User, user_id)

    def _cookie_holds(self, row):
        """A stored user the cookie may act as: a guest, or an account whose session
        (the cookie's token) the server has not ended."""
        return not row.is_account or self.sessions.holds(row.id, session.get(TOKEN_KEY))

    def still_holds(self, user):
        """Whether the current request's cookie may still act as `user` (checked again
        once its socket is bound: a sign-out may have come in between)."""
        return self._cookie_holds(user)

    def session_user(self):
        """The user of the current request's session cookie, or None (none, or an ended
        session). A guest made by a page is stored now: this is its first use (a socket
        connecting). Raises Refusal("limit") when its address made too many guests."""
        user = self.load_user(session.get(SESSION_KEY))
        if user is not None:
            return user if self._cookie_holds(user) else None
        pending = _pending_guest()
        if pending is None:
            return None
        self.admit_new_guest()  # counted before storing: parallel connects pause there
        try:
            stored = self.store_guest(pending.id, pending.display_name)
        except BaseException:
            self.guest_limiter.unhit(_address())  # nothing was stored
            raise
        if stored:
            return pending  # stored just now, as it is: no need to read it back
        self.guest_limiter.unhit(_address())  # another tab stored it first: not new
        user = self.load_user(pending.id)
        return user if user is not None and not user.is_account else None

    def admit_new_guest(self):
        """Count a new guest of this request's address, or raise Refusal("limit") when
        it stored too many (one atomic check and count: ratelimit.try_hit)."""
        wait = self.guest_limiter.try_hit(_address())
        if wait:
            minutes = int(wait + 59) // 60
            raise Refusal("limit", "Too many new guests from your network address; try "
                          "again in %(minutes)s min.", minutes=minutes)

    def would_admit_new_guest(self):
        """Whether admit_new_guest would let one more in now, counting nothing: the /call
        page renders a first visit's lobby only then (web/lobby_render.py)."""
        return not self.guest_limiter.retry_after(_address())

    def store_guests(self, batch):
        """Group commit: [(user_id, display_name)] of guests on first use, stored in one
        transaction on the guest writer's own engine, off the event loop (db.blocking).
        A guest already stored (another of its tabs came first, in this batch or an
        earlier one) is left as it is. One result per item: whether this call stored it
        (its first item of an id, if the batch names one twice)."""
        return self.db.blocking(self._insert_guests, batch)

    def _insert_guests(self, batch):
        first = {}
        for user_id, name in batch:
            first.setdefault(user_id, name[:40])  # the name its first item says it stored
        rows = [{"id": user_id, "display_name": name} for user_id, name in first.items()]
        with self.db.writing(self.db.guest_writer) as connection:
            stored = set(connection.execute(
                self.db.insert(User.__table__).on_conflict_do_nothing(index_elements=["id"])
                .returning(User.__table__.c.id), rows).scalars())
        results = []
        for user_id, _ in batch:
            results.append(user_id in stored)
            stored.discard(user_id)
        return results

    def ensure_identity(self):
        """before_request for pages: a browser without a (known) identity becomes a
        guest (in its cookie; stored on first use)."""
        if request.endpoint in NO_IDENTITY:
            return
        user = self.load_user(session.get(SESSION_KEY))
        if user is None:
            user = _pending_guest()
        elif not self._cookie_holds(user):
            user = None  # an ended session: this browser becomes a new guest
        if user is None and request.endpoint is None:
            g.user = None  # an unknown URL shows a known identity but never makes a new one
            return
        if user is None:
            user = User(id=secrets.token_urlsafe(16), display_name=guest_name())
            session.clear()
            session[SESSION_KEY] = user.id
            session[GUEST_KEY] = user.display_name
            session.permanent = True
        g.user = user

    def rename(self, user_id, display_name):
        """Validate and store a new display name; returns the clean name."""
        try:
            clean = Rename.model_validate({"displayName": display_name}).displayName
        except Exception as err:
            errors = err.errors() if hasattr(err, "errors") else [{"msg": str(err)}]
            reason = errors[0]["msg"].removeprefix("Value error, ")
            raise Refusal("invalid-payload", "display name: %(reason)s (1 to 40 visible "
                          "characters, without control characters)", reason=reason) from err
        with self.db.session() as s:
            user = s.get(User, user_id)
            if user is None:  # a guest renaming itself before its first connection
                self.admit_new_guest()
                s.add(User(id=user_id, display_name=clean))
            else:
                user.display_name = clean
        if has_request_context() and session.get(SESSION_KEY) == user_id \
                and GUEST_KEY in session:
            session[GUEST_KEY] = clean
        return clean

    def set_hide_address(self, user, hide):
        """Store the user's address-privacy choice (True, False); a guest not stored yet
        (it has only seen pages) is stored now: this is its first use."""
        with self.db.session() as s:
            if s.get(User, user.id) is None:
                self.admit_new_guest()
            stored_user(s, user).hide_address = bool(hide)
