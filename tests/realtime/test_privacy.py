"""Address privacy: a relay-only side of a call may send only TURN relay candidates
(the store's guard of calls/signalled), and who is relay-only is decided from the
user's setting, the admin default and TURN being configured (tlightchat/privacy.py)."""
import pytest

from tlightchat.errors import Refusal
from tlightchat.store import actions as A
from tlightchat.store import create_store

from tests.support import sdp_samples as samples
from tests.support.clients import Tab, form_token
from tests.support.sdp_samples import (HOST, PRFLX, RELAY, RELAY_ADDRESS, RELAY_FROM,
                          SDP_ATTACKS, SRFLX, TRICKLE_ATTACKS, attacked)
from tests.support.privacy import candidates_sdp, hide, start_call, turn_app


def call_store(relay_only):
    """Ann (c1, anchor a1) called Bob (c2, anchor b1) and he accepted; `relay_only`
    names the anchors in privacy mode."""
    store = create_store()
    for cid, uid, aid in (("c1", "u1", "c1.a1"), ("c2", "u2", "c2.b1")):
        store.dispatch(A.client_connected(cid, uid, uid, 1.0))
        store.dispatch(A.anchor_created(cid, aid, "Slot 1"))
        store.dispatch(A.anchor_online_set(cid, aid, True))
    store.dispatch(A.invitation_created("c1", "i1", "c1.a1", "c2.b1", 1.0, 31.0, "x"))
    store.dispatch(A.invitation_accepted("c2", "i1", "k1", 2.0, relay_only))
    return store


def signal(store, client, **fields):
    store.dispatch(A.call_signalled(client, "k1", **fields))


@pytest.mark.parametrize("line", [HOST, SRFLX, PRFLX, "candidate:9 1 udp 1 10.0.0.1 9 typ"])
def test_a_relay_only_side_may_not_trickle_a_non_relay_candidate(line):
    store = call_store(["c2.b1"])
    before = store.get_state()
    with pytest.raises(Refusal) as err:
        signal(store, "c2", candidate={"candidate": line, "sdpMid": "0"})
    assert err.value.code == "relay-required"
    assert store.get_state() is before


def test_a_relay_only_side_may_send_relay_and_end_of_candidates():
    store = call_store(["c2.b1"])
    signal(store, "c2", candidate={"candidate": RELAY, "sdpMid": "0"})
    signal(store, "c2", candidate={"candidate": "", "sdpMid": "0"})


@pytest.mark.parametrize("candidates", [(HOST,), (RELAY, SRFLX), (RELAY, HOST, RELAY)])
def test_a_relay_only_side_may_not_put_a_non_relay_candidate_in_its_sdp(candidates):
    store = call_store(["c1.a1"])
    with pytest.raises(Refusal) as err:
        signal(store, "c1", description={"type": "offer", "sdp": candidates_sdp(*candidates)})
    assert err.value.code == "relay-required"
    assert not store.get_state()["calls"]["k1"]["offers"]["c1.a1"]["c2.b1"]  # the offer never counted


def test_a_relay_only_sdp_with_relay_candidates_or_none_passes():
    store = call_store(["c1.a1"])
    signal(store, "c1", description={"type": "offer", "sdp": candidates_sdp(RELAY, RELAY)})
    signal(store, "c1", description={"type": "offer", "sdp": candidates_sdp()})


def test_the_other_side_and_calls_without_privacy_are_not_limited():
    store = call_store(["c2.b1"])  # only Bob hides his address
    signal(store, "c1", candidate={"candidate": HOST})
    signal(store, "c1", description={"type": "offer", "sdp": candidates_sdp(HOST, SRFLX)})
    plain = call_store([])
    signal(plain, "c2", candidate={"candidate": SRFLX})


# -- who is relay-only: through real sockets ---------------------------------------------

OFFER_HOST = {"type": "offer", "sdp": candidates_sdp(HOST)}


@pytest.mark.storage
def test_the_setting_makes_that_side_relay_only_and_the_server_refuses_its_host_candidates(database_url):
    app = turn_app(database_url)
    ann, bob = Tab(app), Tab(app)
    hide(bob)
    assert 'id="hideAddress" name="hideAddress"\n    checked' in bob.browser.get("/me").get_data(as_text=True)
    call_id, a_start, b_start = start_call(ann, bob)
    assert (a_start["relayOnly"], b_start["relayOnly"]) == (False, True)
    refused = bob.ask("call:signal", {"callId": call_id, "candidate": {"candidate": HOST}})
    assert refused["error"]["code"] == "relay-required"
    assert ann.events("call:signal") == []  # nothing reached the peer
    assert bob.ask("call:signal", {"callId": call_id, "candidate": {"candidate": RELAY}})["ok"]
    assert ann.ask("call:signal", {"callId": call_id, "description": OFFER_HOST})["ok"]


@pytest.mark.storage
def test_the_admin_default_applies_to_users_who_never_chose(database_url):
    app = turn_app(database_url, RELAY_FOR_STRANGERS=True)
    _, a_start, b_start = start_call(Tab(app), Tab(app))
    assert a_start["relayOnly"] and b_start["relayOnly"]


@pytest.mark.storage
def test_without_turn_the_setting_is_unavailable_and_applies_to_nobody(app):
    ann, bob = Tab(app), Tab(app)
    page = bob.browser.get("/me").get_data(as_text=True)
    assert 'data-available="false"' in page and "Unavailable" in page and "disabled" in page
    token = form_token(bob.browser, "/me")
    assert bob.browser.post("/me", data={"csrf_token": token, "form": "privacy",
                                         "hideAddress": "on"}).status_code == 400
    app.config["RELAY_FOR_STRANGERS"] = True  # even with the default on: no relay, no privacy
    _, a_start, b_start = start_call(ann, bob)
    assert not a_start["relayOnly"] and not b_start["relayOnly"]


