"""The realtime controller: a socket's life cycle and each client event, in one place.

    connect ─→ bind socket (connections.py) ─→ dispatch connected / resumed / restored
    event   ─→ rate limit ─→ validate (protocol.py) ─→ handler ─→ dispatch ─→ ack
    change  ─→ outgoing.py ─→ delivery.py ─→ connections.py ─→ socket
    drop    ─→ unbind ─→ dispatch went-away (grace) or disconnected (goodbye)

`Hub` is handed its collaborators by create_app: the store (the picture of every
client, anchor, invitation and call), the connections (which socket serves which
client), the identity and chat services. Handlers (handlers.py, chat_handlers.py) get
the hub and call its helpers; nothing else reaches it by name.

In a cluster (`cluster=`, docs/scaling.md) the same code runs on every node: the store
is the replicated one (cluster/log.py), and the last part of this class is what only a
node does (heartbeat and clock lease, lost nodes, clients that moved, ghosts, the
cut-off handoff, a clean leave). Past 400 lines for that reason; the cluster's own
mechanisms live in tlightchat/cluster/, what is here is how the hub's life cycle meets
them (issue 25: to be moved behind an interface there).
"""
import logging
import time

from itsdangerous import BadSignature, URLSafeSerializer

from .. import events as E
from ..cluster.ghosts import CHECK_EVERY as GHOST_CHECK_EVERY, ghosts
from ..cluster.handoff import MESSAGE as CUT_OFF, Handoff
from ..cluster.outbox import Outbox
from ..errors import Refusal
from ..faults import is_storage_fault
from ..ice import ice_servers, relay_addresses
from ..protocol import HANDLERS, PROTOCOL_VERSION, ok, validate, validate_auth
from ..ratelimit import KeyedBuckets
from ..store import actions as A
from ..store import create_store
from ..store import selectors as S
from . import chat_handlers, handlers, limits, trust_handlers  # noqa: F401  (handlers register)
from .clock import AwayClients, Clock
from .connections import Connections
from .delivery import EmitterTree
from .eventlog import EventLog
from .lobby import LobbyViews

log = logging.getLogger(__name__)
# A client that said goodbye (closed the page, called disconnect) leaves at once; any
# other loss (ping timeout, transport closed or failed) keeps it for the grace period.
GOODBYES = {"client disconnect", "server disconnect"}
TRANSPORT_CLOSE = "transport close"  # a goodbye too for clients that said leaveOnClose
RECONNECT = "reconnect"  # the server closed the transport for the browser to reconnect
new_id = handlers.new_id
# What end_sessions passes to every node (an internal name: never sent to a browser).
SESSIONS_ENDED = "internal:sessions-ended"
RESTART_RETRY_MS = 2000


