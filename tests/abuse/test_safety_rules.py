"""Issue 35 at the protocol level: blocks, who may ring or write, do not disturb, ring
limits, and an attacker who tries to learn whether a rule refused them. Each test runs on
one process (the in-memory store) and on two cluster nodes (the replicated store: Ann on
one node, Bob on the other; the rules live in the shared database)."""
import pytest

from tests.support.cluster import nodes, redis_server, redis_url  # noqa: F401  (fixtures)
from e2e.services import wait_for
from tests.support.cluster_calls import heard, mentions
from tests.support.clients import Tab
from tlightchat import create_app

OFFLINE = {"code": "unavailable", "message": "that line is not taking calls"}
UNKNOWN = {"code": "not-found", "message": "to: there is no such user"}


@pytest.fixture(params=["memory", "replicated"])
def world(request, tmp_path):
    """world(**config) → (Ann, Bob): two browsers, each with an online anchor that the
    other's lobby shows; on two nodes of a cluster in the replicated run."""
    made = []

    def make(**config):
        if request.param == "memory":
            app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/t.db", "TESTING": True,
                              **config})
            made.append(app)
            n_ann = n_bob = app
        else:
            make_node = request.getfixturevalue("nodes")
            n_ann, n_bob = make_node("n1", **config), make_node("n2", **config)
        ann, bob = Tab(n_ann), Tab(n_bob)
        ann.anchor, bob.anchor = ann.new_anchor("Ann slot"), bob.new_anchor("Bob slot")
        heard(ann, "lobby:anchor", mentions(bob.anchor))
        heard(bob, "lobby:anchor", mentions(ann.anchor))
        ann.clear(), bob.clear()
        return ann, bob

    yield make
    for app in made:
        app.extensions["tlightchat"].close()


def invite(tab, to_anchor):
    return tab.ask("call:invite", {"fromAnchorId": tab.anchor, "toAnchorId": to_anchor})


def ok(ack):
    assert ack["ok"], ack
    return ack


def offline_answer(tab):
    """What a ring to an offline anchor is answered: the reference for `no oracle`."""
    other = Tab(tab.app)
    anchor = other.new_anchor("off", online=False)
    return invite(tab, anchor)


def test_a_blocked_person_cannot_ring_from_any_tab_and_is_told_only_offline(world):
    ann, bob = world()
    ok(ann.ask("safety:block", {"userId": bob.user_id}))
    second = bob.second_tab()
    second.anchor = second.new_anchor("Bob 2")
    for tab in (bob, second):
        refused = invite(tab, ann.anchor)
        assert refused == {"ok": False, "error": OFFLINE}
        assert refused == offline_answer(tab)  # word for word, no retryAfterMs
    ann.clear()
    assert ann.ask("me:state")["invitations"] == {}
    assert "call:ring" not in ann.names()
    # Unblocked from /me's list: rings reach her again.
    assert [p["id"] for p in ok(ann.ask("safety:get"))["blocked"]] == [bob.user_id]
    ok(ann.ask("safety:unblock", {"userId": bob.user_id}))
    ok(invite(bob, ann.anchor))
    heard(ann, "call:ring")


def test_a_blocked_person_cannot_ring_around_the_block_by_ringing_several(world):
    """call:invite-many (group calls) meets the same rules: the blocker's entry is the
    offline answer, her page hears nothing; the others named are rung."""
    ann, bob = world()
    ok(ann.ask("safety:block", {"userId": bob.user_id}))
    group = Tab(bob.app, browser=bob.browser, auth={"protocol": 4})  # Bob, a group-call page
    group.anchor = group.new_anchor("Bob group")
    cat = Tab(bob.app, auth={"protocol": 4})
    cat.anchor = cat.new_anchor("Cat slot")
    many = ok(group.ask("call:invite-many", {"fromAnchorId": group.anchor,
                                            "toAnchorIds": [ann.anchor, cat.anchor]}))
    by_anchor = {e["toAnchorId"]: e for e in many["invitations"]}
    assert by_anchor[ann.anchor] == {"toAnchorId": ann.anchor, "error": OFFLINE}
    assert "invitationId" in by_anchor[cat.anchor]
    heard(cat, "call:ring")
    assert ann.ask("me:state")["invitations"] == {}
    assert "call:ring" not in ann.names()


