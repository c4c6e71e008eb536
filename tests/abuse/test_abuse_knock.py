"""Knocking on a running call (issue 27; docs/protocol.md, "Knocking on a running call"):
admit, deny, one answer for all, an ended call, a full call, timeouts, floods, guessing,
blocks, and the join link's page. Across cluster nodes: tests/cluster/test_cluster_knock.py."""
import secrets

import pytest

from tlightchat import create_app
from tests.support.clients import Tab, form_token


@pytest.fixture
def app(database_url):
    return create_app({"DATABASE_URL": database_url, "TESTING": True,
                       "CALL_LINK_VISITS_PER_ADDRESS": 12, "CALL_LINK_VISIT_WINDOW": 600,
                       "MAX_CALL_PARTIES": 3})


def ok(ack):
    assert ack["ok"], ack
    return ack


def person(app, name):
    t = Tab(app, auth={"protocol": 4})
    t.anchor = t.new_anchor(name)
    return t


@pytest.fixture
def call(app, clock):
    """Ann and Bob in a call; Ann's join link; Cat, a fresh browser with a free slot."""
    ann, bob, cat = person(app, "Ann slot"), person(app, "Bob slot"), person(app, "Cat slot")
    inv = ok(ann.ask("call:invite", {"fromAnchorId": ann.anchor, "toAnchorId": bob.anchor}))
    ok(bob.ask("call:accept", {"invitationId": inv["invitationId"]}))
    link = ok(ann.ask("knock:link", {"anchorId": ann.anchor}))
    for t in (ann, bob, cat):
        t.clear()
    return ann, bob, cat, link


def knock(t, link):
    return t.ask("knock:ask", {"token": link["token"], "fromAnchorId": t.anchor})


def test_a_knock_is_seen_by_every_party_and_admitted_into_the_call(call):
    ann, bob, cat, link = call
    asked = ok(knock(cat, link))
    assert asked["callId"] == link["callId"]
    for party in (ann, bob):
        [seen] = party.events("knock:asked")
        assert seen["knockId"] == asked["knockId"] and seen["anchorId"] == party.anchor
        assert seen["from"]["userId"] == cat.user_id and seen["from"]["anchorId"] == cat.anchor
    admitted = ok(bob.ask("knock:answer", {"knockId": asked["knockId"], "admit": True}))
    [ring] = cat.events("call:ring")  # the group call's own add path: a ring into the call
    assert ring["invitationId"] == admitted["invitationId"]
    assert ring["call"]["callId"] == link["callId"]
    [ended] = cat.events("knock:ended")
    assert ended["reason"] == "admitted" and ended["invitationId"] == admitted["invitationId"]
    for party in (ann, bob):
        assert [e["reason"] for e in party.events("knock:ended")] == ["admitted"]
    ok(cat.ask("call:accept", {"invitationId": ring["invitationId"]}))
    [started] = cat.events("call:started")
    assert sorted(p["peer"]["anchorId"] for p in started["parties"]) == sorted([ann.anchor, bob.anchor])
    # one answer settles it for all: a second answer finds nothing
    late = ann.ask("knock:answer", {"knockId": asked["knockId"], "admit": False})
    assert late["error"]["code"] == "not-found"


def test_a_denied_knock_tells_the_knocker_and_admits_nobody(app, call):
    ann, bob, cat, link = call
    asked = ok(knock(cat, link))
    ok(ann.ask("knock:answer", {"knockId": asked["knockId"], "admit": False}))
    assert [e["reason"] for e in cat.events("knock:ended")] == ["denied"]
    assert [e["reason"] for e in bob.events("knock:ended")] == ["denied"]
    assert cat.events("call:ring") == []
    # a denied person knocks no more through this link (no alert for every party at
    # each try), told in the deny's own words; anybody else still may
    ann.clear(), bob.clear()
    again = knock(cat, link)
    assert again["error"]["code"] == "forbidden"
    assert again["error"]["message"].startswith("You were not let in")
    assert ann.events("knock:asked") == [] and bob.events("knock:asked") == []
    ok(knock(person(app, "Dan slot"), link))


