"""Delivery: a tree of pyee emitters that mirrors each client's connection state.

    root ── client ── anchor ── call (one party's place in a call)
     │        └─ 'message' listener: write to that client's socket, or queue while away
     └─ 'lobby' listener: a lobby delta for the clients whose view holds its user
    calls ── call: the call's parties ── fans a message out to each party's call node

Each level has a job. The client node is the client's connection: its 'message'
listener writes to the socket serving it (attach_client) or, while the client is away
or being restored, queues what it misses, in order, to be sent first when it comes back
(park_client). The anchor and call nodes under a client are the scope of a teardown: a
message is addressed to the node of the call (or anchor) it concerns and bubbles up to
the client's listener, and when the store drops a call, an anchor or a client, its
subtree is torn down, so nothing keeps listening for a thing that is gone and a message
for a departed client is dropped (and logged) rather than queued for nobody.

The call level is kept, not flattened, and has a second job: a `CallNode` per live call
holds the call's parties (anchor → client, kept in step with the store) and fans a
message addressed to the whole call (outgoing.to_call, e.g. `call:state`) out to each
party's call node, however many parties the call has.

`EmitterTree` subscribes to the store, turns each change into messages with
outgoing.py, routes lobby deltas through `LobbyViews.route` (lobby.py) and keeps the
tree's shape in step with the state.
"""
import logging
from collections import deque

from pyee import EventEmitter

from . import outgoing as out

log = logging.getLogger(__name__)
LOBBY = out.LOBBY


class EmitterNode:
    """One pyee emitter in the tree: root → client → anchor → call."""

    def __init__(self, name=None, parent=None):
        self.name = name
        self.parent = parent
        self.children = {}
        self.emitter = EventEmitter()
        self.queue = None  # while the client is away: what waits for it

    def child(self, name):
        node = self.children.get(name)
        if node is None:
            node = self.children[name] = EmitterNode(name, self)
        return node

    def find(self, path):
        node = self
        for name in path:
            node = node.children.get(name)
            if node is None:
                return None
        return node

    def node(self, path):
        node = self
        for name in path:
            node = node.child(name)
        return node

    def deliver(self, event, data):
        """Bubble up to the nearest node (self included, root excluded) with a
        'message' listener; False when there is none (the client is gone)."""
        node = self
        while node is not None and node.parent is not None:
            if node.emitter.listeners("message"):
                node.emitter.emit("message", event, data)
                return True
            node = node.parent
        return False

    def teardown(self):
        for child in list(self.children.values()):
            child.teardown()
        self.emitter.remove_all_listeners()
        if self.parent is not None:
            self.parent.children.pop(self.name, None)

    def size(self):
        return 1 + sum(child.size() for child in self.children.values())


class CallNode:
    """One live call: its parties, and the fan-out of a message to each of them."""

    def __init__(self, call_id):
        self.call_id = call_id
        self.parties = {}  # anchorId → clientId, as in the store's call
        self.source = None  # the store's call record the parties were read from

    def follow(self, call):
        """Hold the parties of `call` (the store's record of this call)."""
        if self.source is not call:
            self.parties, self.source = dict(call["clients"]), call
        return self

    def fan_out(self, root, event, data):
        """Deliver to each party's call node (under its client); returns the client ids
        that had no node here (gone, or served by another cluster node)."""
        missed = []
        for anchor_id, client_id in self.parties.items():
            client = root.find((client_id,))
            if client is None or not client.node((anchor_id, self.call_id)).deliver(event, data):
                missed.append(client_id)
        return missed


