"""`ClusterNode`: the `Node` (node.py) of a process that is one of several on one Redis.

What a node does besides serving its own sockets, all of it here and nothing of it in
the realtime layer:

    replicate   the store goes through the cluster's log (log.py), loaded before use
    tick        heartbeat and clock lease (nodes.py); the holder declares lost nodes and
                writes snapshots; departures the log refused are retried; the outbox
                (outbox.py) is flushed; ghosts (ghosts.py) are declared away
    moves       a client that resumed on another node is let go; a node declared lost
                while it runs says its clients are still here
    relay       relayed ICE candidates straight to the peer's node (direct.py)
    cut off     from Redis while another node is ready: clients go there (handoff.py)
    leave       a clean stop: this node's clients go away and resume elsewhere
"""
import logging
import time

from .. import events as E
from ..errors import Refusal
from ..store import actions as A
from .ghosts import CHECK_EVERY as GHOST_CHECK_EVERY, ghosts
from .handoff import MESSAGE as CUT_OFF, Handoff
from .outbox import Outbox
from ..safety import REFRESH as SAFETY_REFRESH

log = logging.getLogger(__name__)
# What end_sessions passes to every node (an internal name: never sent to a browser).
SESSIONS_ENDED = "internal:sessions-ended"


class ClusterNode:
    def __init__(self, cluster, socketio, connections, ctx):
        self.cluster = cluster        # cluster.Cluster: the Redis connections and settings
        self.name = self.departure_node = cluster.node
        self.socketio = socketio
        self.connections = connections
        self.ctx = ctx                # realtime/context.py: clock, draining, delivery
        self.grace = ctx.config["RECONNECT_GRACE"]
        self.store = self.membership = self.outbox = self.direct = self.life = None
        self.handoff = Handoff()      # cut off from Redis, clients go elsewhere
        self._departures = []         # departures the log could not take yet
        self._held_since = None       # since when this node holds the clock
        self._ghosts_at = None        # time.monotonic() of the last ghost check
        self._snapshot_at = 0
        self._background = []         # (task, the part whose `stopped` ends it)

    @property
    def healthy(self):
        return self.store.healthy

    def readiness(self):
        ok = self.store.healthy
        return ok, {"cluster": "ok" if ok else "the cluster log (Redis) is unreachable"}

    def replicate(self, store):
        # Loaded from the log before anything subscribes (nothing of the past is
        # delivered again).
        self.store = self.cluster.replicate(store, self._pushed, self.socketio.sleep)
        self.store.join()
        self.membership = self.cluster.membership()
        self.membership.beat()  # seen alive before it serves anyone
        self.outbox = Outbox(self.store)
        self._declare_ghosts()  # what an earlier incarnation of this node held is gone
        if self.cluster.direct_relay:
            self.direct = self.cluster.direct(self.store, self.socketio.sleep)
        self._snapshot_at = self.store.applied
        return self.store

    def chat_limits(self, rate):
        return self.cluster.chat_limits(rate)

    def start(self, life):
        self.life = life
        self.store.subscribe(self._moves)
        spawn = self.socketio.start_background_task
        self._background.append((spawn(self.store.follow), self.store))
        if self.direct is not None:
            self._background.append((spawn(self.direct.listen), self.direct))
        life.ticker.start()  # heartbeats and the clock lease run with no client too

    def close(self):
        for _task, part in self._background:
            part.stopped = True
        for task, _part in self._background:
            task.join()

    # -- what the realtime layer asks ------------------------------------------------
    def catch_up(self):
        self.store.catch_up()

    def relay(self, action, recipient, deliver):
        """Straight to the node serving `recipient(state)` (direct.py), or through the
        log when the direct relay is off."""
        if self.direct is None:
            return self.ctx.dispatch(action)
        self.direct.dispatch(action, recipient, deliver)
        return {}

    def send_elsewhere(self, user_id, event, data, skip_client=None):
        self.outbox.send(user_id, event, data, skip_client)  # now, or once the log is back

    def sessions_ended(self, user_id, sessions, reconnect):
        """The word goes through the outbox like a message to the user's tabs (kept
        until the log takes it), and each node closes its own sockets (_pushed)."""
        self.outbox.send(user_id, SESSIONS_ENDED, {"sessions": sessions, "reconnect": reconnect})

    def _pushed(self, user_id, event, data, skip_client=None):
        """A `send` entry another node appended: for this node's tabs of the user."""
        if event == SESSIONS_ENDED:  # from another node, not for the browser
            self.life.close_sessions(user_id, data["sessions"], bool(data.get("reconnect")),
                                     later=True)
            return 0
        if event == SAFETY_REFRESH:  # a block on another node: this user's views here
            return self.ctx.safety.refresh_here(user_id, data)
        return self.ctx.deliver_here(user_id, event, data, skip_client)

    def depart(self, action, before):
        if self.ctx.draining:
            return False  # this node left the cluster: its clients are away already
        before()
        try:
            self.store.dispatch(action)
        except Refusal:  # the cluster log is down: say it once it is back
            self._departures.append(action)
        return True

    # -- the clock: heartbeat, lease, lost nodes ---------------------------------------
    def tick(self, now):
        """Heartbeat and clock lease; the holder declares lost nodes and snapshots.
        True when this node holds the clock (and so appends the time actions)."""
        if self.ctx.draining:
            return False  # leaving: no heartbeat, and never take the clock back
        try:
            silence = self.membership.beat()
        except Exception as err:  # Redis down: the log says so once (log.py)
            self.store.down(err)
            self._held_since = None
            if self.connections.sids and self.handoff.due(self.membership.peers):
                self._hand_off()
            return False
        self.store.up()
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

    def _retry_departures(self):
        while self._departures:
            try:
                self.store.dispatch(self._departures[0])
            except Refusal as err:
                if err.code == "unavailable":
                    return
            self._departures.pop(0)

    def _hand_off(self):
        """Cut off while another node is ready (handoff.py): every client here is told
        to reconnect and its transport closed (the browser reconnects by itself; this
        node refuses new handshakes while cut off, so the proxy picks another)."""
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
        """Clients the store says this node serves but no socket here does (ghosts.py):
        away for the grace period, as if this node had been lost for them. Not while
        another process with this NODE_ID may be alive (nodes.py): the clients without
        a socket here may be its own."""
        if self.membership.shared():
            return  # `replaced` kept: checked again once the other is silent a lapse
        with self.store.lock:
            found = ghosts(self.store.get_state(), self.name, self.connections.sids,
                           {a["payload"]["clientId"] for a in self._departures
                            if "clientId" in a["payload"]})
            if found:
                log.warning("%d clients named this node without a socket here (a "
                            "previous incarnation%s, or a lost reply): declared away",
                            len(found), f" {self.membership.replaced}"
                            if self.membership.replaced else "")
                try:
                    self.store.dispatch(A.node_lost(self.name, self.ctx.now() + self.grace,
                                                    found))
                except Refusal:
                    return  # the log is down: checked again once it is back
        self._ghosts_at = time.monotonic()
        self.membership.replaced = None

    def _served_by(self, node):
        return sorted(c["id"] for c in self.store.get_state()["clients"].values()
                      if c.get("node", "") == node and c["awayUntil"] is None)

    def leave(self):
        """A clean stop (SIGTERM): this node's clients go away for the grace period and
        resume on another node; the clock lease is handed back at once."""
        try:
            self.outbox.flush()  # what waited for the log, before the clients move
            clients = self._served_by(self.name)
            if self.membership.shared():  # a twin with this NODE_ID: its clients stay
                clients = [c for c in clients if c in self.connections.sids]
            self.store.dispatch(A.node_lost(self.name, self.ctx.now() + self.grace, clients))
            self.membership.leave()
        except Exception:
            log.exception("leaving the cluster failed; the others will notice the silence")

    # -- clients that moved ------------------------------------------------------------
    def _moves(self, action, prev, nxt):
        """Another node took over one of our clients (it resumed there): let go of its
        socket. The cluster declared this node lost though it runs (it was too slow
        to beat in time): its clients are still connected here, so say they are back."""
        kind, p = action["type"], action.get("payload", {})
        if kind == A.NODE_LOST and p["node"] == self.name and not self.ctx.draining:
            back = [(c["id"], c["userId"]) for c in nxt["clients"].values()
                    if c["id"] in self.connections.sids and c["awayUntil"] is not None]
            if not back:
                return  # e.g. this node declared its own ghosts
            log.warning("this node was declared lost; %d clients are still here", len(back))
            self.connections.defer(lambda: self._still_here(back))
            return
        if kind != A.CLIENT_RESUMED or p.get("node") == self.name:
            return
        client_id = p["clientId"]
        node = self.ctx.tree.root.find((client_id,))  # a parked queue too: not ours now
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
                action = A.client_resumed(client_id, user_id, self.name)
                try:
                    self.store.dispatch(action)
                except Refusal as err:
                    if err.code == "unavailable":
                        self._departures.append(action)  # retried once the log is back
                    else:
                        log.warning("could not say client %s is back: %s", client_id,
                                    err.message)
