"""Who joined and who left a group call, for its conversation (issue 26; chat/groups.py).

`entries(action, prev, next, now)` is pure: the `call-joined` / `call-left` entries one
store change makes. The call log (chat/calllog.py) records them with the pair calls'
entries, by the same worker, after the same delay; the chat service stores each once per
(call, user, kind), so a change seen twice (a replay, two nodes) records nothing more.

- A call that gets its third party becomes a group: every party is recorded as joined
  (the first two when the call started, the newcomer now), which makes the conversation
  and its members. Each later newcomer: joined, now.
- A party that leaves a call that was a group (it had three or more parties at that
  moment): left, with `reason` (`hangup` when it hung up, else `peer-left`). So are the
  last parties when the call ends. A call of two parties that was never a group leaves
  nothing here, but the store keeps no memory of a call's past size: so when a call of
  two ends or loses a party, the entry is marked `if_group` and recorded only if the
  call's conversation exists (one read, off the store's lock).
"""
from collections import namedtuple

from ..store import actions as A

# `parties`: the users in the call after the change; they are members when this entry
# is delivered (so each of them hears of everyone who joined with them).
GroupEntry = namedtuple("GroupEntry", "kind user_id call_id at details if_group parties")
GROUP_SIZE = 3


def _user(nxt, prev, call, anchor_id):
    client_id = call["clients"].get(anchor_id)
    client = nxt["clients"].get(client_id) or prev["clients"].get(client_id)
    return client and client["userId"]


def entries(action, prev, nxt, now):
    """[GroupEntry], in the order they happened."""
    if prev["calls"] is nxt["calls"] or action["type"] == A.CALL_CLAIMED:
        return []  # (a call restored after a server restart: nobody joined or left)
    out = []
    reason = {"reason": "hangup" if action["type"] == A.CALL_HUNG_UP else "peer-left"}
    for call_id, call in nxt["calls"].items():
        before = prev["calls"].get(call_id)
        parties = call["parties"]
        users = tuple(u for u in (_user(nxt, prev, call, a) for a in parties) if u)
        was = before["parties"] if before is not None else ()
        if before is not None and was is not parties:
            for anchor_id in was:
                if anchor_id not in parties:
                    out.append(GroupEntry("call-left", _user(nxt, prev, before, anchor_id),
                                          call_id, now, reason, len(was) < GROUP_SIZE, users))
        if len(parties) < GROUP_SIZE:
            continue
        if len(was) < GROUP_SIZE:  # a group from now on: everyone joined
            for n, anchor_id in enumerate(parties):
                at = call["startedAt"] if n < 2 and anchor_id in was else now
                out.append(GroupEntry("call-joined", _user(nxt, prev, call, anchor_id),
                                      call_id, at, {}, False, users))
        else:
            for anchor_id in parties:
                if anchor_id not in was:
                    out.append(GroupEntry("call-joined", _user(nxt, prev, call, anchor_id),
                                          call_id, now, {}, False, users))
    for call_id, call in prev["calls"].items():
        if call_id not in nxt["calls"]:
            for anchor_id in call["parties"]:
                out.append(GroupEntry("call-left", _user(nxt, prev, call, anchor_id), call_id,
                                      now, reason, len(call["parties"]) < GROUP_SIZE, ()))
    return [e for e in out if e.user_id]
