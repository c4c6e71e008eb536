"""A small world for store tests: clients, anchors and a ring, built by dispatching actions."""
from tlightchat.store import actions as A
from tlightchat.store.reducers import root_reducer


def world():
    """Two clients (u1/c1 with anchor a1, u2/c2 with anchors b1, b2), all online."""
    s = None
    for action in [
        A.client_connected("c1", "u1", "Ann", 1.0),
        A.client_connected("c2", "u2", "Bob", 1.0),
        A.anchor_created("c1", "a1", "A one"),
        A.anchor_created("c2", "b1", "B one"),
        A.anchor_created("c2", "b2", "B two"),
        A.anchor_online_set("c1", "a1", True),
        A.anchor_online_set("c2", "b1", True),
        A.anchor_online_set("c2", "b2", True),
    ]:
        s = root_reducer(s, action)
    return s


def invite(iid="i1", frm="a1", to="b1", actor="c1", now=10.0, ttl=30.0, call_id="k-glare"):
    return A.invitation_created(actor, iid, frm, to, now, now + ttl, call_id)
