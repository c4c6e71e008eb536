"""Who is in the cluster, and which node keeps time.

Every clock tick (0.25 s) each node runs one Lua script that records its heartbeat
(Redis's own clock, so machines' clocks may differ) and renews or takes the clock
lease (`SET NX PX`): exactly one node holds it at a time and appends the time actions
(`clock/ticked`: ring time-outs, grace periods). When the holder stops renewing, the
lease lapses after `lease_ms` and the next node to tick takes it.

The holder also watches the heartbeats: a node silent for `lapse_ms` (killed, frozen,
cut off), or one that serves clients in the store but has no heartbeat at all, is
lost; the holder appends `nodes/lost`, which puts that node's clients away for the
grace period, so their browsers can resume on another node.

A node restarted within the lapse (same NODE_ID) is never silent long enough for that:
each process beats with its own incarnation id, and the first beat of a new incarnation
returns the one it replaced, so the node knows its predecessor's clients are gone and
declares them (ghosts.py).

Two live processes with one NODE_ID (a start-first rolling deploy, a copied config)
would each see the other's incarnation at every beat and each declare the other's
clients ghosts, four times a second: the lobby flaps. So a different incarnation seen
after our own first beat is alive: while one was seen within the last lapse, `shared()`
is True, the node (member.py) declares no ghosts, and an error is logged (once per LOG_EVERY). At
our first beat, one that beat less than a lapse ago may be a predecessor killed a moment
ago or a live twin: a live one beats again within a few ticks and overwrites ours, so
`shared()` holds only for `settle_ms` (3 s, at most a lapse), then the predecessor's
clients are declared. We
keep running rather than refuse to start: a start-first deploy waits for the new
process to be ready before stopping the old one, so refusing would stall it. Once the
other is silent for a lapse (stopped, or killed), ghosts are declared again, its
clients among them.
"""
import logging
import time

log = logging.getLogger(__name__)
LOG_EVERY = 60.0  # seconds between errors about a shared NODE_ID

TICK = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local last = redis.call('ZSCORE', KEYS[2], ARGV[1])
local since = -1
if last then since = now - tonumber(last) end
redis.call('ZADD', KEYS[2], now, ARGV[1])
local before = redis.call('HGET', KEYS[3], ARGV[1]) or ''
if before ~= ARGV[3] then redis.call('HSET', KEYS[3], ARGV[1], ARGV[3]) end
if ARGV[4] ~= '' then redis.call('HSET', KEYS[4], ARGV[1], ARGV[4]) end
local addresses = redis.call('HGETALL', KEYS[4])
local held = 0
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2]); held = 1
elseif redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  held = 1
end
local beats = {}
if held == 1 then beats = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES') end
return {held, now, beats, before, addresses, since}
"""


class Membership:
    def __init__(self, client, node, prefix="tlc", lease_ms=3000, lapse_ms=5000,
                 incarnation="", address="", settle_ms=3000):
        self.redis = client
        self.node = node
        self.incarnation = incarnation
        self.replaced = None          # the incarnation our first beat replaced, if any
        self.incarnations_key = f"{prefix}:incarnations"
        self.address = address        # this node's URL, for the others (handoff.py)
        self.addresses_key = f"{prefix}:addresses"
        self.peers = {}               # {node: URL} of the others, as of the last beat
        self.lease_key = f"{prefix}:clock"
        self.nodes_key = f"{prefix}:nodes"
        self.lease_ms, self.lapse_ms = lease_ms, lapse_ms
        self.holds_clock = False
        self.beats = 0                # beats that reached Redis
        self.other_at = None          # time.monotonic() another live incarnation was seen
        # how long one found at our first beat may be alive (silent a lapse: lost anyway)
        self.settle_ms = min(settle_ms, lapse_ms)
        self.suspect_until = None     # time.monotonic() until which it may be
        self._logged_at = None
        self._tick = client.register_script(TICK)

    def beat(self):
        """Heartbeat and lease; returns {node: ms since its last heartbeat} when this
        node holds the clock (else {})."""
        held, now, beats, before, addresses, since = self._tick(
            keys=[self.lease_key, self.nodes_key, self.incarnations_key, self.addresses_key],
            args=[self.node, self.lease_ms, self.incarnation, self.address])
        self.peers = {node: url for node, url in zip(addresses[0::2], addresses[1::2])
                      if node != self.node}
        if before and before != self.incarnation:
            if self.beats == 0:
                self.replaced = before  # a predecessor, or still running: see shared()
                if 0 <= since <= self.lapse_ms:  # a live one overwrites ours within ticks
                    self.suspect_until = time.monotonic() + self.settle_ms / 1000
            else:
                self._another(before)
        self.beats += 1
        self.holds_clock = bool(held)
        pairs = zip(beats[0::2], beats[1::2])
        return {node: now - float(score) for node, score in pairs}

    def _another(self, incarnation):
        monotonic = time.monotonic()
        self.other_at = monotonic
        if self.beats > 0 and (self._logged_at is None
                               or monotonic - self._logged_at >= LOG_EVERY):
            self._logged_at = monotonic
            log.error("another process runs as cluster node %r (incarnation %s; this one "
                      "is %s): give each process its own NODE_ID. Neither declares the "
                      "other's clients gone while both beat.", self.node, incarnation,
                      self.incarnation)

    def shared(self):
        """True while another incarnation of this NODE_ID may be alive (seen beating, or
        found at our first beat, within the settle time): its clients are not ghosts."""
        now = time.monotonic()
        if self.suspect_until is not None and now < self.suspect_until:
            return True
        return self.other_at is not None and (now - self.other_at) * 1000 <= self.lapse_ms

    def lost(self, silence, state):
        """The nodes to declare lost: silent too long, or serving clients without ever
        having beaten (e.g. Redis lost its data). Never this node."""
        serving = {c.get("node", "") for c in state["clients"].values()
                   if c["awayUntil"] is None}
        serving.discard("")
        late = {node for node, ms in silence.items() if ms > self.lapse_ms}
        return sorted(((late & serving) | (serving - set(silence))) - {self.node}), late

    def forget(self, nodes):
        if nodes:
            self.redis.zrem(self.nodes_key, *nodes)
            self.redis.hdel(self.addresses_key, *nodes)

    def leave(self):
        """A clean stop: drop our heartbeat and, if we hold it, the clock lease (not
        while a twin beats as this node: without a heartbeat it would be declared lost)."""
        if self.shared():
            self.holds_clock = False
            return
        self.redis.zrem(self.nodes_key, self.node)
        self.redis.hdel(self.addresses_key, self.node)
        if self.redis.get(self.lease_key) == self.node:
            self.redis.delete(self.lease_key)
        self.holds_clock = False
