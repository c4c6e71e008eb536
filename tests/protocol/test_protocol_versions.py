"""Issue 36.4 and 36.2: the protocol is versioned (docs/protocol.md, "Versions").

A client states its version at connect (`auth.protocol`, 1 when absent); the server keeps
a callee of version 1 — which ignores the ring's offer and waits for one after
call:started — working against a caller that prepared (the caller's call:started says
`resendOffer`). A page that was reloaded says so (`auth.reloaded`) when it resumes, and
the peer of each of its calls is told with call:peer-reloaded, before anything the
reloaded page sends (it decides the reload by this message, not by SDP session ids)."""
import pytest

from tlightchat.protocol import PROTOCOL_VERSION, validate_auth
from tlightchat.errors import Refusal

from tests.support.clients import Tab
from tests.support.calls import come_back, drop
from tests.support.ring_offer import ANSWER, OFFER, invite
from tests.support.calls import connect


def versioned_pair(app, clock, caller_version, callee_version):
    def open_tab(version):
        t = Tab(app, auth={"protocol": version} if version else None)
        t.anchor = t.new_anchor()
        return t
    ann, bob = open_tab(caller_version), open_tab(callee_version)
    ann.clear(), bob.clear()
    return ann, bob


def test_the_welcome_says_the_servers_version_and_it_is_past_prepared_calls(pair):
    ann, _ = pair
    assert ann.welcome["protocol"] == PROTOCOL_VERSION >= 3


@pytest.mark.parametrize("callee_version", [None, 1])
def test_a_version_1_callee_gets_the_prepared_callers_offer_after_call_started(app, clock, callee_version):
    ann, bob = versioned_pair(app, clock, PROTOCOL_VERSION, callee_version)
    inv = invite(ann, bob, offer=OFFER)["invitationId"]
    call_id = bob.ask("call:accept", {"invitationId": inv})["callId"]  # no answer: it does not prepare
    [started] = ann.events("call:started")
    assert started["resendOffer"] is True and started["initiator"] is True, started
    assert "resendOffer" not in bob.events("call:started")[0]
    # The caller sends the offer it prepared again; the callee answers it: one offer, one answer.
    assert ann.ask("call:signal", {"callId": call_id, "description": OFFER})["ok"]
    assert bob.events("call:signal") == [{"callId": call_id, "fromAnchorId": ann.anchor, "description": OFFER}]
    assert bob.ask("call:signal", {"callId": call_id, "description": ANSWER})["ok"]
    assert ann.events("call:signal")[0]["description"] == ANSWER


@pytest.mark.parametrize("with_answer", [True, False])
def test_a_callee_of_the_current_version_is_never_asked_for_a_second_offer(app, clock, with_answer):
    ann, bob = versioned_pair(app, clock, PROTOCOL_VERSION, PROTOCOL_VERSION)
    inv = invite(ann, bob, offer=OFFER)["invitationId"]
    accept = {"invitationId": inv, **({"answer": ANSWER} if with_answer else {})}
    assert bob.ask("call:accept", accept)["ok"]
    assert "resendOffer" not in ann.events("call:started")[0]


def test_without_a_ring_offer_nobody_is_asked_to_resend(app, clock):
    ann, bob = versioned_pair(app, clock, 1, 1)
    inv = invite(ann, bob)["invitationId"]
    assert bob.ask("call:accept", {"invitationId": inv})["ok"]
    assert "resendOffer" not in ann.events("call:started")[0]


@pytest.mark.parametrize("auth", [{"protocol": 0}, {"protocol": "3"}, {"protocol": 1001},
                                  {"protocol": True}, {"reloaded": 1}])
def test_a_malformed_version_or_reload_flag_is_refused(auth):
    with pytest.raises(Refusal) as err:
        validate_auth(auth)
    assert err.value.code == "invalid-payload"


def test_a_reloaded_page_that_resumes_is_announced_to_its_peer_before_its_signals(app, life, pair):
    ann, bob = pair
    call_id = connect(ann, bob)
    drop(life, bob)
    ann.clear()
    back = come_back(app, bob, reloaded=True, protocol=PROTOCOL_VERSION)
    assert back.welcome["resumed"] is True
    assert back.ask("call:signal", {"callId": call_id, "description": OFFER})["ok"]
    ann.names()
    assert ann.events("call:peer-reloaded") == [{"callId": call_id, "fromAnchorId": bob.anchor}]
    assert ann.order.index("call:peer-reloaded") < ann.order.index("call:signal")


def test_a_resume_after_a_network_drop_announces_nothing(app, life, pair):
    ann, bob = pair
    connect(ann, bob)
    drop(life, bob)
    ann.clear()
    come_back(app, bob, protocol=PROTOCOL_VERSION)
    assert ann.events("call:peer-reloaded") == []
