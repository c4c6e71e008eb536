"""What every client-event handler is given: `Context`, built once by create_app.

A handler (handlers.py, chat_handlers.py, trust_handlers.py) is called as
handler(ctx, clientId, payload) and reaches through `ctx` only:

    the state     store, dispatch(action, ack), user_of(client)
    delivery      relay(action, recipient), send_to_client, send_to_user, send_snapshot
    time, rules   clock (now()), config, ring_timeout, relay_addresses, connections
    services      identity, chat, chat_writer, trust, privacy, chat_limits, links

`assemble` makes the realtime core: the store (kept in memory, or replicated by a
cluster node: the `node`, cluster/node.py, decides), the lobby views and the delivery
tree (delivery.py). Nothing here knows whether the process is alone or in a cluster.
"""
import time

from .. import events as E
from .. import limits as L
from ..ice import ice_servers, relay_addresses
from ..protocol import GROUP_SINCE
from ..store import actions as A
from ..store import create_store
from .clock import AwayClients
from .delivery import EmitterTree
from .lobby import LobbyViews

# The chat events of a group conversation (issue 26) go only to tabs of protocol 4 or
# later: an older page would file a group message as a private one from its sender (its
# `to` is null), and its read marks would mark the pair's conversation read.
_CHAT_EVENTS = frozenset({E.CHAT_MESSAGE, E.CHAT_RECEIPT, E.CHAT_UNREAD})


def _of_a_group(event, data):
    if event not in _CHAT_EVENTS or not isinstance(data, dict):
        return False
    message = data.get("message")
    return bool(data.get("conversationId")
                or (isinstance(message, dict) and message.get("conversationId")))


class Context:
    def __init__(self, config, identity, chat=None, chat_writer=None, trust=None,
                 privacy=None, links=None, clock=time.time):
        self.config = config
        self.clock = clock            # a callable, read on each use (tests swap it)
        self.ring_timeout = config["RING_TIMEOUT"]
        # parties of one call, pending rings included (group calls): 2 to the hard cap
        self.max_call_parties = max(2, min(int(config["MAX_CALL_PARTIES"]), L.CALL_PARTIES_MAX))
        # resolved once: the addresses a relay-only side's candidates may name
        self.relay_addresses = relay_addresses(config)
        self.draining = None          # while stopping: the reason shown to clients
        self.identity = identity
        self.chat = chat
        self.chat_writer = chat_writer  # chat/groupcommit.py: sends, committed in groups
        self.trust = trust            # TrustService or None: safety-code marks
        self.privacy = privacy        # AddressPrivacy or None: who sends relay candidates only
        self.links = links            # reach/links.py LinkService or None: call links
        # made by assemble():
        self.node = self.connections = self.store = self.chat_limits = None
        self.away = self.lobby = self.tree = None

    def assemble(self, node, connections):
        """Build the store (through `node`), the lobby views and the delivery tree, in
        the order they subscribe to the store."""
        config = self.config
        self.node, self.connections = node, connections
        self.store = node.replicate(create_store(config["MAX_ANCHORS_PER_CLIENT"],
                                                  self.max_call_parties))
        self.chat_limits = node.chat_limits(  # per user, across the user's tabs
            lambda: (config["CHAT_RATE_PER_SECOND"], config["CHAT_RATE_BURST"]))
        self.away = AwayClients(self.store)
        self.lobby = LobbyViews(config["LOBBY_WINDOW"], config["LOBBY_PINS_MAX"])
        self.tree = EmitterTree(self.store, self.lobby, here=self.serves)
        self.tree.on_lobby(connections.send_many)

    def now(self):
        return self.clock()

    # -- the state ---------------------------------------------------------------------
    def user_of(self, client_id):
        return self.store.get_state()["clients"][client_id]["userId"]

    def dispatch(self, action, ack=None):
        with self.store.lock:
            self.store.dispatch(action)
            return ack(self.store.get_state()) if ack else {}

    def relay(self, action, recipient):
        """A state-free action (a relayed ICE candidate) for `recipient(state)`'s client:
        the node sends it the shortest way it knows (cluster/node.py)."""
        return self.node.relay(action, recipient, self.tree.relay)

    def serves(self, state, client_id):
        """Whether this process serves `client_id` (a client that is gone counts as
        ours, so a message for it is logged as dropped)."""
        client = state["clients"].get(client_id)
        return client is None or client.get("node", "") == self.node.name

    def user_renamed(self, user_id, display_name):
        """A rename from a page (not a socket) reaches the lobby too."""
        with self.store.lock:
            if user_id in self.store.get_state()["users"]:
                self.store.dispatch(A.user_renamed(None, user_id, display_name))

    def online_clients(self):
        return len(self.store.get_state()["clients"])

    # -- delivery ----------------------------------------------------------------------
    def send_to_client(self, client_id, event, data):
        """Deliver to one client through its emitter node; False if it is gone."""
        node = self.tree.root.find((client_id,))
        return bool(node) and node.deliver(event, data)

    def send_to_user(self, user_id, event, data, skip_client=None):
        """Deliver to every connected tab of a user (on every node); returns how many
        got it here. A group conversation's chat event skips tabs of protocol < 4."""
        sent = self.deliver_here(user_id, event, data, skip_client)
        self.node.send_elsewhere(user_id, event, data, skip_client)
        return sent

    def deliver_here(self, user_id, event, data, skip_client=None):
        with self.store.lock:
            state = self.store.get_state()
            user = state["users"].get(user_id)
            targets = [c for c in (user["clientIds"] if user else ()) if c != skip_client]
            if _of_a_group(event, data):  # every node filters its own tabs
                targets = [c for c in targets
                           if state["clients"].get(c, {}).get("protocol", 1) >= GROUP_SINCE]
            return sum(self.send_to_client(c, event, data) for c in targets)

    def send_snapshot(self, client_id, **view):
        """(Re)build the client's lobby view and send it: `query=`, `pins=` change it."""
        with self.store.lock:
            snapshot = self.lobby.build(self.store.get_state(), client_id, **view)
            self.connections.send(client_id, E.LOBBY_SNAPSHOT, snapshot)

    def send_counts(self):
        with self.store.lock:
            for client_ids, payload in self.lobby.counts():
                self.connections.send_many(client_ids, E.LOBBY_COUNT, payload)

    # -- rules -------------------------------------------------------------------------
    def relay_only(self, caller_anchor, callee_anchor):
        """The anchors of a call about to start that may send relay candidates only."""
        if self.privacy is None:
            return []
        return self.privacy.relay_only(self.store.get_state(), caller_anchor, callee_anchor)

    def ice_servers(self, user_id):
        return ice_servers(self.config, user_id, self.now())