class EmitterTree:
    """Subscribes to the store; turns each change into deliveries and keeps the tree's
    shape in step with the state (a node per live client, anchor and call)."""

    def __init__(self, store, lobby, here=None):
        self.root = EmitterNode()
        self.calls = {}  # callId → CallNode
        self.store = store
        self.lobby = lobby
        # here(state, client_id): is that client served by this process? (cluster.md)
        self.here = here or (lambda state, client_id: True)
        self.unsubscribe = store.subscribe(self._on_change)

    def attach_client(self, client_id, send):
        """`send(event, data)` writes to that client's socket. On a resumed client,
        whatever waited while it was away is sent first, in order."""
        node = self.root.node((client_id,))
        node.emitter.remove_all_listeners("message")
        waiting, node.queue = node.queue or (), None
        for event, data in waiting:
            send(event, data)
        node.emitter.on("message", send)
        return node

    def park_client(self, client_id, limit=2000):
        """No socket to write to yet (it dropped and may come back, or it is being
        restored): queue the client's messages until attach_client."""
        node = self.root.node((client_id,))
        node.emitter.remove_all_listeners("message")
        node.queue = deque(maxlen=limit)
        node.emitter.on("message", lambda event, data: node.queue.append((event, data)))

    def on_lobby(self, send):
        """`send(client_ids, event, data)`: a lobby delta for the views that hold its user.
        Not queued for away clients: they get a fresh snapshot when they come back."""
        self.root.emitter.on("lobby", send)

    def relay(self, action):
        """Deliver a relayed ICE candidate that the store's guard let through
        (Store.check), without a dispatch: its reducer keeps the state as it is, so the
        messages out.relayed makes are all a dispatch would deliver (bench/micro.py). Call
        it holding the store's lock, as a dispatch does."""
        state = self.store.get_state()
        self._deliver(out.relayed(action, state, action["meta"]["clientId"]), state, state)

    def _on_change(self, action, prev, nxt):
        if prev["calls"] is not nxt["calls"]:
            self._sync_calls(prev["calls"], nxt["calls"])
        self._deliver(out.outgoing(action, prev, nxt), prev, nxt)
        self.lobby.followed(prev, nxt)
        if prev["anchors"] is not nxt["anchors"] or prev["clients"] is not nxt["clients"] \
                or prev["calls"] is not nxt["calls"]:
            self._prune(prev, nxt, out.named_ids(action))

    def _deliver(self, msgs, prev, nxt):
        for path, event, data in msgs:
            try:
                if path == LOBBY:
                    to = self.lobby.route(event, data, prev, nxt)
                    if to:
                        self.root.emitter.emit("lobby", to, event, data)
                    continue
                if isinstance(path, out.CallPath):
                    call = self._call_node(nxt["calls"].get(path[0]))
                    missed = call.fan_out(self.root, event, data) if call else ()
                else:
                    client = self.root.find(path[:1])
                    delivered = client is not None and client.node(path[1:]).deliver(event, data)
                    missed = () if delivered else (path[0],)
                for client_id in missed:
                    if self.here(nxt, client_id):  # not a client another node serves
                        log.info("dropped %s for departed client %s", event, client_id)
            except Exception:  # a failing socket must not break the dispatch
                log.exception("delivering %s to %s failed", event, path)

    def _sync_calls(self, prev, nxt):
        """A CallNode per live call, holding its parties as the store has them; the nodes
        of calls that are gone are dropped (also those a replaced state, a cluster node's
        reload, took away without a change of its own)."""
        for call_id, call in nxt.items():
            if prev.get(call_id) is not call:
                self._call_node(call)
        for call_id in self.calls.keys() - nxt.keys():
            del self.calls[call_id]

    def _call_node(self, call):
        """The node of this live call (None: no such call), made on first use: a call
        already in the state the tree started from (a cluster node that joined while it
        ran) or that a reload brought has its node the first time a message names it."""
        if call is None:
            return None
        node = self.calls.get(call["id"]) or self.calls.setdefault(call["id"], CallNode(call["id"]))
        return node.follow(call)

    def _prune(self, prev, nxt, named):
        if prev["calls"] is not nxt["calls"]:
            for call_id, call in prev["calls"].items():
                now = nxt["calls"].get(call_id)
                if now is call:
                    continue
                for aid, cid in call["clients"].items():  # the call, or a party that left it
                    node = None if now is not None and aid in now["clients"] else \
                        self.root.find((cid, aid, call_id))
                    if node:
                        node.teardown()
        for aid in out.slice_changes(prev["anchors"], nxt["anchors"], named)[1]:
            node = self.root.find((prev["anchors"][aid]["clientId"], aid))
            if node:
                node.teardown()
        for cid in out.slice_changes(prev["clients"], nxt["clients"], named)[1]:
            node = self.root.find((cid,))
            if node:
                node.teardown()
