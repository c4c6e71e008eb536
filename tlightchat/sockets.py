"""Socket.IO handlers: validate → dispatch → emit. Nothing else lives here.

Every client event arrives at one catch-all handler, so an unknown event is refused by
the same path as a known one with a bad payload. Each event maps to a function that
builds the action (stamping the acting client from the socket, never the payload) and
the ack. The store's guard decides whether the action is allowed; the emitter tree
sends whatever the change produced.
"""
import logging
import secrets
import threading
import time
from collections import deque

from flask import request
from itsdangerous import BadSignature, URLSafeSerializer
from socketio.exceptions import ConnectionRefusedError  # carries err.data; the builtin does not

from . import chat_events, identity, limits
from .events import EmitterTree
from .ice import ice_servers
from .ratelimit import TokenBucket
from .protocol import PROTOCOL_VERSION, ProtocolError, fail, ok, validate, validate_auth
from .lobby import LobbyViews
from .store import Rejected, create_store
from .store import actions as A
from .store import selectors as S

log = logging.getLogger(__name__)
TICK_SECONDS = 0.25
# A client that said goodbye (closed the page, called disconnect) leaves at once; any
# other loss (ping timeout, transport closed or failed) keeps it for the grace period.
GOODBYES = {"client disconnect", "server disconnect"}


def new_id():
    return secrets.token_urlsafe(9)


# -- one function per client event: (hub, clientId, payload) -> ack -----------------

def me_rename(hub, cid, p):
    user_id = hub.user_of(cid)
    name = identity.rename(user_id, p["displayName"])
    return hub.dispatch(A.user_renamed(cid, user_id, name),
                        lambda s: {"user": S.public_user(s["users"][user_id])})


def me_state(hub, cid, p):
    with hub.store.lock:
        return S.client_slice(hub.store.get_state(), cid)


def ice_servers_now(hub, cid, p):
    return {"iceServers": hub.ice_servers(hub.user_of(cid))}


def lobby_get(hub, cid, p):
    hub.send_snapshot(cid, query=p.get("query", ""))
    return {}


def lobby_watch(hub, cid, p):
    hub.send_snapshot(cid, pins=frozenset(p["userIds"]))
    return {}


def anchor_create(hub, cid, p):
    anchor_id = f"{cid}.{new_id()}"  # the prefix proves ownership when restored
    name = p.get("name") or S.next_slot_name(hub.store.get_state(), cid)
    return hub.dispatch(A.anchor_created(cid, anchor_id, name),
                        lambda s: {"anchor": S.public_anchor(s, anchor_id)})


def anchor_rename(hub, cid, p):
    return hub.dispatch(A.anchor_renamed(cid, p["anchorId"], p["name"]),
                        lambda s: {"anchor": S.public_anchor(s, p["anchorId"])})


def anchor_set_online(hub, cid, p):
    return hub.dispatch(A.anchor_online_set(cid, p["anchorId"], p["online"]),
                        lambda s: {"anchor": S.public_anchor(s, p["anchorId"])})


def anchor_remove(hub, cid, p):
    return hub.dispatch(A.anchor_removed(cid, p["anchorId"]),
                        lambda s: {"anchorId": p["anchorId"]})


def call_invite(hub, cid, p):
    now = hub.clock()
    invitation_id, call_id = new_id(), new_id()
    action = A.invitation_created(cid, invitation_id, p["fromAnchorId"], p["toAnchorId"],
                                  now, now + hub.ring_timeout, call_id)
    return hub.dispatch(action, lambda s: ({"callId": call_id} if call_id in s["calls"]
                                           else {"invitationId": invitation_id}))


def call_cancel(hub, cid, p):
    return hub.dispatch(A.invitation_cancelled(cid, p["invitationId"]))


def call_accept(hub, cid, p):
    call_id = new_id()
    return hub.dispatch(A.invitation_accepted(cid, p["invitationId"], call_id, hub.clock()),
                        lambda s: {"callId": call_id})


def call_decline(hub, cid, p):
    return hub.dispatch(A.invitation_declined(cid, p["invitationId"]))


def call_signal(hub, cid, p):
    return hub.dispatch(A.call_signalled(cid, p["callId"], p.get("description"),
                                         p.get("candidate")))


def call_media(hub, cid, p):
    return hub.dispatch(A.call_media_reported(cid, p["callId"], p["flowing"]))