def test_the_blocker_cannot_ring_or_write_the_blocked_either(world):
    ann, bob = world()
    ok(ann.ask("safety:block", {"userId": bob.user_id}))
    assert invite(ann, bob.anchor)["error"] == OFFLINE
    sent = ann.ask("chat:send", {"to": bob.user_id, "clientMsgId": "m1", "text": "hi"})
    assert sent["error"] == UNKNOWN


def test_a_block_takes_each_out_of_the_others_lobby_on_every_node(world):
    ann, bob = world()
    ok(ann.ask("safety:block", {"userId": bob.user_id}))
    snap = heard(bob, "lobby:snapshot")
    assert ann.user_id not in snap["users"] and bob.user_id in snap["users"]
    mine = heard(ann, "lobby:snapshot")
    assert bob.user_id not in mine["users"]
    # A new tab of Ann is not announced to Bob, nor his anchors to her.
    bob.clear()
    late = ann.second_tab()
    late.new_anchor("late")
    assert bob.user_id not in late.events("lobby:snapshot")[0]["users"]
    assert not [e for e in bob.events("lobby:client-joined") if e["client"]["userId"] == ann.user_id]
    bob.new_anchor("another")
    assert ok(bob.ask("lobby:get", {}))
    assert ann.user_id not in heard(bob, "lobby:snapshot")["users"]


def test_a_blocked_person_cannot_write_and_their_old_messages_are_hidden(world):
    ann, bob = world()
    ok(bob.ask("chat:send", {"to": ann.user_id, "clientMsgId": "b1", "text": "hello"}))
    ok(ann.ask("chat:send", {"to": bob.user_id, "clientMsgId": "a1", "text": "hi"}))
    ok(ann.ask("safety:block", {"userId": bob.user_id}))
    refused = bob.ask("chat:send", {"to": ann.user_id, "clientMsgId": "b2", "text": "?"})
    unknown = bob.ask("chat:send", {"to": "nobody-at-all", "clientMsgId": "b3", "text": "?"})
    assert refused == unknown == {"ok": False, "error": UNKNOWN}
    page = ok(ann.ask("chat:history", {"with": bob.user_id}))
    assert [m["text"] for m in page["messages"]] == ["hi"]
    ok(ann.ask("safety:unblock", {"userId": bob.user_id}))
    page = ok(ann.ask("chat:history", {"with": bob.user_id}))
    assert [m["text"] for m in page["messages"]] == ["hello", "hi"]


def test_blocking_an_unknown_id_tells_nothing(world):
    ann, bob = world()
    assert ann.ask("safety:block", {"userId": "no-such-user"})["error"]["code"] == "not-found"
    assert ann.ask("safety:block", {"userId": ann.user_id})["error"]["code"] == "invalid-payload"


@pytest.mark.parametrize("policy", ["nobody", "chatted", "verified"])
def test_who_may_ring_me_refuses_strangers_as_offline(world, policy):
    ann, bob = world(RING_UNANSWERED_MAX=10)
    ok(ann.ask("safety:set", {"ringPolicy": policy}))
    assert invite(bob, ann.anchor) == offline_answer(bob)
    # Bob writing to Ann earns nothing: only what Ann did counts.
    ok(bob.ask("chat:send", {"to": ann.user_id, "clientMsgId": "b1", "text": "let me in"}))
    assert invite(bob, ann.anchor)["error"] == OFFLINE
    ok(ann.ask("chat:send", {"to": bob.user_id, "clientMsgId": "a1", "text": "ok"}))
    if policy == "verified":
        assert invite(bob, ann.anchor)["error"] == OFFLINE
        ok(ann.ask("trust:set", {"peerUserId": bob.user_id, "code": "1234 5678 9012 3456",
                                 "verified": True}))
    if policy == "nobody":
        assert invite(bob, ann.anchor)["error"] == OFFLINE
        return
    ok(invite(bob, ann.anchor))
    heard(ann, "call:ring")