def test_only_a_party_answers_and_one_knock_at_a_time(app, call):
    ann, bob, cat, link = call
    asked = ok(knock(cat, link))
    assert knock(cat, link)["error"]["code"] == "invalid-state"  # one open knock
    dan = person(app, "Dan slot")
    refused = dan.ask("knock:answer", {"knockId": asked["knockId"], "admit": True})
    assert refused["error"]["code"] == "forbidden"
    assert cat.events("call:ring") == [] and cat.events("knock:ended") == []


def test_a_knock_nobody_answers_ends_at_the_ring_timeout(app, call, clock, life):
    ann, bob, cat, link = call
    ok(knock(cat, link))
    clock.advance(app.config["RING_TIMEOUT"] + 1)
    life.tick()
    assert [e["reason"] for e in cat.events("knock:ended")] == ["timeout"]
    assert [e["reason"] for e in ann.events("knock:ended")] == ["timeout"]


def test_a_knock_on_an_ended_call_says_so_and_the_link_is_off(app, call):
    ann, bob, cat, link = call
    asked = ok(knock(cat, link))
    ok(ann.ask("call:hangup", {"callId": link["callId"]}))
    assert [e["reason"] for e in cat.events("knock:ended")] == ["ended"]
    again = knock(cat, link)
    assert again["error"]["code"] == "unavailable" and "ended" in again["error"]["message"]
    page = app.test_client().get(f"/join/{link['token']}")
    assert page.status_code == 410 and "This call has ended" in page.get_data(as_text=True)
    assert asked["knockId"] not in (app.extensions["tlightchat"].context.store.get_state()["knocks"])


def test_a_full_call_refuses_the_admission_with_call_full(app, call):
    ann, bob, cat, link = call
    dan = person(app, "Dan slot")
    asked = ok(knock(cat, link))
    ok(ann.ask("knock:answer", {"knockId": asked["knockId"], "admit": True}))
    [ring] = cat.events("call:ring")
    ok(cat.ask("call:accept", {"invitationId": ring["invitationId"]}))  # three: the limit
    second = ok(knock(dan, link))
    full = bob.ask("knock:answer", {"knockId": second["knockId"], "admit": True})
    assert full["error"]["code"] == "call-full"
    assert [e["reason"] for e in dan.events("knock:ended")] == ["call-full"]
    assert dan.events("call:ring") == []


def test_guessed_tokens_are_unknown_and_counted_per_address(app, call):
    ann, bob, cat, link = call
    for _ in range(12):
        wrong = cat.ask("knock:ask", {"token": secrets.token_urlsafe(24), "fromAnchorId": cat.anchor})
        assert wrong["error"]["code"] in ("not-found", "rate-limited")
    stopped = knock(cat, link)  # the real link too, once the address is over its count
    assert stopped["error"]["code"] == "rate-limited" and stopped["error"]["retryAfterMs"] > 0
    assert app.test_client().get(f"/join/{link['token']}").status_code == 429
    assert ann.events("knock:asked") == []


def test_a_flood_of_knockers_through_one_link_is_stopped(app, call):
    ann, bob, cat, link = call
    knockers = [cat] + [person(app, f"K{i}") for i in range(10)]
    answers = [knock(k, link) for k in knockers]  # 11 from one address: under its 12
    codes = [a["ok"] or a["error"]["code"] for a in answers]
    assert codes == [True] * 10 + ["rate-limited"]  # 10 a minute through one link
    assert answers[-1]["error"]["retryAfterMs"] > 0
    assert len(ann.events("knock:asked")) == 10


