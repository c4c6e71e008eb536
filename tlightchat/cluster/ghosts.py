"""Clients in the store that no socket serves and no grace deadline covers: ghosts.

Every client in the replicated store names the node serving it (`node`). A node knows
which of those it holds a socket for (connections.py); any other client that names it
and is not away is a ghost, shown `online` and callable on every node for ever:

- the node was SIGKILLed and its successor (same NODE_ID) started within the lapse, so
  the clock holder never saw it silent and never declared it lost;
- a connect whose append reached the log though its reply was lost (Redis stalled): the
  socket was refused, the entry applied later;
- a goodbye that could not be appended and was dropped.

So each node checks its own share: at start (everything an earlier incarnation of
this NODE_ID held is gone, as this process has no socket yet) and then every
`CHECK_EVERY` seconds, and declares what it finds away for the grace period (`nodes/
lost` naming those clients), as if this node had been lost for them: their browsers
resume anywhere with their tokens, or they leave when the grace runs out.
"""
CHECK_EVERY = 2.0  # seconds


def ghosts(state, node, bound, pending=()):
    """Ids of the clients `node` serves in `state` with no socket here (`bound`: client
    id → sid) and no departure waiting to be appended (`pending`: their ids)."""
    return sorted(c["id"] for c in state["clients"].values()
                  if c.get("node", "") == node and c["awayUntil"] is None
                  and c["id"] not in bound and c["id"] not in pending)