def call_hangup(hub, cid, p):
    return hub.dispatch(A.call_hung_up(cid, p["callId"]))


HANDLERS = {
    "me:rename": me_rename,
    "me:state": me_state,
    "ice:servers": ice_servers_now,
    "lobby:get": lobby_get,
    "lobby:watch": lobby_watch,
    "anchor:create": anchor_create,
    "anchor:rename": anchor_rename,
    "anchor:set-online": anchor_set_online,
    "anchor:remove": anchor_remove,
    "call:invite": call_invite,
    "call:cancel": call_cancel,
    "call:accept": call_accept,
    "call:decline": call_decline,
    "call:signal": call_signal,
    "call:media": call_media,
    "call:hangup": call_hangup,
    # chat: handlers live in chat_events.py
    "chat:send": chat_events.send,
    "chat:history": chat_events.history,
    "chat:conversations": chat_events.conversations,
    "chat:delivered": chat_events.delivered,
    "chat:read": chat_events.read,
}


class Hub:
    """The live server: store, emitter tree and the socket bookkeeping around them."""

    def __init__(self, socketio, config, clock=time.time):
        self.socketio = socketio
        self.clock = clock
        self.ring_timeout = config["RING_TIMEOUT"]
        self.rate = (config["RATE_LIMIT_PER_SECOND"], config["RATE_LIMIT_BURST"])
        self.config = config
        self.grace = config["RECONNECT_GRACE"]
        self.tokens = URLSafeSerializer(config["SECRET_KEY"], salt="tlc-resume")
        self.welcome = {
            "protocol": PROTOCOL_VERSION,
            "iceTransportPolicy": config["ICE_TRANSPORT_POLICY"],
            "reconnectGraceMs": int(config["RECONNECT_GRACE"] * 1000),
            "ringTimeoutMs": int(config["RING_TIMEOUT"] * 1000),
            "maxAnchors": config["MAX_ANCHORS_PER_CLIENT"],
        }
        self.store = create_store(config["MAX_ANCHORS_PER_CLIENT"])
        self.lobby = LobbyViews(config["LOBBY_WINDOW"], config["LOBBY_PINS_MAX"])
        self.count_every = config["LOBBY_COUNT_INTERVAL"]
        self._counted_at = 0.0
        self.tree = EmitterTree(self.store, self.lobby)
        self.tree.on_lobby(self.send_lobby)
        self._local = threading.local()  # per thread or greenlet: inside emit()?
        self._later, self._later_lock, self._draining = deque(), threading.Lock(), False
        self.clients = {}  # sid -> clientId
        self.buckets = {}  # sid -> TokenBucket
        self._ticker = None

    # -- helpers used by the event functions --
    def user_of(self, client_id):
        return self.store.get_state()["clients"][client_id]["userId"]

    def dispatch(self, action, ack=None):
        with self.store.lock:
            self.store.dispatch(action)
            return ack(self.store.get_state()) if ack else {}

    def send_to_client(self, client_id, event, data):
        """Deliver to one client through its emitter node; False if it is gone."""
        node = self.tree.root.find((client_id,))
        return bool(node) and node.deliver(event, data)

    def send_to_user(self, user_id, event, data, skip_client=None):
        """Deliver to every connected tab of a user; returns how many got it."""
        with self.store.lock:
            user = self.store.get_state()["users"].get(user_id)
            targets = [c for c in (user["clientIds"] if user else ()) if c != skip_client]
            return sum(self.send_to_client(c, event, data) for c in targets)

    def emit(self, event, data, to):
        """Every write to sockets goes through here. Writing to a socket whose pong is
        overdue makes Engine.IO close it on the spot and run our disconnect handler
        inside this call, i.e. inside whatever dispatch is delivering; that disconnect
        must wait (see disconnect), or after a stall one dead socket's departure writes
        to the next dead one, and so on, one stack frame deeper each time."""
        local = self._local
        local.depth = getattr(local, "depth", 0) + 1
        try:
            self.socketio.emit(event, data, to=to)
        finally:
            local.depth -= 1

    def send_lobby(self, client_ids, event, data):
        """One lobby message to these clients' sockets (one encoding for all); a client
        that is away misses it and gets a fresh snapshot when it comes back."""
        clients = self.store.get_state()["clients"]
        sids = [c["sid"] for c in map(clients.get, client_ids)
                if c is not None and c["awayUntil"] is None]
        if sids:
            self.emit(event, data, to=sids)

    def send_snapshot(self, client_id, **view):
        """(Re)build the client's lobby view and send it: `query=`, `pins=` change it."""
        with self.store.lock:
            state = self.store.get_state()
            snapshot = self.lobby.build(state, client_id, **view)
            self.emit("lobby:snapshot", snapshot, to=state["clients"][client_id]["sid"])

    def send_counts(self):
        with self.store.lock:
            for client_ids, payload in self.lobby.counts():
                self.send_lobby(client_ids, "lobby:count", payload)

    def ice_servers(self, user_id):
        return ice_servers(self.config, user_id, self.clock())

    # -- connection life cycle --
    def connect(self, sid, user, auth=None):
        """Bind a socket to the session's user: a new client, the same client back
        after a drop (resume), or a client rebuilt after a server restart (restore)."""
        try:
            auth = validate_auth(auth)
        except ProtocolError as err:
            self.emit("error", {"event": "connect", "error": err.as_dict()}, to=sid)
            auth = None
        claimed = self._token_client(auth, user)
        with self.store.lock:
            state = self.store.get_state()
            resumed = claimed is not None and claimed in state["clients"]
            if resumed:
                old_sid = state["clients"][claimed]["sid"]
                self.clients.pop(old_sid, None)  # its socket may not have noticed the drop
                self.store.dispatch(A.client_resumed(claimed, sid, user.id))
                client_id = claimed
            else:
                client_id = claimed or new_id()
                self.store.dispatch(A.client_connected(client_id, sid, user.id,
                                                       user.display_name, self.clock()))
                if claimed:
                    # what the restore produces (e.g. call:state when this claim completes
                    # a call) waits for the socket, after the welcome
                    self.tree.park_client(client_id)
                    self._restore(client_id, auth, sid)
            self.emit("session:welcome", {
                **self.welcome, "clientId": client_id, "resumed": resumed,
                "restored": claimed is not None and not resumed,
                "resumeToken": self.tokens.dumps([client_id, user.id]),
                "iceServers": self.ice_servers(user.id),
                "user": {"id": user.id, "displayName": user.display_name}}, to=sid)
            self.send_snapshot(client_id)
            self.tree.attach_client(  # after the welcome: what waited follows it
                client_id, lambda event, data: self.emit(event, data, to=sid))
        self.clients[sid] = client_id
        self.buckets[sid] = TokenBucket(*self.rate, self.clock)
        self._start_ticker()
        log.info("client resumed" if resumed else "client connected",
                 extra={"client": client_id, "user": user.id})

    def _token_client(self, auth, user):
        if not auth or "resume" not in auth:
            return None
        try:
            client_id, user_id = self.tokens.loads(auth["resume"])
        except (BadSignature, ValueError, TypeError):
            return None
        return client_id if user_id == user.id else None

    def _restore(self, client_id, auth, sid):
        """After a server restart: the client's anchors, and its claims to the calls
        it was in (a call is back once both sides have claimed it)."""
        now = self.clock()
        steps = [A.anchors_restored(client_id, auth["anchors"])] + [
            A.call_claimed(client_id, c["callId"], c["anchorId"], c["peerAnchorId"],
                           c["initiator"], now, now + self.grace) for c in auth["calls"]]
        for action in steps:
            try:
                self.store.dispatch(action)
            except Rejected as err:
                self.emit("error", {"event": "connect", "error": err.as_dict()}, to=sid)

    def disconnect(self, sid, reason=None):
        if getattr(self._local, "depth", 0):  # raised from inside one of our own writes
            with self._later_lock:
                self._later.append((sid, reason))
                start, self._draining = not self._draining, True
            if start:
                self.socketio.start_background_task(self._drain_disconnects)
            return
        self._disconnect(sid, reason)

    def _drain_disconnects(self):
        """Deferred disconnects, one after another (those they cause join the queue)."""
        while True:
            with self._later_lock:
                if not self._later:
                    self._draining = False
                    return
                sid, reason = self._later.popleft()
            try:
                self._disconnect(sid, reason)
            except Exception:
                log.exception("a deferred disconnect failed")

    def _disconnect(self, sid, reason=None):
        client_id = self.clients.pop(sid, None)
        self.buckets.pop(sid, None)
        if client_id is None:
            return
        with self.store.lock:
            client = self.store.get_state()["clients"].get(client_id)
            if client is None or client["sid"] != sid:
                return
            if reason in GOODBYES or self.grace <= 0:
                self.store.dispatch(A.client_disconnected(client_id))
            else:
                self.store.dispatch(A.client_went_away(client_id, self.clock() + self.grace))
                self.tree.park_client(client_id)
        log.info("client disconnected", extra={"client": client_id, "reason": reason})

    def user_renamed(self, user_id, display_name):
        """A rename from a page (not a socket) reaches the lobby too."""
        with self.store.lock:
            if user_id in self.store.get_state()["users"]:
                self.store.dispatch(A.user_renamed(None, user_id, display_name))

    # -- one client event --
    def handle(self, sid, event, args):
        started = time.perf_counter()
        client_id = self.clients.get(sid)
        shown = event[:64] if isinstance(event, str) else "?"
        payload = {}
        try:
            if client_id is None:
                raise ProtocolError("invalid-state", "not connected; reconnect and retry")
            if not self.buckets[sid].take():
                raise ProtocolError("rate-limited", "too many messages; slow down")
            payload = validate(event, args)
            result = ok(**HANDLERS[event](self, client_id, payload))
            self._log(shown, client_id, payload, started, result)
            return result
        except (ProtocolError, Rejected) as err:
            error = err.as_dict()
        except Exception:
            log.exception("handler failed", extra={"event": shown, "client": client_id})
            error = {"code": "internal", "message": "the server failed to handle this; "
                     "it has been logged, please retry"}
        self.emit("error", {"event": shown, "error": error}, to=sid)
        result = fail(**error)
        self._log(shown, client_id, payload, started, result)
        return result

    @staticmethod
    def _log(event, client_id, payload, started, result):
        """One line per client event: ids and outcome, never message bodies."""
        extra = {"event": event, "client": client_id, "ok": result["ok"],
                 "ms": round((time.perf_counter() - started) * 1000, 2)}
        for key, field in (("callId", "call"), ("anchorId", "anchor"),
                           ("invitationId", "invitation")):
            if key in payload:
                extra[field] = payload[key]
        if not result["ok"]:
            extra["code"] = result["error"]["code"]
        # ICE candidates and SDP are the bulk of the traffic: routine, so DEBUG.
        level = logging.DEBUG if result["ok"] and event == "call:signal" else logging.INFO
        log.log(level, "client event", extra=extra)

    # -- the clock: ring time-outs --
    def tick(self):
        now = self.clock()
        if now - self._counted_at >= self.lobby.count_interval(self.count_every):
            self._counted_at = now
            self.send_counts()
        with self.store.lock:
            state = self.store.get_state()
            if state["invitations"] or state["claims"] or any(
                    c["awayUntil"] is not None for c in state["clients"].values()):
                self.store.dispatch(A.clock_ticked(self.clock()))

    def _start_ticker(self):
        if self._ticker is None:
            self._ticker = self.socketio.start_background_task(self._tick_forever)

    def _tick_forever(self):
        while True:
            self.socketio.sleep(TICK_SECONDS)
            try:
                self.tick()
            except Exception:
                log.exception("clock tick failed")


def init_app(app, socketio):
    hub = Hub(socketio, app.config)
    app.extensions["tlc_hub"] = hub

    @socketio.on("connect")
    def on_connect(auth=None):
        user = identity.session_user()
        if user is None:
            message = ("No identity for this connection: open the page again "
                       "(cookies must be enabled) and it will reconnect.")
            raise ConnectionRefusedError(message, {"code": "no-session", "message": message})
        limits.refuse_over_user_cap(hub, user.id)
        hub.connect(request.sid, user, auth)

    @socketio.on("disconnect")
    def on_disconnect(reason=None):
        hub.disconnect(request.sid, reason)

    # Client events go straight to python-socketio's catch-all: Flask-SocketIO would build
    # a full request context (URL matching, session cookie) for every event, a quarter of
    # the relay's CPU. Identity was bound at connect; handlers need only the app context.
    def on_event(event, sid, *args):
        with app.app_context():
            return hub.handle(sid, event, args)

    socketio.server.on("*", on_event, namespace="/")

    return hub