@pytest.mark.storage
def test_a_guest_that_has_only_seen_pages_can_save_the_setting(database_url):
    """Guests are stored on first use (issue 12): saving the setting is one."""
    from tlightchat.db import User

    app = turn_app(database_url)
    browser = app.test_client()
    browser.get("/me")  # a page view: the guest is in the cookie only
    token = form_token(browser, "/me")
    response = browser.post("/me", data={"form": "privacy", "hideAddress": "on",
                                         "csrf_token": token})
    assert response.status_code == 302
    with app.extensions["tlightchat"].db.session() as s:
        assert [u.hide_address for u in s.query(User).all()] == [True]
    assert "Privacy setting saved" in browser.get("/me").get_data(as_text=True)


# -- issue 23 item 2: through the server, every spelling that could name a hidden address -

def relay_only_call(database_url):
    """Ann called Bob, who hides his address (relay-only), and he accepted."""
    app = turn_app(database_url, RATE_LIMIT_BURST=1000)
    ann, bob = Tab(app), Tab(app)
    hide(bob)
    call_id, _, b_start = start_call(ann, bob)
    assert b_start["relayOnly"] is True
    ann.clear()
    return ann, bob, call_id


def test_a_relay_only_side_trickling_a_hidden_address_in_any_spelling_is_refused(database_url):
    ann, bob, call_id = relay_only_call(database_url)
    for name, candidate in TRICKLE_ATTACKS.items():
        refused = bob.ask("call:signal", {"callId": call_id, "candidate": candidate})
        assert refused["ok"] is False and refused["error"]["code"] == "relay-required", (name, refused)
        assert ann.events("call:signal") == [], name  # nothing reached the peer
    good = {"candidate": samples.RELAY, "sdpMid": "0", "usernameFragment": "Zx9q"}
    assert bob.ask("call:signal", {"callId": call_id, "candidate": good})["ok"]
    assert [s["candidate"] for s in ann.events("call:signal")] == [good]


def test_a_relay_only_sdp_naming_a_hidden_address_in_any_spelling_is_refused(database_url):
    ann, bob, call_id = relay_only_call(database_url)
    for name, line in SDP_ATTACKS.items():
        offer = {"type": "offer", "sdp": attacked(samples.answer_with(samples.RELAY), line)}
        refused = bob.ask("call:signal", {"callId": call_id, "description": offer})
        assert refused["ok"] is False and refused["error"]["code"] == "relay-required", (name, refused)
        assert ann.events("call:signal") == [], name
    relayed = {"type": "offer", "sdp": samples.answer_with(samples.RELAY, connection="198.51.100.9")}
    assert bob.ask("call:signal", {"callId": call_id, "description": relayed})["ok"]
    assert [s["description"] for s in ann.events("call:signal")] == [relayed]


def test_a_relay_only_callees_answer_naming_a_hidden_address_starts_nothing(database_url):
    app = turn_app(database_url, RATE_LIMIT_BURST=1000)
    ann, bob = Tab(app), Tab(app)
    hide(bob)
    ann.anchor, bob.anchor = ann.new_anchor(), bob.new_anchor()
    offer = {"type": "offer", "sdp": samples.CHROMIUM_OFFER}
    inv = ann.ask("call:invite", {"fromAnchorId": ann.anchor, "toAnchorId": bob.anchor,
                                  "offer": offer})["invitationId"]
    for name, line in SDP_ATTACKS.items():
        answer = {"type": "answer", "sdp": attacked(samples.answer_with(samples.RELAY), line)}
        refused = bob.ask("call:accept", {"invitationId": inv, "answer": answer})
        assert refused["ok"] is False and refused["error"]["code"] == "relay-required", (name, refused)
        assert ann.events("call:started") == [] and ann.events("call:signal") == [], name
    answer = {"type": "answer", "sdp": samples.answer_with(samples.RELAY, connection="198.51.100.9")}
    assert bob.ask("call:accept", {"invitationId": inv, "answer": answer})["ok"]
    assert ann.events("call:signal")[0]["description"] == answer


@pytest.mark.storage
def test_relay_candidates_must_come_from_our_turn_servers_relay_addresses(database_url):
    """Relay addresses: the TURN_URLS hosts (resolved at start) and TURN_RELAY_ADDRESSES;
    a candidate that only says `typ relay` names any other address in vain."""
    ann, bob, call_id = relay_only_call(database_url)
    from_url_host = RELAY.replace(RELAY_ADDRESS, "127.0.0.1")  # turn_app's TURN_URLS host
    for good in (RELAY, from_url_host):
        assert bob.ask("call:signal", {"callId": call_id, "candidate": {"candidate": good}})["ok"]
    for name, text in RELAY_FROM.items():
        refused = bob.ask("call:signal", {"callId": call_id, "candidate": {"candidate": text}})
        assert refused["ok"] is False and refused["error"]["code"] == "relay-required", (name, refused)
        answer = {"type": "offer", "sdp": candidates_sdp(text)}
        refused = bob.ask("call:signal", {"callId": call_id, "description": answer})
        assert refused["ok"] is False and refused["error"]["code"] == "relay-required", (name, refused)
    assert [s["candidate"]["candidate"] for s in ann.events("call:signal")] == [RELAY, from_url_host]