def test_who_may_start_a_chat_with_me(world):
    ann, bob = world()
    ok(ann.ask("safety:set", {"chatPolicy": "nobody"}))
    assert ok(ann.ask("safety:get"))["chatPolicy"] == "nobody"
    assert bob.ask("chat:send", {"to": ann.user_id, "clientMsgId": "b1",
                                 "text": "hi"})["error"] == UNKNOWN
    ok(ann.ask("chat:send", {"to": bob.user_id, "clientMsgId": "a1", "text": "hi Bob"}))
    ok(bob.ask("chat:send", {"to": ann.user_id, "clientMsgId": "b2", "text": "hi Ann"}))


def test_verified_only_chat_follows_the_mark_both_ways(world):
    ann, bob = world()
    ok(ann.ask("safety:set", {"chatPolicy": "verified"}))
    send = lambda n: bob.ask("chat:send", {"to": ann.user_id, "clientMsgId": f"b{n}", "text": "hi"})  # noqa: E731
    assert send(1)["error"] == UNKNOWN
    mark = {"peerUserId": bob.user_id, "code": "1234 5678 9012 3456"}
    ok(ann.ask("trust:set", {**mark, "verified": True}))
    ok(send(2))
    ok(ann.ask("trust:set", {**mark, "verified": False}))
    assert send(3)["error"] == UNKNOWN  # Ann never wrote to Bob: nothing keeps it open


def test_the_chat_check_asks_the_database_once(tmp_path):
    """Every chat:send is checked (a block, the recipient's policy, their relation) in one
    statement: three units of work and four queries took half the chat bench's server time."""
    from sqlalchemy import event

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/t.db", "TESTING": True})
    try:
        ann, bob = Tab(app), Tab(app)
        parts = app.extensions["tlightchat"]
        engine, safety = parts.db.engine, parts.context.safety
        seen = []
        listen = lambda *a: seen.append(a[2])  # noqa: E731  (conn, cursor, statement, ...)
        event.listen(engine, "before_cursor_execute", listen)
        try:
            safety.check_chat(bob.user_id, ann.user_id)
        finally:
            event.remove(engine, "before_cursor_execute", listen)
        assert len(seen) == 1, seen
    finally:
        app.extensions["tlightchat"].close()


def test_a_ring_during_do_not_disturb_is_a_missed_call(world):
    ann, bob = world()
    state = ok(ann.ask("safety:set", {"dndMinutes": 30}))
    assert state["dndUntil"] is not None
    assert invite(bob, ann.anchor) == {"ok": False, "error": OFFLINE}
    assert "call:ring" not in ann.names()
    page = ok(ann.ask("chat:history", {"with": bob.user_id}))
    [missed] = page["messages"]
    assert missed["kind"] == "call-missed" and missed["call"]["reason"] == "dnd"
    ok(ann.ask("safety:set", {"dndMinutes": 0}))
    assert ok(ann.ask("safety:get"))["dndUntil"] is None
    ok(invite(bob, ann.anchor))
    heard(ann, "call:ring")


def test_rings_per_minute_are_limited_with_retry_after(world):
    ann, bob = world(RING_RATE_PER_MINUTE=2, RING_UNANSWERED_MAX=10)
    for _ in range(2):
        ring = ok(invite(bob, ann.anchor))
        ok(bob.ask("call:cancel", {"invitationId": ring["invitationId"]}))
    refused = invite(bob, ann.anchor)
    assert refused["error"]["code"] == "rate-limited"
    assert 0 < refused["error"]["retryAfterMs"] <= 60_001


