"""Call links: a URL that rings its maker's slot (issue 27; docs/protocol.md, "Call
links and push").

A link is a capability: whoever holds the URL may ring the slot, so the token is 192
random bits (far past the 128 the issue asks) and the database keeps only its SHA-256.
It expires after CALL_LINK_TTL seconds (24 h), or lasts until revoked; `/me` lists and
revokes the maker's links, and nobody else ever sees one. Checking a token is counted
per network address (CALL_LINK_VISITS_PER_ADDRESS in CALL_LINK_VISIT_WINDOW seconds),
wrong tokens included, so guessing is slowed on top of being hopeless.

No Flask and no sockets here: the page (web/links.py) and the socket event
(link_handlers.py) call it and word the refusals.
"""
import hashlib
import re
import secrets
import time
from datetime import datetime, timezone

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..errors import N_, Refusal
from ..models import CallLink, DeviceRing
from ..ratelimit import address_key

TOKEN_BYTES = 24                    # 192 bits; token_urlsafe makes 32 characters
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{32}")
MAX_LIVE_LINKS = 50                 # per maker: a link table nobody can fill up

# The sentences a visitor reads (the page shows them; link:open answers them).
EXPIRED = N_("This call link has expired. Ask the person who sent it for a new one.")
REVOKED = N_("This call link was turned off by the person who made it. Ask them for a new one.")
UNKNOWN = N_("This call link does not exist. Check that you copied all of it, or ask for a new one.")
TOO_MANY = N_("Too many call links were opened from your network address; try again in a few minutes.")
DECLINED = N_("The person you are calling declined.")
# A device ring's states (models.DeviceRing.state)
RINGING, ANSWERED, DECLINED_RING = "ringing", "answered", "declined"


def new_id():
    """An opaque id (a push ring's)."""
    return secrets.token_urlsafe(9)


def token_hash(token):
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _aware(when):
    return when if when is None or when.tzinfo else when.replace(tzinfo=timezone.utc)


