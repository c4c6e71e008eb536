"""Client events for trust marks (the safety code's "verified"): validate → store → ack.
Registered with `@handles` like handlers.py; storage is tlightchat/trust.py."""
from ..errors import Refusal
from ..protocol import handles


def _trust(ctx):
    if ctx.trust is None:
        raise Refusal("unavailable", "trust marks are not kept by this server")
    return ctx.trust


@handles("trust:set")
def trust_set(ctx, cid, p):
    online = p["peerUserId"] in ctx.store.get_state()["users"]
    return _trust(ctx).set(ctx.user_of(cid), p["peerUserId"], p["code"], p["verified"],
                           online=online)


@handles("trust:list")
def trust_list(ctx, cid, p):
    return {"marks": _trust(ctx).marks(ctx.user_of(cid))}
