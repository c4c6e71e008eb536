"""A socket's life: connect, resume by token, restore after a restart, disconnect, the
grace period, goodbyes, sessions ended from elsewhere, and the clock that ends graces.

    connect ─→ new client, resumed (token, same client) or restored (token, rebuilt)
            ─→ bind socket (connections.py) ─→ session:welcome ─→ lobby snapshot
    drop    ─→ unbind ─→ went away (grace: its messages wait) or disconnected (goodbye)
    tick    ─→ lobby counts; clock/ticked while anything waits on time

Per-event work is hub.py; what a cluster node adds goes through `ctx.node`
(cluster/node.py), so this module is the same alone or in a cluster.
"""
import logging

from itsdangerous import BadSignature, URLSafeSerializer

from .. import events as E
from ..errors import Refusal
from ..protocol import PROTOCOL_VERSION, validate_auth
from ..store import actions as A
from ..store.reducers import knocks
from . import limits
from .clock import Clock
from .handlers import new_id

log = logging.getLogger(__name__)
# A client that said goodbye (closed the page, called disconnect) leaves at once; any
# other loss (ping timeout, transport closed or failed) keeps it for the grace period.
GOODBYES = {"client disconnect", "server disconnect"}
TRANSPORT_CLOSE = "transport close"  # a goodbye too for clients that said leaveOnClose
RECONNECT = "reconnect"  # the server closed the transport for the browser to reconnect