def test_a_person_blocked_by_a_party_is_refused_as_if_the_call_had_ended(call):
    ann, bob, cat, link = call
    ok(bob.ask("safety:block", {"userId": cat.user_id}))
    refused = knock(cat, link)
    assert refused["error"]["code"] == "unavailable"
    assert "ended" in refused["error"]["message"]  # the ended call's sentence: no oracle
    assert ann.events("knock:asked") == [] and bob.events("knock:asked") == []


def test_the_join_page_tells_a_blocked_person_the_call_has_ended(app, call):
    ann, bob, cat, link = call
    ok(bob.ask("safety:block", {"userId": cat.user_id}))
    page = cat.browser.get(f"/join/{link['token']}")
    assert page.status_code == 410 and "This call has ended" in page.get_data(as_text=True)
    assert 'id="join-knock"' not in page.get_data(as_text=True)
    assert app.test_client().get(f"/join/{link['token']}").status_code == 200  # others: as before


def test_a_join_link_is_only_made_in_a_call_and_its_page_asks_to_join(app, call):
    ann, bob, cat, link = call
    assert len(link["token"]) == 32 and link["expiresAt"] > 0
    assert cat.ask("knock:link", {"anchorId": cat.anchor})["error"]["code"] == "invalid-state"
    assert cat.ask("knock:link", {"anchorId": ann.anchor})["error"]["code"] == "forbidden"
    page = app.test_client().get(f"/join/{link['token']}")
    assert page.status_code == 200 and 'id="join-knock"' in page.get_data(as_text=True)
    assert app.test_client().get("/join/" + "A" * 32).status_code == 404
    state = app.extensions["tlightchat"].context.store.get_state()
    assert link["token"] not in repr(state)  # the store keeps its hash only



def test_an_admitted_knocker_is_a_stranger_for_address_privacy(database_url):
    from tests.support.privacy import turn_app

    app = turn_app(database_url, RELAY_FOR_STRANGERS=True)  # everyone hides from strangers
    ann, bob, cat = person(app, "Ann slot"), person(app, "Bob slot"), person(app, "Cat slot")
    inv = ok(ann.ask("call:invite", {"fromAnchorId": ann.anchor, "toAnchorId": bob.anchor}))
    ok(bob.ask("call:accept", {"invitationId": inv["invitationId"]}))
    link = ok(ann.ask("knock:link", {"anchorId": ann.anchor}))
    asked = ok(knock(cat, link))
    ok(ann.ask("knock:answer", {"knockId": asked["knockId"], "admit": True}))
    [ring] = cat.events("call:ring")
    assert ring["relayOnly"] is True  # nobody verified the knocker: relay only
    ok(cat.ask("call:accept", {"invitationId": ring["invitationId"]}))
    [started] = cat.events("call:started")
    assert started["relayOnly"] and all(p["relayOnly"] for p in started["parties"])


def test_an_admission_refused_for_the_admitter_alone_leaves_the_knock_open(database_url, clock):
    """The admitter's own ring limit (`rate-limited`) is theirs: the knock still waits
    and another party admits it."""
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "RING_RATE_PER_MINUTE": 1})
    ann, bob, cat = person(app, "Ann slot"), person(app, "Bob slot"), person(app, "Cat slot")
    inv = ok(ann.ask("call:invite", {"fromAnchorId": ann.anchor, "toAnchorId": bob.anchor}))
    ok(bob.ask("call:accept", {"invitationId": inv["invitationId"]}))  # Ann's one ring
    link = ok(ann.ask("knock:link", {"anchorId": ann.anchor}))
    asked = ok(knock(cat, link))
    limited = ann.ask("knock:answer", {"knockId": asked["knockId"], "admit": True})
    assert limited["error"]["code"] == "rate-limited"
    assert cat.events("knock:ended") == [] and bob.events("knock:ended") == []
    admitted = ok(bob.ask("knock:answer", {"knockId": asked["knockId"], "admit": True}))
    [ring] = cat.events("call:ring")
    assert ring["invitationId"] == admitted["invitationId"]


