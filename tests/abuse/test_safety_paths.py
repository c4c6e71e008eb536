"""Issue 35's rules on the other paths that ring or write (issues 26, 27, 29): a call
link (and its Web Push ring), a ring into a group call, a file recorded in the chat, and
a do-not-disturb ring the store's guard would have refused anyway."""
import pytest

from e2e.services import wait_for
from tests.support.calls import connect
from tests.support.cluster import nodes, redis_server, redis_url  # noqa: F401  (fixtures)
from tests.support.clients import Tab, form_token
from tests.support.cluster_calls import heard
from tests.support.push_endpoint import push_app, push_service

OFFLINE = {"code": "unavailable", "message": "that line is not taking calls"}
NOT_ONLINE = {"code": "unavailable",
              "message": "the person who made this link is not online now; try again later"}


app = pytest.fixture(name="app")(push_app)
service = pytest.fixture(name="service")(push_service)


def group_tab(app, name):
    tab = Tab(app, auth={"protocol": 4})
    tab.anchor = tab.new_anchor(name)
    return tab


def ok(ack):
    assert ack["ok"], ack
    return ack


def invite(tab, to_anchor):
    return tab.ask("call:invite", {"fromAnchorId": tab.anchor, "toAnchorId": to_anchor})


def maker_with_link(app, service=None):
    ann = Tab(app)
    ann.anchor = ann.new_anchor("Ann slot")
    token = ok(ann.ask("link:create", {"anchorId": ann.anchor}))["token"]
    if service is not None:
        csrf = form_token(ann.browser, "/me")
        posted = ann.browser.post("/me/push", json=service.subscribe().as_json(),
                                  headers={"X-CSRFToken": csrf})
        assert posted.status_code == 200
    return ann, token


REFUSALS = {"block": ("safety:block", "visitor"), "invisible": ("safety:set", {"invisible": True}),
            "dnd": ("safety:set", {"dndMinutes": 30})}


@pytest.mark.parametrize("rule", sorted(REFUSALS))
def test_a_link_neither_rings_devices_nor_names_the_slot_past_a_rule(app, service, rule):
    ann, token = maker_with_link(app, service)
    vera = Tab(app)
    vera.anchor = vera.new_anchor("Vera")
    event, payload = REFUSALS[rule]
    ok(ann.ask(event, {"userId": vera.user_id} if payload == "visitor" else payload))
    # Her page open: no anchorId, no user; the answer of a maker who is not online.
    assert vera.ask("link:open", {"token": token}) == {"ok": False, "error": NOT_ONLINE}
    # Her page closed: her devices are not rung, and the answer is the same.
    ann.sio.disconnect()
    assert vera.ask("link:open", {"token": token}) == {"ok": False, "error": NOT_ONLINE}
    assert service.received.empty()


def test_a_link_is_its_makers_invitation_past_who_may_ring_me(app):
    """A maker who lets only verified people ring her still gets the link's calls (she
    sent the link); other strangers are still refused as offline."""
    ann, token = maker_with_link(app)
    ok(ann.ask("safety:set", {"ringPolicy": "verified"}))
    vera, eve = Tab(app), Tab(app)
    vera.anchor, eve.anchor = vera.new_anchor("Vera"), eve.new_anchor("Eve")
    assert invite(vera, ann.anchor)["error"] == OFFLINE
    opened = ok(vera.ask("link:open", {"token": token}))
    assert opened["anchorId"] == ann.anchor
    ok(invite(vera, ann.anchor))
    assert ann.events("call:ring")
    assert invite(eve, ann.anchor)["error"] == OFFLINE


@pytest.fixture(params=["memory", "replicated"])
def two_nodes(request, app):
    """(node of Ann and Carl, node of Bob and Dan): one process, or two cluster nodes."""
    if request.param == "memory":
        return app, app
    make_node = request.getfixturevalue("nodes")
    return make_node("n1"), make_node("n2")


def test_no_ring_into_a_call_with_someone_who_blocked_the_callee(two_nodes):
    here, there = two_nodes
    ann, bob, carl = group_tab(here, "Ann"), group_tab(there, "Bob"), group_tab(here, "Carl")
    ok(bob.ask("safety:block", {"userId": carl.user_id}))
    call_id = connect(ann, bob)
    # Ann adds someone once she is in the call, as her page does: once her node has it
    # (Bob's accept reached Bob's node first)
    wait_for(lambda: call_id in ok(ann.ask("me:state"))["calls"], 5.0, "Ann's node has the call")
    carl.clear()
    assert invite(ann, carl.anchor) == {"ok": False, "error": OFFLINE}
    assert not carl.events("call:ring") and carl.ask("me:state")["invitations"] == {}
    # the other way round: Dan blocked Bob
    dan = group_tab(there, "Dan")
    ok(dan.ask("safety:block", {"userId": bob.user_id}))
    assert invite(ann, dan.anchor) == {"ok": False, "error": OFFLINE}


