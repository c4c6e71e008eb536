"""Cluster test helpers: what a tab heard, a call across nodes, random actions for the log."""
import json

from e2e.services import wait_for
from tests.support.clients import Tab
from tests.support.privacy import hide
from tlightchat.store import actions as A


OFFER = {"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}


def heard(tab, event, predicate=lambda data: True, timeout=5.0):
    """Wait for `event` (delivered by the other node's log entry, so not at once)."""
    got = []

    def check():  # in a list: an event's payload may be empty ({}), which is falsy
        got.extend(tab.events(event))
        return next(([d] for d in got if predicate(d)), None)

    return wait_for(check, timeout, f"{event} on {tab.client_id}")[0]


def mentions(text):
    return lambda data: text in json.dumps(data)


def in_a_call(n_ann, n_bob, hidden=False):
    """Ann (on n_ann) called Bob (on n_bob) and he accepted; `hidden`: Bob hides his
    address (his side of the call is relay-only)."""
    ann, bob = Tab(n_ann), Tab(n_bob)
    if hidden:
        hide(bob)
    ann.anchor, bob.anchor = ann.new_anchor(), bob.new_anchor()
    heard(ann, "lobby:anchor", mentions(bob.anchor))
    inv = ann.ask("call:invite", {"fromAnchorId": ann.anchor, "toAnchorId": bob.anchor})
    assert inv["ok"], inv
    ring = heard(bob, "call:ring")
    accepted = bob.ask("call:accept", {"invitationId": ring["invitationId"]})
    assert accepted["ok"], accepted
    if hidden:
        assert heard(bob, "call:started")["relayOnly"] is True
    heard(ann, "call:started")
    return ann, bob, accepted["callId"]


NODES = ("n1", "n2", "n3")
CLIENTS = {"c1": "u1", "c2": "u2", "c3": "u3", "c4": "u1"}


def random_action(rng, now, node_name):
    """An action the realtime layer could make, on ids from a small universe, so many
    collide: two accepts of one ring, a hang-up of a call just ended, a resume on a
    node the client just left..."""
    cid = rng.choice(sorted(CLIENTS))
    anchor = f"{cid}.a{rng.randint(1, 2)}"
    peer = f"{rng.choice(sorted(CLIENTS))}.a{rng.randint(1, 2)}"
    inv, call = f"i{rng.randint(1, 4)}", f"k{rng.randint(1, 4)}"
    choices = [
        lambda: A.client_connected(cid, CLIENTS[cid], "Name " + cid, now, "", node_name),
        lambda: A.anchor_created(cid, anchor, "Slot"),
        lambda: A.anchor_online_set(cid, anchor, rng.random() < 0.8),
        lambda: A.invitation_created(cid, inv, anchor, peer, now, now + 30, call),
        lambda: A.invitation_accepted(cid, inv, call, now),
        lambda: A.invitation_declined(cid, inv),
        lambda: A.invitation_cancelled(cid, inv),
        lambda: A.call_signalled(cid, call, {"type": "offer", "sdp": "v=0"}),
        lambda: A.call_hung_up(cid, call),
        lambda: A.client_went_away(cid, now + 5, node_name),
        lambda: A.client_resumed(cid, CLIENTS[cid], node_name),
        lambda: A.client_disconnected(cid, node_name),
        lambda: A.clock_ticked(now),
        lambda: A.node_lost(rng.choice(NODES), now + 5, rng.sample(sorted(CLIENTS), 2)),
    ]
    weights = [3, 4, 3, 5, 4, 1, 1, 2, 1, 1, 1, 1, 2, 1]
    return rng.choices(choices, weights)[0]()
