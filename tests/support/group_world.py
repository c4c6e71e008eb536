"""Group calls in the store: a world of people (one tab, one anchor each, protocol 4),
on the in-memory store or the replicated one (a real Redis), and the steps of a call."""
import json

from tlightchat.store import actions as A
from tlightchat.store import create_store
from tlightchat.store.reducers import plain

PEOPLE = ("a", "b", "c", "d", "e", "f", "g")


def memory_store(max_parties=6):
    return create_store(8, max_parties)


def replicated_store(redis_url, max_parties=6, name="n1"):
    from tlightchat.cluster.log import ReplicatedStore
    from tests.support.cluster import connect

    replica = ReplicatedStore(create_store(8, max_parties), connect(redis_url), name, "g")
    replica.join()
    return replica


def populate(store, people=PEOPLE, protocol=4, now=1.0):
    """Client `c<x>` of user `u<x>` with anchor `<x>1`, online, for each person x."""
    for x in people:
        store.dispatch(A.client_connected(f"c{x}", f"u{x}", x.upper() + "nn", now,
                                          protocol=protocol))
        store.dispatch(A.anchor_created(f"c{x}", f"{x}1", "Slot"))
        store.dispatch(A.anchor_online_set(f"c{x}", f"{x}1", True))
    return store


def ring(store, frm, to, iid, now=10.0, relay_only=(), call_id="unused"):
    """`frm` rings `to` (into frm's call when frm is in one)."""
    store.dispatch(A.invitation_created(f"c{frm}", iid, f"{frm}1", f"{to}1", now, now + 30,
                                        call_id, relay_only))


def accept(store, who, iid, call_id="k1", now=11.0, pair_relay=None):
    inv = store.get_state()["invitations"][iid]
    if pair_relay is None and inv.get("callId"):  # no one hides from the newcomer
        pair_relay = {p: [] for p in store.get_state()["calls"][inv["callId"]]["parties"]}
    store.dispatch(A.invitation_accepted(f"c{who}", iid, call_id, now,
                                         pair_relay_only=pair_relay))


def group(store, *people, call_id="k1"):
    """A live call of these people: the first calls the second, then adds the rest."""
    first, second, *rest = people
    ring(store, first, second, f"i-{second}")
    accept(store, second, f"i-{second}", call_id)
    for x in rest:
        ring(store, first, x, f"i-{x}")
        accept(store, x, f"i-{x}")
    return call_id


def same(state):
    return json.dumps(state, sort_keys=True, default=plain)


def group_call(state, call_id, tabs, started_at=100.0):
    """`state` with a call whose parties are the tabs' anchors, in order."""
    parties = tuple(t.anchor for t in tabs)
    call = {"id": call_id, "parties": parties, "startedAt": started_at,
            "clients": {t.anchor: t.client_id for t in tabs}}
    return {**state, "calls": {**state["calls"], call_id: call}}