def test_an_admission_lets_the_admitter_ring_only_into_the_call(app, call):
    """Admitting rings the knocker into the call past their "who may ring me" (they
    asked), and grants nothing more: another line of the knocker stays closed to them."""
    ann, bob, cat, link = call
    ok(cat.ask("safety:set", {"ringPolicy": "nobody"}))
    asked = ok(knock(cat, link))
    ok(ann.ask("knock:answer", {"knockId": asked["knockId"], "admit": True}))
    assert len(cat.events("call:ring")) == 1
    other, free = cat.new_anchor("Cat other"), ann.new_anchor("Ann other")
    outside = ann.ask("call:invite", {"fromAnchorId": free, "toAnchorId": other})
    assert outside["error"]["code"] == "unavailable"
    assert cat.events("call:ring") == []


def cancel(t, knock_id):
    return t.ask("knock:cancel", {"knockId": knock_id})


def test_the_knocker_withdraws_and_every_party_sees_the_knock_end(app, call):
    """Cancel: only the knocker's own open knock, once; the parties' ask goes at once."""
    ann, bob, cat, link = call
    asked = ok(knock(cat, link))
    for party in (ann, bob):  # a party knows the knockId: it is still not theirs
        assert cancel(party, asked["knockId"])["error"]["code"] == "forbidden"
    other_tab = cat.second_tab()  # the same person, another tab: not the one that knocked
    assert cancel(other_tab, asked["knockId"])["error"]["code"] == "forbidden"
    assert ann.events("knock:ended") == [] and bob.events("knock:ended") == []
    assert ok(cancel(cat, asked["knockId"])) == {"ok": True}
    for t in (ann, bob, cat):
        assert [e["reason"] for e in t.events("knock:ended")] == ["withdrawn"]
    assert cancel(cat, asked["knockId"])["error"]["code"] == "not-found"  # twice
    late = bob.ask("knock:answer", {"knockId": asked["knockId"], "admit": True})
    assert late["error"]["code"] == "not-found" and cat.events("call:ring") == []
    ok(knock(cat, link))  # a withdrawn knock is no deny: the knocker may ask again


@pytest.mark.parametrize("admit", [False, True])
def test_a_knock_answered_already_cannot_be_withdrawn(call, admit):
    ann, bob, cat, link = call
    asked = ok(knock(cat, link))
    ok(ann.ask("knock:answer", {"knockId": asked["knockId"], "admit": admit}))
    ann.clear(), bob.clear()
    assert cancel(cat, asked["knockId"])["error"]["code"] == "not-found"
    assert ann.events("knock:ended") == [] and bob.events("knock:ended") == []
    assert len(cat.events("call:ring")) == int(admit)


@pytest.mark.parametrize("payload", [{}, {"knockId": 7}, {"knockId": "k" * 500},
                                     {"knockId": "abc", "extra": 1}])
def test_a_malformed_cancel_is_refused(call, payload):
    ann, bob, cat, link = call
    ok(knock(cat, link))
    assert cat.ask("knock:cancel", payload)["error"]["code"] == "invalid-payload"
    assert ann.events("knock:ended") == []


def test_a_knocker_whose_page_goes_ends_the_knock_for_the_parties(call):
    """The page going says goodbye (its socket disconnects): the knock ends as `left`."""
    ann, bob, cat, link = call
    ok(knock(cat, link))
    cat.sio.disconnect()
    for party in (ann, bob):
        assert [e["reason"] for e in party.events("knock:ended")] == ["left"]


def join_link_ids(t):
    import re
    return re.findall(r'data-join-link-id="([0-9a-f]{64})"', t.browser.get("/me").get_data(as_text=True))


def turn_off(t, link_id):
    """The /me form's post; the page it goes back to (/me, with what it says)."""
    csrf = form_token(t.browser, "/me")
    posted = t.browser.post(f"/me/join-links/{link_id}/revoke", data={"csrf_token": csrf})
    assert posted.status_code == 303 and posted.headers["Location"].endswith("me")
    return t.browser.get("/me")