class SocketLifecycle:
    def __init__(self, ctx, socketio):
        config = ctx.config
        self.ctx = ctx
        self.socketio = socketio
        self.store, self.connections, self.node = ctx.store, ctx.connections, ctx.node
        self.grace = config["RECONNECT_GRACE"]
        self.tokens = URLSafeSerializer(config["SECRET_KEY"], salt="tlc-resume")
        self.welcome = {
            "protocol": PROTOCOL_VERSION,
            "iceTransportPolicy": config["ICE_TRANSPORT_POLICY"],
            "reconnectGraceMs": int(config["RECONNECT_GRACE"] * 1000),
            "ringTimeoutMs": int(config["RING_TIMEOUT"] * 1000),
            "maxAnchors": config["MAX_ANCHORS_PER_CLIENT"],
        }
        self.ticker = Clock(socketio, self.tick, config["LOBBY_COUNT_INTERVAL"], ctx.lobby)

    # -- connect -----------------------------------------------------------------------
    def connect(self, sid, user, auth=None, session=None):
        """Bind a socket to the session's user: a new client, the same client back
        after a drop (resume), or a client rebuilt after a server restart (restore).
        `session`: the account session's digest (sessions.py), to close it when it ends.
        A new client takes the place of the user's oldest away one when the user is at
        the cap (limits.make_room), or is refused."""
        ctx, store, tree = self.ctx, self.store, self.ctx.tree
        ctx.safety.check_connect(user.id)  # suspended or banned: refused (safety/operators.py)
        try:
            auth = validate_auth(auth)
        except Refusal as err:
            self.connections.emit(E.ERROR, {"event": "connect", "error": err.as_dict()}, to=sid)
            auth = None
        claimed = self._token_client(auth, user)
        if claimed is not None:
            self.node.catch_up()  # decide resume or restore on the newest state
        with store.lock:
            state = store.get_state()
            resumed = claimed is not None and claimed in state["clients"]
            client_id = claimed if resumed else (claimed or new_id())
            # Bound only once the store has it (just before the welcome): deltas this
            # connect causes go to the other views, and this socket's first message is
            # the welcome, then its snapshot (which already reflects the change).
            replaced = None if resumed else limits.make_room(ctx.config, state, user.id)
            if replaced is not None:
                store.dispatch(A.client_disconnected(
                    replaced, state["clients"][replaced].get("node") or None))
            if resumed:
                self.connections.release(client_id)  # its old socket may not know yet
                store.dispatch(A.client_resumed(client_id, user.id, self.node.name,
                                                reloaded=bool(auth and auth.get("reloaded")),
                                                protocol=(auth or {}).get("protocol", 1),
                                                account=user.is_account))
            else:
                store.dispatch(A.client_connected(
                    client_id, user.id, user.display_name, ctx.now(),
                    (auth or {}).get("device", ""), self.node.name,
                    (auth or {}).get("protocol", 1), account=user.is_account))
                if claimed:
                    # what the restore produces (e.g. call:state when this claim completes
                    # a call) waits for the socket, after the welcome
                    tree.park_client(client_id)
                    self._restore(client_id, auth, sid)
            self.connections.bind(sid, client_id, leave_on_close=bool(
                auth and auth.get("leaveOnClose")), session=(user.id, session),
                protocol=(auth or {}).get("protocol", 1))
            self.connections.emit(E.SESSION_WELCOME, {
                **self.welcome, "clientId": client_id, "resumed": resumed,
                "restored": claimed is not None and not resumed,
                "resumeToken": self.tokens.dumps([client_id, user.id]),
                "iceServers": ctx.ice_servers(user.id),
                "user": {"id": user.id, "displayName": user.display_name}}, to=sid)
            ctx.send_snapshot(client_id)
            tree.attach_client(  # after the welcome: what waited follows it
                client_id, lambda event, data: self.connections.emit(event, data, to=sid))
        self.ticker.start()
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
        it was in, one per pair (a call is back once both sides of a pair have claimed
        it; each other party of a group call joins once one of its pairs with a party
        matches, reducers/calls.py)."""
        now = self.ctx.now()
        steps = [lambda: A.anchors_restored(client_id, auth["anchors"])] + [
            lambda c=c: A.call_claimed(
                client_id, c["callId"], c["anchorId"], c["peerAnchorId"], c["initiator"],
                now, now + self.grace, self.ctx.relay_only(c["anchorId"], c["peerAnchorId"]))
            for c in auth["calls"]]
        for step in steps:
            try:
                self.store.dispatch(step())
            except Refusal as err:
                self.connections.emit(E.ERROR, {"event": "connect", "error": err.as_dict()},
                                      to=sid)

    # -- disconnect --------------------------------------------------------------------
    def disconnect(self, sid, reason=None):
        if self.connections.in_write():  # raised from inside one of our own writes
            self.connections.defer(lambda: self._disconnect(sid, reason))
            return
        self._disconnect(sid, reason)

    def _disconnect(self, sid, reason=None):
        with self.store.lock:
            leave_on_close = self.connections.leaves_on_close(sid)
            client_id = self.connections.unbind(sid)
            if client_id is None or client_id not in self.store.get_state()["clients"]:
                return
            node = self.node.departure_node
            goodbye = reason in GOODBYES or (leave_on_close and reason == TRANSPORT_CLOSE)
            if goodbye or self.grace <= 0:
                action, before = A.client_disconnected(client_id, node), lambda: None
            else:  # its messages wait for it
                action = A.client_went_away(client_id, self.ctx.now() + self.grace, node)
                before = lambda: self.ctx.tree.park_client(client_id)  # noqa: E731
            if not self.node.depart(action, before):
                return
        log.info("client disconnected", extra={"client": client_id, "reason": reason})

    # -- sessions ended (sign-out, password change, a guest that registered) -----------
    def end_sessions(self, user_id, sessions, reconnect=False):
        """Close the sockets of these ended sessions of `user_id` (digests, or
        sessions.ALL), here and on every node (each node closes its own).
        `reconnect` (a guest that registered: same user id, a new cookie): close the
        transport, not the Socket.IO session, so a browser reconnects by itself with
        its cookie and resumes as the account; a copy of the old guest cookie is
        refused then (identity.session_user)."""
        self.close_sessions(user_id, sessions, reconnect, later=self.connections.in_write())
        self.node.sessions_ended(user_id, sessions, reconnect)

    def close_sessions(self, user_id, sessions, reconnect, later):
        for sid in self.connections.sids_of_sessions(user_id, sessions):
            close = (lambda sid=sid: self._close_transport(sid)) if reconnect else \
                (lambda sid=sid: self.socketio.server.disconnect(sid))
            if later:  # e.g. while the replicated log is being applied
                self.connections.defer(close)
            else:
                close()

    def _close_transport(self, sid):
        """The client goes away (kept for the grace period, as on a dropped connection)
        and its transport closes: the browser reconnects by itself and resumes it."""
        eio_sid = self.socketio.server.manager.eio_sid_from_sid(sid, "/")
        self._disconnect(sid, RECONNECT)  # not a goodbye: the later close finds no client
        if eio_sid is not None:
            self.socketio.server.eio.disconnect(eio_sid)

    # -- the clock: ring time-outs, grace periods, lobby counts ------------------------
    def tick(self):
        now = self.ctx.now()
        if self.ticker.counts_due(now):
            self.ctx.send_counts()
        self.ctx.chat_limits.prune()
        if not self.node.tick(now):
            return  # another node keeps time
        with self.store.lock:
            state = self.store.get_state()
            if state["invitations"] or state["claims"] or self.ctx.away.any() \
                    or knocks.due(state, now):  # knocks time out, join links expire
                self.store.dispatch(A.clock_ticked(self.ctx.now()))

    def close(self):
        """Stop the clock and the node's background work; ended when this returns (a
        cluster log reader wakes within its block time, ~1 s)."""
        self.ticker.stop()
        self.node.close()
        self.ticker.join()