def test_no_two_people_a_block_stands_between_are_rung_together(app):
    ann, bob, carl = group_tab(app, "Ann"), group_tab(app, "Bob"), group_tab(app, "Carl")
    ok(bob.ask("safety:block", {"userId": carl.user_id}))
    many = ok(ann.ask("call:invite-many", {"fromAnchorId": ann.anchor,
                                           "toAnchorIds": [bob.anchor, carl.anchor]}))
    by_anchor = {e["toAnchorId"]: e for e in many["invitations"]}
    assert "invitationId" in by_anchor[bob.anchor]
    assert by_anchor[carl.anchor] == {"toAnchorId": carl.anchor, "error": OFFLINE}
    assert not carl.events("call:ring")


@pytest.mark.parametrize("rule", ["block", "chat-policy"])
def test_a_file_is_not_written_into_a_chat_a_rule_closes(app, rule):
    ann, bob = Tab(app), Tab(app)
    ann.anchor, bob.anchor = ann.new_anchor("Ann"), bob.new_anchor("Bob")
    call_id = connect(ann, bob)
    if rule == "block":
        ok(bob.ask("safety:block", {"userId": ann.user_id}))
    else:
        ok(bob.ask("safety:set", {"chatPolicy": "nobody"}))
    ann.clear(), bob.clear()
    ack = ann.ask("file:sent", {"callId": call_id, "name": "x.pdf", "size": 10, "fileId": "f1"})
    if rule == "block":  # the block ended the call (safety:block): no call to record it in
        assert ack["error"]["code"] == "not-found"
    else:
        assert ack == {"ok": True, "recorded": False}
    for tab in (ann, bob):  # (the call's own entries reach the chat later, on their own)
        assert [d for d in tab.events("chat:message") if d["message"]["kind"] == "file-sent"] == []
    kinds = [m.get("kind") for m in ok(ann.ask("chat:history", {"with": bob.user_id}))["messages"]]
    assert "file-sent" not in kinds


def test_a_ring_the_guard_refuses_leaves_no_missed_call_during_do_not_disturb(app):
    ann, bob, carl = Tab(app), Tab(app), Tab(app)
    ann.anchor, bob.anchor, carl.anchor = (t.new_anchor(n) for t, n in
                                           ((ann, "Ann"), (bob, "Bob"), (carl, "Carl")))
    ok(ann.ask("safety:set", {"dndMinutes": 30}))
    ring = ok(invite(bob, carl.anchor))  # Bob's anchor is ringing: the guard refuses more
    assert invite(bob, ann.anchor)["error"] == OFFLINE
    ok(bob.ask("call:cancel", {"invitationId": ring["invitationId"]}))
    assert ok(ann.ask("chat:history", {"with": bob.user_id}))["messages"] == []
    assert invite(bob, ann.anchor)["error"] == OFFLINE  # one it would ring: kept
    [missed] = ok(ann.ask("chat:history", {"with": bob.user_id}))["messages"]
    assert missed["kind"] == "call-missed"


@pytest.mark.parametrize("who", ["callee", "caller"])
def test_a_block_ends_the_ring_between_the_two_as_any_decline(two_nodes, who):
    """Block pressed on the ring itself (issue 35): the ring ends for both, the caller
    told `declined` (as any decline: nothing says block), and nothing rings on."""
    here, there = two_nodes
    ann, bob = group_tab(here, "Ann"), group_tab(there, "Bob")
    carl, dan = group_tab(here, "Carl"), group_tab(there, "Dan")
    ring = ok(invite(ann, bob.anchor))
    other = ok(invite(carl, dan.anchor))  # a ring between others: left ringing
    ann.clear(), bob.clear()
    blocker, blocked = (bob, ann) if who == "callee" else (ann, bob)
    ok(blocker.ask("safety:block", {"userId": blocked.user_id}))
    reason = "declined" if who == "callee" else "cancelled"
    for tab in (ann, bob):  # one of them on the other node: told once its log entry applies
        ended = heard(tab, "call:invite-ended")
        assert ended["invitationId"] == ring["invitationId"] and ended["reason"] == reason
        assert not tab.events("call:invite-ended")  # and none after it
        assert ring["invitationId"] not in ok(tab.ask("me:state"))["invitations"]
    assert other["invitationId"] in ok(dan.ask("me:state"))["invitations"]
    assert not carl.events("call:invite-ended") and not dan.events("call:invite-ended")


@pytest.mark.parametrize("who", ["party", "rung"])
def test_a_block_ends_a_ring_into_a_call_that_holds_the_other(two_nodes, who):
    """Ann and Bob are in a call; Ann rings Carl into it. A block between Bob and Carl
    (either way) while it rings ends that ring, declined by Carl's side: he never joins
    a call where he and Bob would get each other's media (found by a review: only rings
    between the two ended)."""
    here, there = two_nodes
    ann, bob, carl = group_tab(here, "Ann"), group_tab(there, "Bob"), group_tab(here, "Carl")
    connect(ann, bob)
    ring = ok(invite(ann, carl.anchor))
    blocker, blocked = (bob, carl) if who == "party" else (carl, bob)
    ok(blocker.ask("safety:block", {"userId": blocked.user_id}))
    ended = heard(carl, "call:invite-ended")
    assert ended["invitationId"] == ring["invitationId"] and ended["reason"] == "declined"
    late = carl.ask("call:accept", {"invitationId": ring["invitationId"]})
    assert not late["ok"], late
    assert not bob.events("call:party-joined") and not ann.events("call:party-joined")
