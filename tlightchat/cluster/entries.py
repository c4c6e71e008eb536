"""What the cluster's log holds and how: the two Lua scripts (append and read back;
store a snapshot and trim), the JSON encoding of entries and states, the order of entry
ids, and the refusal while Redis is unreachable. The log itself: log.py."""
import json

from ..errors import N_, Refusal
from ..store.reducers import persistent, plain
from ..store.reducers.calls import new_pair
from ..store.selectors import pair_key

RETRY_MS = 2000
# While Redis is known to be unreachable, changes are refused at once (no client event
# waits on a dead connection behind the store lock) except one try per PROBE_S.
PROBE_S = 0.5

# KEYS: the stream, its entry counter; ARGV: the entry's fields (kind, origin, body),
# the cursor, how many entries to return at most. Every entry carries its number `n`
# (1, 2, 3, ... with no gaps), so a node that misses entries (trimmed away while it was
# cut off) notices on whichever path it reads them. Returns {new id, entries after the
# cursor up to it (at most ARGV[5])}.
APPEND = """
local n = redis.call('INCR', KEYS[2])
local id = redis.call('XADD', KEYS[1], '*', 'k', ARGV[1], 'o', ARGV[2], 'b', ARGV[3], 'n', n)
return {id, redis.call('XRANGE', KEYS[1], '(' .. ARGV[4], id, 'COUNT', ARGV[5])}
"""

# KEYS: the snapshot, its cursor, the stream; ARGV: the new snapshot, its cursor. A
# snapshot older than the stored one (a holder that paused past its lease) is dropped;
# the stream is trimmed behind the snapshot it replaces. Returns 1 when stored.
SNAPSHOT = """
local old_id = redis.call('GET', KEYS[2]) or '0-0'
local function key(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
local oms, oseq = key(old_id)
local nms, nseq = key(ARGV[2])
if nms < oms or (nms == oms and nseq <= oseq) then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2])
if old_id ~= '0-0' then redis.call('XTRIM', KEYS[3], 'MINID', old_id) end
return 1
"""
BATCH = 1000
PUSHERS = 1000  # outboxes whose last push number is kept (one per process start)


def entry_key(entry_id):
    """Stream ids ("ms-seq") in order."""
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


def thaw(state):
    """A state read back from JSON: the tuples the reducers build on are tuples again,
    and the large slices persistent maps."""
    for user in state["users"].values():
        user["clientIds"] = tuple(user["clientIds"])
    for client in state["clients"].values():
        client["anchorIds"] = tuple(client["anchorIds"])
    for call_id, call in list(state["calls"].items()):
        if "parties" not in call:  # written by a node of the previous version
            call = state["calls"][call_id] = two_party_call(call)
        call["parties"] = tuple(call["parties"])
        for table in ("media", "offers"):  # per anchor before issue 26: per peer now
            call[table] = {a: v if isinstance(v, dict) else
                           {b: v for b in call["parties"] if b != a}
                           for a, v in call[table].items()}
        for pair in call["pairs"].values():
            pair["relayOnly"] = tuple(pair["relayOnly"])
    return persistent(state)


def two_party_call(old):
    """A call as the previous version stored it (callerAnchorId, calleeAnchorId and
    the call's relayOnly), in today's shape: its two parties and their pair. A rolling
    upgrade reads such calls from the snapshot and the log until every node runs this."""
    caller, callee = old["callerAnchorId"], old["calleeAnchorId"]
    call = {k: v for k, v in old.items()
            if k not in ("callerAnchorId", "calleeAnchorId", "relayOnly")}
    call["parties"] = (caller, callee)
    call["pairs"] = {pair_key(caller, callee): new_pair(caller, callee, old.get("relayOnly", ()))}
    return call


def encode(value):
    # ASCII: a lone surrogate from a client's string stays an escape, not an encode error
    return json.dumps(value, separators=(",", ":"), default=plain)


class ClusterDown(Refusal):
    def __init__(self):
        super().__init__("unavailable", N_("The server cannot reach its cluster log right "
                                           "now; nothing was changed. It retries by itself: "
                                           "try again in a moment."),
                         retry_after_ms=RETRY_MS)


