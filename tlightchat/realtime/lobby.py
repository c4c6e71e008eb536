"""Lobby views: who is told about whom.

Sending every member the whole lobby, and every change to every member, costs O(N) per
join and O(N²) to fill a lobby: ten thousand people cannot connect to one process that
way, and a list of ten thousand names helps nobody. So each connected client has a
bounded **view** (docs/protocol.md, "Lobby views"):

- its own user;
- the users it pinned (`lobby:watch`: its conversation partners), whenever online;
- a window of up to `size` other online users matching its query, newest first. A window
  with room takes every matching user who comes online, so below `size` users everyone
  sees everyone.

A lobby delta about a user goes only to the views that hold the user (`watchers`), so a
join costs O(views with room + views holding the user), not O(N).

This is delivery state, like a Socket.IO room: it lives beside the store, not in it, and
every method runs under the store's lock (from the store's subscriber or the handlers, through context.py). Views
and watcher lists are plain lists, not sets: N views × a window of 100 is a million
entries at N = 10,000, and a list holds one in 8 bytes where a set takes ~40.

"Newest first" is an index kept here (`order`: user ids in the order they came online),
because the store's users slice is a persistent map, which has no order. Joins append
to it and last departures remove from it as they are routed, and `followed` records
each change's users slice; a state it did not follow (a cluster node that loaded a
snapshot) is re-read from the state, oldest first by when each user's oldest tab
connected.
"""
from .. import events as E
from ..store import selectors as S

KEEP = object()  # build(): keep the view's current query / pins
# A count push writes to every socket: in a large lobby it comes less often, so that
# pushes cost at most this many socket writes per second (40 s apart at 10,000 clients,
# 4 s at 1,000). A write costs an eventlet process ~0.1 ms: at 1,000 a second, pushes
# took a tenth of a core from every process for as long as people came and went, more
# than holding 10,000 idle connections costs at the 25 s heartbeat (BENCHMARKS.md).
COUNT_WRITES_PER_SECOND = 250


class View:
    __slots__ = ("client_id", "user_id", "query", "folded", "pins", "window", "complete",
                 "told", "hidden")

    def __init__(self, client_id, user_id, query, pins, hidden=frozenset()):
        self.client_id = client_id
        self.user_id = user_id
        self.query = query
        self.folded = query.casefold()
        self.pins = pins
        self.window = []       # user ids; never holds this view's own user or its pins
        self.complete = True
        self.told = None       # the (online, complete) this client was last sent
        self.hidden = hidden   # users a block stands between this view's user and

    def held(self):
        return [self.user_id, *(self.pins - self.hidden), *self.window]


