"""Web Push rings (issue 27.3): a person whose tab is closed is rung on the devices where
they turned it on (/me). The message holds the caller's name and an opaque id, nothing
else; it is encrypted for the subscription and signed with this server's VAPID key
(webpush.py), made on first start into instance/vapid_private.pem.

The server must not become a request forwarder: a subscription's endpoint is a URL the
browser chose, so it is accepted only over https, at a host of PUSH_SERVICE_HOSTS (the
browsers' push services; a name or a parent domain), never at an address in a private,
loopback, link-local or otherwise non-public range, and every address its name resolves
to is checked again before each send (a name that later points inside is refused).
PUSH_INSECURE_HOSTS lists hosts allowed over plain http at any address: only for a test's
loopback push service. Subscriptions the push service answers 404 or 410 are deleted.
"""
import ipaddress
import json
import logging
import re
import socket
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select

from ..errors import Refusal
from ..models import PushSubscription
from . import webpush

log = logging.getLogger(__name__)
MAX_DEVICES = 10          # subscriptions per person: the oldest goes first
ENDPOINT_MAX = 1024
SEND_TIMEOUT = 10         # seconds per push service request
# The keys exactly as a browser's PushSubscription.toJSON() gives them: base64url of 65
# bytes (p256dh) and 16 bytes (auth), padding optional. Checked before decoding: the
# decoder skips characters outside the alphabet, so "key" + "!" * 200 would decode fine
# and then not fit its column.
P256DH_TEXT = re.compile(r"[A-Za-z0-9_-]{86}[AEIMQUYcgkosw048]=?")
AUTH_TEXT = re.compile(r"[A-Za-z0-9_-]{21}[AQgw](==)?")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A push service answers; it does not send us elsewhere (a redirect would make the
    server fetch an address nobody checked): a 3xx is an error like any other."""

    def redirect_request(self, *args, **kwargs):
        return None


_open = urllib.request.build_opener(_NoRedirects).open


class PushService:
    def __init__(self, db, key, subject, service_hosts, insecure_hosts=(), ttl=30,
                 spawn=None, resolve=socket.getaddrinfo, open_url=_open):
        self.db, self.key, self.subject, self.ttl = db, key, subject, ttl
        self.service_hosts = [h.lower().strip(".") for h in service_hosts]
        self.insecure_hosts = {h.lower() for h in insecure_hosts}
        self.spawn = spawn or (lambda fn, *a: fn(*a))
        self.resolve, self.open_url = resolve, open_url

    @property
    def public_key(self):
        return webpush.b64url(webpush.public_bytes(self.key))

    # -- the endpoint: a push service, never anything else ----------------------------
    def check_endpoint(self, endpoint):
        """Refusal("invalid-payload") unless `endpoint` may be sent to."""
        if not isinstance(endpoint, str) or not 0 < len(endpoint) <= ENDPOINT_MAX:
            raise Refusal("invalid-payload", "endpoint: a URL of at most %(n)s characters",
                          n=ENDPOINT_MAX)
        try:
            parts = urlsplit(endpoint)
            host, port = (parts.hostname or "").lower(), parts.port
        except ValueError:
            raise Refusal("invalid-payload", "endpoint: not a URL") from None
        if host in self.insecure_hosts and parts.scheme in ("http", "https"):
            return
        if parts.scheme != "https" or parts.username or parts.password or port not in (None, 443):
            raise Refusal("invalid-payload", "endpoint: a push service's https URL")
        try:
            ipaddress.ip_address(host.strip("[]"))
            raise Refusal("invalid-payload", "endpoint: a push service's name, not an address")
        except ValueError:
            pass
        if not any(host == h or host.endswith("." + h) for h in self.service_hosts):
            raise Refusal("invalid-payload", "endpoint: not a known push service")

    def _public_only(self, endpoint):
        """Every address the endpoint's name resolves to is public (checked before each
        send: a name may change what it points at)."""
        host = urlsplit(endpoint).hostname.lower()
        if host in self.insecure_hosts:
            return True
        try:
            infos = self.resolve(host, 443, proto=socket.IPPROTO_TCP)
        except OSError:
            return False
        addresses = {ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos}
        return bool(addresses) and all(a.is_global and not a.is_multicast for a in addresses)

    # -- subscriptions -----------------------------------------------------------------
    def subscribe(self, user_id, endpoint, p256dh, auth):
        self.check_endpoint(endpoint)
        if not (isinstance(p256dh, str) and P256DH_TEXT.fullmatch(p256dh)
                and isinstance(auth, str) and AUTH_TEXT.fullmatch(auth)):
            raise Refusal("invalid-payload", "keys: p256dh is 65 bytes, auth 16, in base64url "
                          "(87 and 22 characters)")
        try:
            key, secret = webpush.unb64url(p256dh or ""), webpush.unb64url(auth or "")
            webpush.ec.EllipticCurvePublicKey.from_encoded_point(webpush.ec.SECP256R1(), key)
        except (ValueError, TypeError):
            raise Refusal("invalid-payload", "keys.p256dh: not a P-256 public key") from None
        if len(key) != 65 or len(secret) != 16:
            raise Refusal("invalid-payload", "keys: p256dh is 65 bytes, auth 16 (base64url)")
        with self.db.session() as s:
            row = s.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint))
            if row is None:
                row = PushSubscription(endpoint=endpoint)
                s.add(row)
            row.user_id, row.p256dh, row.auth = user_id, p256dh, auth  # this browser's person now
            s.flush()
            ids = s.scalars(select(PushSubscription.id).where(PushSubscription.user_id == user_id)
                            .order_by(PushSubscription.id.desc())).all()
            if len(ids) > MAX_DEVICES:
                s.execute(delete(PushSubscription).where(PushSubscription.id.in_(ids[MAX_DEVICES:])))

    def unsubscribe(self, user_id, endpoint):
        with self.db.session() as s:
            s.execute(delete(PushSubscription).where(PushSubscription.user_id == user_id,
                                                     PushSubscription.endpoint == endpoint))

    def devices(self, user_id):
        with self.db.session() as s:
            return s.scalar(select(func.count(PushSubscription.id))
                            .where(PushSubscription.user_id == user_id))

    # -- a ring ------------------------------------------------------------------------
    def ring(self, user_id, caller_name, ring_id):
        """Send the ring to each of the person's devices (in the background); how many."""
        return self._to_devices(user_id, {"type": "ring", "id": ring_id, "caller": caller_name})

    def ring_ended(self, user_id, ring_id):
        """The ring was answered (or ended): each device closes its notification."""
        return self._to_devices(user_id, {"type": "ring-end", "id": ring_id})

    def _to_devices(self, user_id, message):
        with self.db.session() as s:
            subs = [(r.id, r.endpoint, r.p256dh, r.auth) for r in s.scalars(
                select(PushSubscription).where(PushSubscription.user_id == user_id))]
        payload = json.dumps(message, separators=(",", ":")).encode()
        for sub in subs:
            self.spawn(self._send, sub, payload)
        return len(subs)

    def _send(self, sub, payload):
        sub_id, endpoint, p256dh, auth = sub
        try:
            self.check_endpoint(endpoint)
        except Refusal:
            return self._drop(sub_id)  # the rules changed since it was stored
        if not self._public_only(endpoint):
            log.warning("push endpoint refused: its name resolves to a non-public address")
            return None
        body, headers = webpush.encrypted_request(payload, p256dh, auth, self.key, endpoint,
                                                  self.subject, self.ttl)
        request = urllib.request.Request(endpoint, data=body, headers=headers, method="POST")
        try:
            with self.open_url(request, timeout=SEND_TIMEOUT) as response:
                return response.status
        except urllib.error.HTTPError as err:
            if err.code in (404, 410):  # the subscription is gone for good
                self._drop(sub_id)
            else:
                log.warning("push service answered %s", err.code)
            return err.code
        except OSError as err:
            log.warning("push service unreachable: %s", err)
            return None

    def _drop(self, sub_id):
        with self.db.session() as s:
            s.execute(delete(PushSubscription).where(PushSubscription.id == sub_id))