class LinkService:
    def __init__(self, db, ttl, visits, push=None, clock=time.time):
        # visits: a WindowLimiter of link openings per address (cluster/limits.py's in a
        # cluster, so a guesser cannot spread over nodes)
        self.db, self.ttl, self.visits, self.clock = db, ttl, visits, clock
        self.push = push  # push.py PushService or None: rings a maker with no slot online

    def _now(self):
        return datetime.fromtimestamp(self.clock(), timezone.utc)

    def create(self, user_id, anchor_id, anchor_name, lasting=False):
        """A new link to this slot: {token, linkId, expiresAt (ms, or None)}. The token
        is returned here once and never again."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        now = self._now()
        expires = None if lasting else datetime.fromtimestamp(self.clock() + self.ttl,
                                                              timezone.utc)
        with self.db.session() as s:
            live = s.scalar(select(func.count(CallLink.id)).where(
                CallLink.user_id == user_id, CallLink.revoked_at.is_(None),
                (CallLink.expires_at.is_(None)) | (CallLink.expires_at > now)))
            if live >= MAX_LIVE_LINKS:
                raise Refusal("limit", "at most %(n)s call links at a time; turn one off "
                              "on your page (Me)", n=MAX_LIVE_LINKS)
            row = CallLink(token_hash=token_hash(token), user_id=user_id, anchor_id=anchor_id,
                           anchor_name=anchor_name, created_at=now, expires_at=expires)
            s.add(row)
            s.flush()
            link_id = row.id
        return {"token": token, "linkId": link_id,
                "expiresAt": int(expires.timestamp() * 1000) if expires else None}

    def check(self, token, address, count=True):
        """The live link of `token` as {userId, anchorId, anchorName}, counted against
        `address` (unless `count` is false: the same visit asking again); Refusal
        "rate-limited", "not-found" (unknown, expired or revoked: each with its sentence)
        otherwise."""
        key = address_key(address)
        wait = self.visits.try_hit(key) if count else 0
        if wait:
            raise Refusal("rate-limited", TOO_MANY, retry_after_ms=int(wait * 1000) + 1)
        if not isinstance(token, str) or not TOKEN_SHAPE.fullmatch(token):
            raise Refusal("not-found", UNKNOWN)
        with self.db.session() as s:
            row = s.scalar(select(CallLink).where(CallLink.token_hash == token_hash(token)))
            if row is None:
                raise Refusal("not-found", UNKNOWN)
            if row.revoked_at is not None:
                raise Refusal("not-found", REVOKED)
            if row.expires_at is not None and _aware(row.expires_at) <= self._now():
                raise Refusal("not-found", EXPIRED)
            return {"userId": row.user_id, "anchorId": row.anchor_id,
                    "anchorName": row.anchor_name}

    # -- a link's ring on the maker's devices (Web Push) ---------------------------------
    # Kept in the database (models.DeviceRing), not in this process: in a cluster the
    # Decline, the Accept, a block or the visitor's page asking again may reach any node.
    # Each change of a ring is one conditional UPDATE or DELETE, so when two nodes race,
    # one of them changes it and sends the `ring-end`.

    def _ring_key(self, token):
        """The link part of a ring's key; None for a token no ring can have."""
        shaped = isinstance(token, str) and TOKEN_SHAPE.fullmatch(token)
        return token_hash(token) if shaped else None

    def _live(self, key, visitor_id, state=RINGING):
        return (DeviceRing.token_hash == key, DeviceRing.visitor_id == visitor_id,
                DeviceRing.state == state, DeviceRing.until > self._now())

    def _end(self, where, state=None):
        """Every ringing ring matching `where` goes to `state` (deleted when None), each
        by the node that changed it; their devices are sent `ring-end`. How many."""
        ended = []
        with self.db.session() as s:
            for ring_id, maker_id in s.execute(select(DeviceRing.id, DeviceRing.maker_id)
                                               .where(DeviceRing.state == RINGING, *where)).all():
                mine = (DeviceRing.id == ring_id, DeviceRing.state == RINGING)
                change = (delete(DeviceRing).where(*mine) if state is None else
                          update(DeviceRing).where(*mine).values(state=state))
                if s.execute(change.execution_options(synchronize_session=False)).rowcount:
                    ended.append((maker_id, ring_id))
        for maker_id, ring_id in ended:  # sends after the commit: every node sees it over
            if self.push is not None:
                self.push.ring_ended(maker_id, ring_id)
        return len(ended)

    def ring_devices(self, token, visitor_id, maker_id, caller_name, seconds):
        """Ring the maker's devices for this visitor once per `seconds` (the visitor's
        page asks again meanwhile); True while they ring. The ring is stored before it is
        sent (a Decline may come back at once), and one visitor's link rings once at a
        time on every node (a unique index: the node that stores it second hears True)."""
        key = self._ring_key(token)
        if key is None or self.push is None:
            return False
        ring_id = new_id()
        until = datetime.fromtimestamp(self.clock() + seconds, timezone.utc)
        try:
            with self.db.session() as s:
                s.execute(delete(DeviceRing).where(DeviceRing.until <= self._now())  # swept
                          .execution_options(synchronize_session=False))
                if s.scalar(select(DeviceRing.id).where(*self._live(key, visitor_id)).limit(1)):
                    return True
                s.add(DeviceRing(id=ring_id, token_hash=key, maker_id=maker_id,
                                 visitor_id=visitor_id, state=RINGING, until=until))
        except IntegrityError:  # another node stored this visitor's ring just now
            return True
        if self.push.ring(maker_id, caller_name, ring_id):
            return True
        with self.db.session() as s:  # no device to ring
            s.execute(delete(DeviceRing).where(DeviceRing.id == ring_id)
                      .execution_options(synchronize_session=False))
        return False

    def ring_caller(self, user_id, ring_id):
        """Accept on a device opened the call page: the visitor whose ring it accepts
        (their user id), while the ring lasts; None when it is not this person's."""
        if not isinstance(ring_id, str) or not ring_id:
            return None
        with self.db.session() as s:
            row = s.get(DeviceRing, ring_id)
            if (row is None or row.maker_id != user_id or row.state == DECLINED_RING
                    or _aware(row.until) <= self._now()):
                return None
            return row.visitor_id

    def devices_answered(self, token, visitor_id):
        """The maker's page is open and the call goes to it: every device stops ringing
        (a push that closes the ring's notification)."""
        key = self._ring_key(token)
        if key is not None:
            self._end((DeviceRing.token_hash == key, DeviceRing.visitor_id == visitor_id),
                      ANSWERED)

    def decline_devices(self, user_id, ring_id):
        """Decline on one of the maker's devices (the ring's opaque id, which only their
        devices were sent): every device stops ringing and the visitor's page, asking
        again, hears "declined". False when no ring of this person has that id."""
        return bool(self._end((DeviceRing.id == ring_id, DeviceRing.maker_id == user_id,
                               DeviceRing.until > self._now()), DECLINED_RING))

    def end_rings_between(self, a, b):
        """A block between a and b: the devices of either, rung by the other through a
        link, stop ringing (the visitor's next `link:open` meets the block, as any)."""
        self._end((or_(and_(DeviceRing.maker_id == a, DeviceRing.visitor_id == b),
                       and_(DeviceRing.maker_id == b, DeviceRing.visitor_id == a)),))

    def was_declined(self, token, visitor_id):
        """True once: the visitor's next `link:open` after a Decline hears it."""
        key = self._ring_key(token)
        if key is None:
            return False
        with self.db.session() as s:
            said = delete(DeviceRing).where(*self._live(key, visitor_id, DECLINED_RING))
            return s.execute(said.execution_options(synchronize_session=False)).rowcount > 0

    def asking_again(self, token, visitor_id):
        """True while this visitor's ring of this link's devices lasts (not a new visit)."""
        key = self._ring_key(token)
        if key is None:
            return False
        with self.db.session() as s:
            ring = s.scalar(select(DeviceRing.id).where(*self._live(key, visitor_id)).limit(1))
            return ring is not None

    def mine(self, user_id):
        """The maker's links that still work, newest first (for /me)."""
        now = self._now()
        with self.db.session() as s:
            rows = s.scalars(select(CallLink).where(
                CallLink.user_id == user_id, CallLink.revoked_at.is_(None),
                (CallLink.expires_at.is_(None)) | (CallLink.expires_at > now))
                .order_by(CallLink.id.desc())).all()
            return [{"id": r.id, "anchorName": r.anchor_name, "createdAt": _aware(r.created_at),
                     "expiresAt": _aware(r.expires_at)} for r in rows]

    def revoke(self, user_id, link_id):
        """Turn off one of the maker's links; False when it is not theirs (or gone)."""
        with self.db.session() as s:
            row = s.get(CallLink, link_id)
            if row is None or row.user_id != user_id or row.revoked_at is not None:
                return False
            row.revoked_at = self._now()
            return True