def test_the_maker_sees_their_join_link_on_me_and_only_they_turn_it_off(app, call):
    ann, bob, cat, link = call
    [link_id] = join_link_ids(ann)
    page = ann.browser.get("/me").get_data(as_text=True)
    bob_name = app.extensions["tlightchat"].context.store.get_state()["users"][bob.user_id]["displayName"]
    assert bob_name in page and link["token"] not in page  # whose call; never the token
    assert join_link_ids(bob) == [] and join_link_ids(cat) == []  # nobody else sees it
    refused = turn_off(bob, link_id)  # a party, not its maker
    assert "No such join link of yours" in refused.get_data(as_text=True)
    assert turn_off(cat, "f" * 64).status_code == 200 and ok(knock(cat, link))  # still works
    assert ann.browser.post(f"/me/join-links/{link_id}/revoke").status_code == 400  # no CSRF token
    assert join_link_ids(ann) == [link_id]


def test_a_join_link_turned_off_ends_its_knocks_and_refuses_everyone_with_its_sentence(app, call):
    """Admitted before, denied before, knocking now: once the maker turns the link off,
    everybody hears that sentence (not the deny's), and an open knock ends for all."""
    ann, bob, cat, link = call
    dan, eve = person(app, "Dan slot"), person(app, "Eve slot")
    asked = ok(knock(eve, link))
    ok(bob.ask("knock:answer", {"knockId": asked["knockId"], "admit": True}))
    ok(eve.ask("call:accept", {"invitationId": eve.events("call:ring")[0]["invitationId"]}))
    ok(eve.ask("call:hangup", {"callId": link["callId"]}))  # admitted, then left: the call goes on
    denied = ok(knock(dan, link))
    ok(ann.ask("knock:answer", {"knockId": denied["knockId"], "admit": False}))
    open_knock = ok(knock(cat, link))
    for t in (ann, bob, cat):
        t.clear()
    [link_id] = join_link_ids(ann)
    assert "Join link turned off" in turn_off(ann, link_id).get_data(as_text=True)
    for t in (ann, bob, cat):
        assert [e["reason"] for e in t.events("knock:ended")] == ["revoked"]
    late = bob.ask("knock:answer", {"knockId": open_knock["knockId"], "admit": True})
    assert late["error"]["code"] == "not-found" and cat.events("call:ring") == []
    for t in (cat, dan, eve):
        again = knock(t, link)
        assert again["error"]["code"] == "not-found", again
        assert again["error"]["message"].startswith("This join link was turned off")
    page = app.test_client().get(f"/join/{link['token']}")
    assert page.status_code == 410 and "was turned off" in page.get_data(as_text=True)
    assert join_link_ids(ann) == []
    assert "No such join link of yours" in turn_off(ann, link_id).get_data(as_text=True)  # twice
    assert ann.events("knock:asked") == []


def test_me_names_a_join_links_call_only_while_its_maker_is_in_it(app, call):
    """The call a join link opens may go on after its maker left, with people their lobby
    does not show them (a block, invisible): /me then names nobody (found by a review)."""
    ann, bob, cat, link = call
    ring = ok(ann.ask("call:invite", {"fromAnchorId": ann.anchor, "toAnchorId": cat.anchor}))
    ok(cat.ask("call:accept", {"invitationId": ring["invitationId"]}))
    state = app.extensions["tlightchat"].context.store.get_state()
    names = [state["users"][t.user_id]["displayName"] for t in (bob, cat)]
    page = ann.browser.get("/me").get_data(as_text=True)
    assert all(name in page for name in names)
    call_id = next(iter(state["calls"]))
    ok(ann.ask("call:hangup", {"callId": call_id}))  # Bob and Cat go on
    assert join_link_ids(ann)  # the link still lets someone ask Bob and Cat
    page = ann.browser.get("/me").get_data(as_text=True)
    assert not any(name in page for name in names) and "a call you have left" in page
