"""Address privacy in a cluster: which TURN servers a relay-only side's relay candidates
must name is checked on the sender's node only, before the signal is appended to the log
or relayed to the peer's node; every node applies the same type-only guard (store/
guards.py). Nodes that resolved the TURN hosts differently (round-robin DNS, a failed
lookup, TURN moved between node starts) no longer ack a signal on the sender's node and
drop it on the peer's."""
import pytest

from e2e.services import wait_for
from tests.support.sdp_samples import RELAY, RELAY_ADDRESS, RELAY_FROM
from tests.support.cluster_calls import in_a_call
from tests.support.privacy import candidates_sdp

TURN = {"TURN_URLS": ["turn:127.0.0.1:3478?transport=udp"], "TURN_SECRET": "s"}


def relay_only_call(n_ann, n_bob):
    """Ann (on n_ann) called Bob (on n_bob), who hides his address, and he accepted."""
    return in_a_call(n_ann, n_bob, hidden=True)


def received(tab, count):
    got = []
    wait_for(lambda: got.extend(tab.events("call:signal")) or len(got) >= count, 5,
             f"{count} call:signal on {tab.client_id}")
    return got


@pytest.mark.parametrize("direct", [True, False], ids=["direct-relay", "through-the-log"])
def test_a_signal_acked_on_the_senders_node_reaches_the_peer_whose_node_knows_other_addresses(
        nodes, direct):  # noqa: F811
    # n1 (Bob's) relays from RELAY_ADDRESS; n2 (Ann's) was told another address only.
    n1 = nodes("n1", TURN_RELAY_ADDRESSES=[RELAY_ADDRESS], CLUSTER_DIRECT_RELAY=direct, **TURN)
    n2 = nodes("n2", TURN_RELAY_ADDRESSES=["203.0.113.77"], CLUSTER_DIRECT_RELAY=direct, **TURN)
    ann, bob, call_id = relay_only_call(n2, n1)
    ann.clear()
    offer = {"type": "offer", "sdp": candidates_sdp(RELAY)}
    assert bob.ask("call:signal", {"callId": call_id, "description": offer})["ok"]
    assert bob.ask("call:signal", {"callId": call_id, "candidate": {"candidate": RELAY}})["ok"]
    got = received(ann, 2)
    assert got[0]["description"] == offer and got[1]["candidate"]["candidate"] == RELAY

    # The sender's node still refuses what its TURN servers do not relay from.
    for name, text in RELAY_FROM.items():
        refused = bob.ask("call:signal", {"callId": call_id, "candidate": {"candidate": text}})
        assert refused["ok"] is False and refused["error"]["code"] == "relay-required", name
