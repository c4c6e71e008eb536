"""Client events for trust marks (the safety code's "verified"): validate → store → ack.
Registered with `@handles` like handlers.py; storage is tlightchat/trust.py."""
from ..errors import Refusal
from ..protocol import handles


def _trust(hub):
    if hub.trust is None:
        raise Refusal("unavailable", "trust marks are not kept by this server")
    return hub.trust


@handles("trust:set")
def trust_set(hub, cid, p):
    online = p["peerUserId"] in hub.store.get_state()["users"]
    return _trust(hub).set(hub.user_of(cid), p["peerUserId"], p["code"], p["verified"],
                           online=online)


@handles("trust:list")
def trust_list(hub, cid, p):
    return {"marks": _trust(hub).marks(hub.user_of(cid))}