class Hub:
    def __init__(self, socketio, config, identity, chat=None, chat_writer=None,
                 faults=None, metrics=None, clock=time.time, privacy=None, trust=None,
                 cluster=None):
        self.socketio = socketio
        self.cluster = cluster        # cluster.Cluster or None (one process)
        self.node = cluster.node if cluster else ""
        self.config = config
        self.identity = identity
        self.chat = chat
        self.chat_writer = chat_writer
        self.faults = faults          # StorageFaults: storage errors → `unavailable`
        self.metrics = metrics        # Metrics or None
        self.privacy = privacy        # AddressPrivacy or None: who sends relay candidates only
        self.trust = trust            # TrustService or None: safety-code marks
        self.clock = clock
        self.draining = None          # while stopping: the reason shown to clients
        self.in_flight = 0            # client events being handled right now
        self.last_event_at = 0.0      # time.monotonic() of the newest client event
        self.event_log = EventLog(config["LOG_SUMMARY_INTERVAL"],
                                  spawn=socketio.start_background_task, sleep=socketio.sleep)
        self.ring_timeout = config["RING_TIMEOUT"]
        self.grace = config["RECONNECT_GRACE"]
        self.tokens = URLSafeSerializer(config["SECRET_KEY"], salt="tlc-resume")
        self.welcome = {
            "protocol": PROTOCOL_VERSION,
            "iceTransportPolicy": config["ICE_TRANSPORT_POLICY"],
            "reconnectGraceMs": int(config["RECONNECT_GRACE"] * 1000),
            "ringTimeoutMs": int(config["RING_TIMEOUT"] * 1000),
            "maxAnchors": config["MAX_ANCHORS_PER_CLIENT"],
        }
        # resolved once: the addresses a relay-only side's candidates may name
        self.relay_addresses = relay_addresses(config)
        self.store = create_store(config["MAX_ANCHORS_PER_CLIENT"])
        self.connections = Connections(
            socketio, (config["RATE_LIMIT_PER_SECOND"], config["RATE_LIMIT_BURST"]),
            lambda: self.clock())
        chat_rate = lambda: (config["CHAT_RATE_PER_SECOND"], config["CHAT_RATE_BURST"])  # noqa: E731
        self.chat_limits = KeyedBuckets(chat_rate)  # per user, across the user's tabs
        self.membership = None
        self.direct = None            # cluster: candidates straight to the peer's node
        self._departures = []         # cluster: departures the log could not take yet
        self._held_since = None       # cluster: since when this node holds the clock
        self._ghosts_at = None        # cluster: time.monotonic() of the last ghost check
        self.outbox = None            # cluster: pushes to other nodes' tabs (cluster/outbox.py)
        self.handoff = Handoff()      # cluster: cut off from Redis, clients go elsewhere
        if cluster is not None:
            # A node: the store is replicated through the cluster's log, loaded from
            # it before anything subscribes (nothing of the past is delivered again).
            self.store = cluster.replicate(self.store, self._deliver_sent, socketio.sleep)
            self.store.join()
            self.membership = cluster.membership()
            self.membership.beat()  # seen alive before it serves anyone
            self.outbox = Outbox(self.store)
            self._declare_ghosts()  # what an earlier incarnation of this node held is gone
            self.chat_limits = cluster.chat_limits(chat_rate)
            if cluster.direct_relay:
                self.direct = cluster.direct(self.store, socketio.sleep)
            self._snapshot_at = self.store.applied
        self.away = AwayClients(self.store)
        self.lobby = LobbyViews(config["LOBBY_WINDOW"], config["LOBBY_PINS_MAX"])
        self.tree = EmitterTree(self.store, self.lobby, here=self.serves)
        self.tree.on_lobby(self.connections.send_many)
        self.ticker = Clock(socketio, self.tick, config["LOBBY_COUNT_INTERVAL"], self.lobby)
        self._background = []
        if cluster is not None:
            self.store.subscribe(self._cluster_moves)
            # (task, the part whose `stopped` ends it): close() stops and joins them
            self._background.append((socketio.start_background_task(self.store.follow),
                                     self.store))
            if self.direct is not None:
                self._background.append(
                    (socketio.start_background_task(self.direct.listen), self.direct))
            self.ticker.start()  # heartbeats and the clock lease run with no client too

    # -- helpers used by the handlers --------------------------------------------------
    def user_of(self, client_id):
        return self.store.get_state()["clients"][client_id]["userId"]

    def dispatch(self, action, ack=None):
        with self.store.lock:
            self.store.dispatch(action)
            return ack(self.store.get_state()) if ack else {}

    def relay(self, action, recipient):
        """A state-free action (a relayed ICE candidate): in a cluster, straight to the
        node serving `recipient(state)` (cluster/direct.py); else an ordinary dispatch."""
        if self.direct is None:
            return self.dispatch(action)
        self.direct.dispatch(action, recipient)
        return {}

    def send_to_client(self, client_id, event, data):
        """Deliver to one client through its emitter node; False if it is gone."""
        node = self.tree.root.find((client_id,))
        return bool(node) and node.deliver(event, data)

    def send_to_user(self, user_id, event, data, skip_client=None):
        """Deliver to every connected tab of a user (on every node); returns how many
        got it here."""
        sent = self._deliver_sent(user_id, event, data, skip_client)
        if self.outbox is not None:  # other nodes' tabs: now, or once the log is back
            self.outbox.send(user_id, event, data, skip_client)
        return sent

    def end_sessions(self, user_id, sessions, reconnect=False):
        """Close the sockets of these ended sessions of `user_id` (digests, or
        sessions.ALL), here and on every node: in a cluster the word goes through the
        outbox like a message to the user's tabs (kept until the log takes it), and each
        node closes its own. `reconnect` (a guest that registered: same user id, a new
        cookie): close the transport, not the Socket.IO session, so a browser reconnects
        by itself with its cookie and resumes as the account; a copy of the old guest
        cookie is refused then (identity.session_user)."""
        self._close_sessions(user_id, sessions, reconnect,
                             later=self.connections.in_write())
        if self.outbox is not None:
            self.outbox.send(user_id, SESSIONS_ENDED,
                             {"sessions": sessions, "reconnect": reconnect})

    def _close_sessions(self, user_id, sessions, reconnect, later):
        for sid in self.connections.sids_of_sessions(user_id, sessions):
            close = (lambda sid=sid: self._close_transport(sid)) if reconnect else \
                (lambda sid=sid: self.socketio.server.disconnect(sid))
            if later:  # e.g. while the cluster log is being applied
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

    def _deliver_sent(self, user_id, event, data, skip_client=None):
        if event == SESSIONS_ENDED:  # from another node, not for the browser
            self._close_sessions(user_id, data["sessions"], bool(data.get("reconnect")),
                                 later=True)
            return 0
        with self.store.lock:
            user = self.store.get_state()["users"].get(user_id)
            targets = [c for c in (user["clientIds"] if user else ()) if c != skip_client]
            return sum(self.send_to_client(c, event, data) for c in targets)

    def serves(self, state, client_id):
        """Whether this process serves `client_id` (always, without a cluster; a client
        that is gone counts as ours, so a message for it is logged as dropped)."""
        client = state["clients"].get(client_id)
        return client is None or client.get("node", "") == self.node

    def send_snapshot(self, client_id, **view):
        """(Re)build the client's lobby view and send it: `query=`, `pins=` change it."""
        with self.store.lock:
            snapshot = self.lobby.build(self.store.get_state(), client_id, **view)
            self.connections.send(client_id, E.LOBBY_SNAPSHOT, snapshot)

    def send_counts(self):
        with self.store.lock:
            for client_ids, payload in self.lobby.counts():
                self.connections.send_many(client_ids, E.LOBBY_COUNT, payload)

    def relay_only(self, caller_anchor, callee_anchor):
        """The anchors of a call about to start that may send relay candidates only."""
        if self.privacy is None:
            return []
        return self.privacy.relay_only(self.store.get_state(), caller_anchor, callee_anchor)

    def ice_servers(self, user_id):
        return ice_servers(self.config, user_id, self.clock())

    def user_renamed(self, user_id, display_name):
        """A rename from a page (not a socket) reaches the lobby too."""
        with self.store.lock:
            if user_id in self.store.get_state()["users"]:
                self.store.dispatch(A.user_renamed(None, user_id, display_name))

    def online_clients(self):
        return len(self.store.get_state()["clients"])

    # -- connection life cycle ---------------------------------------------------------
    def connect(self, sid, user, auth=None, session=None):
        """Bind a socket to the session's user: a new client, the same client back
        after a drop (resume), or a client rebuilt after a server restart (restore).
        `session`: the account session's digest (sessions.py), to close it when it ends.
        A new client takes the place of the user's oldest away one when the user is at
        the cap (limits.make_room), or is refused."""
        try:
            auth = validate_auth(auth)
        except Refusal as err:
            self.connections.emit(E.ERROR, {"event": "connect", "error": err.as_dict()}, to=sid)
            auth = None
        claimed = self._token_client(auth, user)
        if self.cluster is not None and claimed is not None:
            self.store.catch_up()  # decide resume or restore on the newest state
        with self.store.lock:
            state = self.store.get_state()
            resumed = claimed is not None and claimed in state["clients"]
            client_id = claimed if resumed else (claimed or new_id())
            # Bound only once the store has it (just before the welcome): deltas this
            # connect causes go to the other views, and this socket's first message is
            # the welcome, then its snapshot (which already reflects the change).
            replaced = None if resumed else limits.make_room(self.config, state, user.id)
            if replaced is not None:
                self.store.dispatch(A.client_disconnected(
                    replaced, state["clients"][replaced].get("node") or None))
            if resumed:
                self.connections.release(client_id)  # its old socket may not know yet
                self.store.dispatch(A.client_resumed(client_id, user.id, self.node,
                                                     reloaded=bool(auth and auth.get("reloaded"))))
            else:
                self.store.dispatch(A.client_connected(
                    client_id, user.id, user.display_name, self.clock(),
                    (auth or {}).get("device", ""), self.node))
                if claimed:
                    # what the restore produces (e.g. call:state when this claim completes
                    # a call) waits for the socket, after the welcome
                    self.tree.park_client(client_id)
                    self._restore(client_id, auth, sid)
            self.connections.bind(sid, client_id, leave_on_close=bool(
                auth and auth.get("leaveOnClose")), session=(user.id, session),
                protocol=(auth or {}).get("protocol", 1))
            self.connections.emit(E.SESSION_WELCOME, {
                **self.welcome, "clientId": client_id, "resumed": resumed,
                "restored": claimed is not None and not resumed,
                "resumeToken": self.tokens.dumps([client_id, user.id]),
                "iceServers": self.ice_servers(user.id),
                "user": {"id": user.id, "displayName": user.display_name}}, to=sid)
            self.send_snapshot(client_id)
            self.tree.attach_client(  # after the welcome: what waited follows it
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
        it was in (a call is back once both sides have claimed it)."""
        now = self.clock()
        steps = [lambda: A.anchors_restored(client_id, auth["anchors"])] + [
            lambda c=c: A.call_claimed(
                client_id, c["callId"], c["anchorId"], c["peerAnchorId"], c["initiator"],
                now, now + self.grace, self.relay_only(c["anchorId"], c["peerAnchorId"]))
            for c in auth["calls"]]
        for step in steps:
            try:
                self.store.dispatch(step())
            except Refusal as err:
                self.connections.emit(E.ERROR, {"event": "connect", "error": err.as_dict()},
                                      to=sid)

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
            if self.cluster is not None and self.draining:
                return  # this node left the cluster: its clients are away already
            node = self.node if self.cluster is not None else None
            goodbye = reason in GOODBYES or (leave_on_close and reason == TRANSPORT_CLOSE)
            if goodbye or self.grace <= 0:
                action = A.client_disconnected(client_id, node)
            else:
                action = A.client_went_away(client_id, self.clock() + self.grace, node)
                self.tree.park_client(client_id)
            try:
                self.store.dispatch(action)
            except Refusal:  # the cluster log is down: say it once it is back
                self._departures.append(action)
        log.info("client disconnected", extra={"client": client_id, "reason": reason})

    # -- one client event --------------------------------------------------------------
    def handle(self, sid, event, args):
        started = time.perf_counter()
        client_id = self.connections.client_of(sid)
        shown = event[:64] if isinstance(event, str) else "?"
        payload = {}
        self.in_flight += 1
        self.last_event_at = time.monotonic()
        try:
            if client_id is None:
                raise Refusal("invalid-state", "not connected; reconnect and retry")
            if not self.connections.take(sid):
                raise Refusal("rate-limited", "too many messages; slow down")
            if self.draining:
                raise Refusal("unavailable", self.draining, retry_after_ms=RESTART_RETRY_MS)
            payload = validate(event, args)
            result = ok(**HANDLERS[event](self, client_id, payload))
            self._log(shown, client_id, payload, started, result)
            return result
        except Refusal as err:
            error = err.as_dict()
        except Exception as err:
            if self.faults is not None and is_storage_fault(err):
                error = self.faults.refusal(err).as_dict()  # logged once per interval
            else:
                log.exception("handler failed", extra={"event": shown, "client": client_id})
                error = {"code": "internal", "message": "the server failed to handle this; "
                         "it has been logged, please retry"}
        finally:
            self.in_flight -= 1
        self.connections.emit(E.ERROR, {"event": shown, "error": error}, to=sid)
        result = {"ok": False, "error": error}
        self._log(shown, client_id, payload, started, result)
        return result

    def _log(self, event, client_id, payload, started, result):
        """One DEBUG line per client event (ids and outcome, never message bodies) and
        its counts in the summary written at INFO once per interval."""
        seconds = time.perf_counter() - started
        if self.metrics is not None:
            self.metrics.event_handled(event, result, seconds)
        extra = {"event": event, "client": client_id, "ok": result["ok"],
                 "ms": round(seconds * 1000, 2)}
        for key, field in (("callId", "call"), ("anchorId", "anchor"),
                           ("invitationId", "invitation")):
            if key in payload:
                extra[field] = payload[key]
        if not result["ok"]:
            extra["code"] = result["error"]["code"]
        # Each event at DEBUG; at INFO, a summary per interval (eventlog.py).
        self.event_log.record(event, client_id, result, extra)

    # -- the clock: ring time-outs, grace periods, lobby counts ------------------------
    def tick(self):
        now = self.clock()
        if self.ticker.counts_due(now):
            self.send_counts()
        self.chat_limits.prune()
        if self.cluster is not None and not self._cluster_tick(now):
            return  # another node keeps time
        with self.store.lock:
            state = self.store.get_state()
            if state["invitations"] or state["claims"] or self.away.any():
                self.store.dispatch(A.clock_ticked(self.clock()))

    # -- the cluster: time, lost nodes, clients that moved -----------------------------
    def _cluster_tick(self, now):
        """Heartbeat and clock lease; the holder declares lost nodes and snapshots.
        True when this node holds the clock (and so appends the time actions)."""
        if self.draining:
            return False  # leaving: no heartbeat, and never take the clock back
        try:
            silence = self.membership.beat()
        except Exception as err:  # Redis down: the log says so once (log.py)
            self.store._down(err)
            self._held_since = None
            if self.connections.sids and self.handoff.due(self.membership.peers):
                self._hand_off()
            return False
        self.store._up()
        self.handoff.up()
        self._retry_departures()
        self.outbox.flush()
        if self.membership.replaced or self._ghosts_at is None or \
                time.monotonic() - self._ghosts_at >= GHOST_CHECK_EVERY:
            self._declare_ghosts()
        if not self.membership.holds_clock:
            self._held_since = None
            return False
        monotonic = time.monotonic()
        if self._held_since is None:
            self._held_since = monotonic
        if (monotonic - self._held_since) * 1000 < self.membership.lapse_ms:
            # A new holder (e.g. after a Redis outage, when every heartbeat looks old)
            # first waits one lapse for the others to beat again before judging them.
            return True
        lost, late = self.membership.lost(silence, self.store.get_state())
        for node in lost:
            log.warning("cluster node %s lost (silent %s ms; heartbeats %s)", node,
                        silence.get(node), silence, extra={"node": node})
            self.store.dispatch(A.node_lost(node, now + self.grace, self._served_by(node)))
        self.membership.forget(sorted(late))
        # Every N entries, N at least the number of clients: each entry's share of
        # snapshot work stays bounded as the state grows (a snapshot is ~300 B a client).
        every = max(self.cluster.snapshot_every, len(self.store.get_state()["clients"]))
        if self.store.applied - self._snapshot_at >= every:
            self._snapshot_at = self.store.applied
            self.store.write_snapshot()
        return True

    def close(self):
        """Stop this hub's background work (tests that build several apps); it has
        ended when this returns (a log reader wakes within its block time, ~1 s)."""
        self.ticker.stop()
        for _task, part in self._background:
            part.stopped = True
        for task, _part in self._background:
            task.join()
        self.ticker.join()
        self.event_log.close()

    def _retry_departures(self):
        while self._departures:
            try:
                self.store.dispatch(self._departures[0])
            except Refusal as err:
                if err.code == "unavailable":
                    return
            self._departures.pop(0)

    def _hand_off(self):
        """Cut off while another node is ready (cluster/handoff.py): every client here
        is told to reconnect and its transport closed (the browser reconnects by itself;
        this node refuses new handshakes while cut off, so the proxy picks another)."""
        sids = self.connections.all_sids()
        self.connections.emit(E.SESSION_CLOSING, {
            "reason": "cut-off", "message": CUT_OFF, "reconnectInMs": 1000}, to=sids)
        for client_id in list(self.connections.sids):
            self.connections.release(client_id)  # it resumes elsewhere: no departure
        manager = self.socketio.server.manager
        for sid in sids:
            eio_sid = manager.eio_sid_from_sid(sid, "/")
            if eio_sid is not None:  # the transport, not the Socket.IO session: a browser
                self.connections.defer(  # reconnects by itself after a transport close
                    lambda e=eio_sid: self.socketio.server.eio.disconnect(e))

    def _declare_ghosts(self):
        """Clients the store says this node serves but no socket here does (cluster/
        ghosts.py): away for the grace period, as if this node had been lost for them.
        Not while another process with this NODE_ID may be alive (cluster/nodes.py):
        the clients without a socket here may be its own."""
        if self.membership.shared():
            return  # `replaced` kept: checked again once the other is silent a lapse
        with self.store.lock:
            found = ghosts(self.store.get_state(), self.node, self.connections.sids,
                           {a["payload"]["clientId"] for a in self._departures
                            if "clientId" in a["payload"]})
            if found:
                log.warning("%d clients named this node without a socket here (a "
                            "previous incarnation%s, or a lost reply): declared away",
                            len(found), f" {self.membership.replaced}"
                            if self.membership.replaced else "")
                try:
                    self.store.dispatch(A.node_lost(self.node, self.clock() + self.grace,
                                                    found))
                except Refusal:
                    return  # the log is down: checked again once it is back
        self._ghosts_at = time.monotonic()
        self.membership.replaced = None

    def _served_by(self, node):
        return sorted(c["id"] for c in self.store.get_state()["clients"].values()
                      if c.get("node", "") == node and c["awayUntil"] is None)

    def leave_cluster(self):
        """A clean stop (SIGTERM): this node's clients go away for the grace period and
        resume on another node; the clock lease is handed back at once."""
        if self.cluster is None:
            return
        try:
            self.outbox.flush()  # what waited for the log, before the clients move
            clients = self._served_by(self.node)
            if self.membership.shared():  # a twin with this NODE_ID: its clients stay
                clients = [c for c in clients if c in self.connections.sids]
            self.store.dispatch(A.node_lost(self.node, self.clock() + self.grace, clients))
            self.membership.leave()
        except Exception:
            log.exception("leaving the cluster failed; the others will notice the silence")

    def _cluster_moves(self, action, prev, nxt):
        """Another node took over one of our clients (it resumed there): let go of its
        socket. The cluster declared this node lost though it runs (it was too slow
        to beat in time): its clients are still connected here, so say they are back."""
        kind, p = action["type"], action.get("payload", {})
        if kind == A.NODE_LOST and p["node"] == self.node and not self.draining:
            back = [(c["id"], c["userId"]) for c in nxt["clients"].values()
                    if c["id"] in self.connections.sids and c["awayUntil"] is not None]
            if not back:
                return  # e.g. this node declared its own ghosts
            log.warning("this node was declared lost; %d clients are still here", len(back))
            self.connections.defer(lambda: self._still_here(back))
            return
        if kind != A.CLIENT_RESUMED or p.get("node") == self.node:
            return
        client_id = p["clientId"]
        node = self.tree.root.find((client_id,))  # a parked queue too: it is not ours now
        if node is not None:
            node.teardown()
        sid = self.connections.sids.get(client_id)
        if sid is None:
            return
        self.connections.release(client_id)
        self.connections.defer(lambda: self.socketio.server.disconnect(sid))

    def _still_here(self, clients):
        for client_id, user_id in clients:
            with self.store.lock:
                if client_id not in self.connections.sids:
                    continue
                action = A.client_resumed(client_id, user_id, self.node)
                try:
                    self.store.dispatch(action)
                except Refusal as err:
                    if err.code == "unavailable":
                        self._departures.append(action)  # retried once the log is back
                    else:
                        log.warning("could not say client %s is back: %s", client_id,
                                    err.message)