def test_unanswered_rings_in_a_row_are_limited_and_an_answer_ends_the_row(world):
    ann, bob = world(RING_UNANSWERED_MAX=2)
    ring = ok(invite(bob, ann.anchor))
    ok(bob.ask("call:cancel", {"invitationId": ring["invitationId"]}))
    ring = ok(invite(bob, ann.anchor))
    call = ok(ann.ask("call:accept", {"invitationId": heard(ann, "call:ring",
              lambda r: r["invitationId"] == ring["invitationId"])["invitationId"]}))
    ok(ann.ask("call:hangup", {"callId": call["callId"]}))
    for _ in range(2):  # answered: a new row of two
        ring = ok(invite(bob, ann.anchor))
        ok(bob.ask("call:cancel", {"invitationId": ring["invitationId"]}))
    refused = invite(bob, ann.anchor)
    assert refused["error"]["code"] == "rate-limited" and refused["error"]["retryAfterMs"] > 0
    # Another person's row is their own.
    carl = Tab(ann.app)
    carl.anchor = carl.new_anchor("Carl")
    heard(bob, "lobby:anchor", mentions(carl.anchor))
    ok(invite(bob, carl.anchor))


def test_a_blocked_caller_meets_the_same_limits_as_one_ringing_someone_offline(world):
    """The attacker's probe: ring the same person again and again and compare what comes
    back with ringing someone offline; both sequences are the same, word for word."""
    ann, bob = world(RING_UNANSWERED_MAX=2)
    ok(ann.ask("safety:block", {"userId": bob.user_id}))
    blocked = [invite(bob, ann.anchor) for _ in range(3)]
    other = Tab(bob.app)
    off = other.new_anchor("off", online=False)
    offline = [invite(bob, off) for _ in range(3)]
    strip = lambda acks: [(a["error"]["code"], a["error"]["message"]) for a in acks]  # noqa: E731
    assert strip(blocked) == strip(offline)
    assert strip(blocked)[-1][0] == "rate-limited"


def test_an_invisible_person_sees_the_lobby_and_nobody_sees_them(world):
    ann, bob = world()
    ok(ann.ask("safety:set", {"invisible": True}))
    assert ann.user_id not in heard(bob, "lobby:snapshot")["users"]
    assert invite(bob, ann.anchor) == offline_answer(bob)
    # Her new tab is announced to nobody; a newcomer does not see her; she sees them all.
    bob.clear()
    ann.second_tab()
    carl = Tab(bob.app)
    assert ann.user_id not in carl.events("lobby:snapshot")[0]["users"]
    ok(bob.ask("lobby:get", {}))
    assert ann.user_id not in heard(bob, "lobby:snapshot")["users"]
    assert not [e for e in bob.events("lobby:client-joined")
                if e["client"]["userId"] == ann.user_id]
    ann.clear()
    ok(ann.ask("lobby:get", {}))
    assert {bob.user_id, carl.user_id} <= set(heard(ann, "lobby:snapshot")["users"])
    ok(invite(ann, bob.anchor))  # she may ring others
    # Visible again: back in the views that could hold her, on every node.
    ok(ann.ask("safety:set", {"invisible": False}))
    heard(bob, "lobby:snapshot", lambda snap: ann.user_id in snap["users"])


def told_online(tab, number):
    """The lobby tells `number` online: by a fresh snapshot (a view that held or may hold
    the person) or by lobby:count (any other), whichever this tab gets; the last word counts."""
    said = []

    def check():
        tab._pull()
        said.extend(m["args"][0]["online"] for m in tab._inbox
                    if m["name"] in ("lobby:snapshot", "lobby:count"))
        tab.clear()
        return said and said[-1] == number

    return wait_for(check, 5.0, f"{number} online told to {tab.client_id}")


def test_an_invisible_person_is_not_counted_online(world):
    """'online' in the lobby counts nobody invisible, on every node, at once and for newcomers."""
    ann, bob = world()
    ok(ann.ask("safety:set", {"invisible": True}))
    told_online(bob, 1)
    carl = Tab(bob.app)
    assert carl.events("lobby:snapshot")[0]["online"] == 2  # Bob and Carl
    ok(ann.ask("safety:set", {"invisible": False}))
    told_online(bob, 3)
    told_online(carl, 3)