class LobbyViews:
    def __init__(self, size=100, pins_max=200):
        self.size = size
        self.pins_max = pins_max
        self.views = {}        # clientId → View
        self.watchers = {}     # userId → [clientId]: the views holding or pinning the user
        self.open = set()      # views whose window has room
        self.full = set()      # views with a full window that are still complete
        self.online = 0
        self.sent_online = None
        self.changed = set()   # views whose `complete` changed since the last count
        self.order = {}        # userId → None, in the order they came online
        self.users = None      # the users slice `order` describes
        # userId → the users hidden from that user's views (tlightchat/safety/: blocks)
        self.hidden_for = lambda user_id: frozenset()
        self.always_hidden = frozenset()  # users in nobody's window (safety: invisible)

    def followed(self, prev, nxt):
        """After every change (EmitterTree): `order` now describes nxt's users, if it
        described prev's."""
        if prev["users"] is self.users:
            self.users = nxt["users"]

    def newest_first(self, state):
        """The online users, newest first (re-read from `state` if out of step)."""
        users = state["users"]
        if users is not self.users:
            clients = state["clients"]

            def since(user):
                return min((clients[c]["connectedAt"] for c in user["clientIds"]
                            if c in clients), default=0), user["id"]
            self.order = dict.fromkeys(u["id"] for u in sorted(users.values(), key=since))
            self.users = users
        return reversed(self.order)

    # -- views -----------------------------------------------------------------------
    def build(self, state, client_id, query=KEEP, pins=KEEP):
        """(Re)build a client's view from the state; returns its `lobby:snapshot`."""
        old = self.views.get(client_id)
        if query is KEEP:
            query = old.query if old else ""
        if pins is KEEP:
            pins = old.pins if old else frozenset()
        self.drop(client_id)
        view, snapshot = self._compose(state, client_id, query, pins, self.newest_first(state))
        self.views[client_id] = view
        for uid in view.held():
            self.watchers.setdefault(uid, []).append(client_id)
        self._classify(view)
        self.online = snapshot["online"]
        view.told = (self.online, view.complete)  # the snapshot says both
        return snapshot

    def preview(self, state, client_id, newest_first, hidden):
        """The `lobby:snapshot` that `build` would send `client_id` (a new client: no
        query, no pins) in `state`, keeping nothing: the /call page renders it before
        its socket connects (web/lobby_render.py). `newest_first`: the index's order of
        the live state (`state` may be a copy with the page's client added); `hidden`:
        `hidden_for` its user, read by the caller before it took the store's lock."""
        return self._compose(state, client_id, "", frozenset(), newest_first, hidden)[1]

    def _compose(self, state, client_id, query, pins, newest_first, hidden=None):
        """The one place a view's people are chosen: (View, its snapshot)."""
        user_id = state["clients"][client_id]["userId"]
        if hidden is None:
            hidden = self.hidden_for(user_id)
        view = View(client_id, user_id, query,
                    frozenset(list(pins)[:self.pins_max]) - {user_id}, hidden)
        picked, view.complete = S.lobby_window(state, view.folded,
                                               view.pins | {user_id} | hidden,
                                               self.size, newest_first)
        view.window = picked
        shown = [user_id, *(u for u in view.pins - hidden if u in state["users"]), *picked]
        return view, {**S.lobby_entries(state, shown), "online": self.count_online(state),
                      "complete": view.complete, "query": query, "window": self.size}

    def count_online(self, state):
        """The number online the lobby shows: invisible users (issue 35) are not in it."""
        users = state["users"]
        return len(users) - sum(1 for uid in self.always_hidden if uid in users)

    def drop(self, client_id):
        view = self.views.pop(client_id, None)
        if view is None:
            return
        for uid in view.held():
            self._unwatch(uid, client_id)
        self.open.discard(client_id)
        self.full.discard(client_id)
        self.changed.discard(client_id)

    def _unwatch(self, uid, client_id):
        held = self.watchers.get(uid)
        if held is not None:
            held.remove(client_id)
            if not held:
                del self.watchers[uid]

    def _classify(self, view):
        cid = view.client_id
        self.open.discard(cid)
        self.full.discard(cid)
        if len(view.window) < self.size:
            self.open.add(cid)
        elif view.complete:
            self.full.add(cid)

    # -- routing ---------------------------------------------------------------------
    def route(self, event, data, prev, nxt):
        """The clients a lobby delta goes to; keeps the views in step with the change."""
        self.online = self.count_online(nxt)
        if event == E.LOBBY_CLIENT_JOINED:
            return self._joined(data["user"]["id"], prev, nxt)
        if event == E.LOBBY_CLIENT_LEFT:
            return self._left(data["clientId"], prev, nxt)
        if event == E.LOBBY_USER:
            uid = data["user"]["id"]
        elif event == E.LOBBY_CLIENT:
            uid = data["client"]["userId"]
        elif event == E.LOBBY_ANCHOR:
            uid = nxt["clients"][data["anchor"]["clientId"]]["userId"]
        elif event == E.LOBBY_ANCHOR_REMOVED:
            owner = prev["anchors"][data["anchorId"]]["clientId"]
            uid = (nxt["clients"].get(owner) or prev["clients"][owner])["userId"]
        else:
            raise ValueError(f"not a lobby delta: {event}")
        return set(self.watchers.get(uid, ()))

    def _joined(self, uid, prev, nxt):
        to = set(self.watchers.get(uid, ()))
        if uid in prev["users"]:
            return to  # another tab of a user already online
        self.order.pop(uid, None)
        self.order[uid] = None
        if uid in self.always_hidden:
            return to
        user = nxt["users"][uid]
        for cid in list(self.open):
            view = self.views[cid]
            if cid in to or uid in view.hidden or not S.name_matches(view.folded, user):
                continue
            view.window.append(uid)
            self.watchers.setdefault(uid, []).append(cid)
            to.add(cid)
            self._classify(view)
        for cid in list(self.full):
            view = self.views[cid]
            if cid not in to and uid not in view.hidden and S.name_matches(view.folded, user):
                view.complete = False
                self.full.discard(cid)
                self.changed.add(cid)
        return to

    def _left(self, client_id, prev, nxt):
        uid = prev["clients"][client_id]["userId"]
        self.drop(client_id)
        to = set(self.watchers.get(uid, ()))
        if uid not in nxt["users"]:  # the user's last tab: out of every window
            self.order.pop(uid, None)
            for cid in to:
                view = self.views[cid]
                if uid in view.window:
                    view.window.remove(uid)
                    if uid not in view.pins:
                        self._unwatch(uid, cid)
                    self._classify(view)
        return to

    # -- counts ----------------------------------------------------------------------
    def count_interval(self, base):
        return max(base, len(self.views) / COUNT_WRITES_PER_SECOND)

    def counts(self):
        """What `lobby:count` to send now: [(clientIds, payload)], grouped by payload.
        Everyone when the number online changed; else the views that stopped being
        complete; never a view that was already told these numbers (e.g. by the
        snapshot it just got)."""
        if self.online != self.sent_online:
            targets = self.views.keys()
        else:
            targets = self.changed
        groups = {True: [], False: []}
        for cid in targets:
            view = self.views[cid]
            told = (self.online, view.complete)
            if view.told != told:
                view.told = told
                groups[view.complete].append(cid)
        self.sent_online = self.online
        self.changed = set()
        return [(ids, {"online": self.online, "complete": complete})
                for complete, ids in groups.items() if ids]
