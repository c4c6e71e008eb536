"""Two server nodes in one test process, on one real Redis and one PostgreSQL database: a person on
each sees the other, rings, talks, chats and hangs up as on one server; a node that
falls silent is declared lost and its client resumes on the other node."""
from e2e.services import wait_for
from tests.support.clients import Tab
from tests.support.cluster_calls import OFFER, heard, mentions


def test_people_on_two_nodes_see_each_other_call_chat_and_hang_up(nodes):
    n1, n2 = nodes("n1"), nodes("n2")
    ann, bob = Tab(n1), Tab(n2)
    ann.anchor = ann.new_anchor("Ann slot")
    bob.anchor = bob.new_anchor("Bob slot")
    heard(ann, "lobby:anchor", mentions(bob.anchor))
    heard(bob, "lobby:anchor", mentions(ann.anchor))

    ack = ann.ask("call:invite", {"fromAnchorId": ann.anchor, "toAnchorId": bob.anchor})
    assert ack["ok"], ack
    ring = heard(bob, "call:ring")
    assert ring["invitationId"] == ack["invitationId"] and ring["from"]["userId"] == ann.user_id
    accepted = bob.ask("call:accept", {"invitationId": ring["invitationId"]})
    assert accepted["ok"], accepted
    call_id = accepted["callId"]
    started = heard(ann, "call:started")
    assert started["callId"] == call_id and started["initiator"] is True

    assert ann.ask("call:signal", {"callId": call_id, "description": OFFER})["ok"]
    assert heard(bob, "call:signal")["description"] == OFFER

    sent = ann.ask("chat:send", {"to": bob.user_id, "clientMsgId": "m1", "text": "hi from n1"})
    assert sent["ok"], sent
    message = heard(bob, "chat:message", mentions("hi from n1"))["message"]
    assert message["id"] == sent["message"]["id"]

    assert bob.ask("call:hangup", {"callId": call_id})["ok"]
    assert heard(ann, "call:ended")["callId"] == call_id
    for app in (n1, n2):
        assert app.extensions["tlightchat"].life.store.get_state()["calls"] == {}


def test_both_nodes_refuse_the_second_accept_of_one_ring(nodes):
    n1, n2 = nodes("n1"), nodes("n2")
    ann, bob = Tab(n1), Tab(n2)
    bob_on_n1 = bob.second_tab()  # the same person, a second tab, on the other node
    ann.anchor, bob.anchor = ann.new_anchor(), bob.new_anchor()
    heard(ann, "lobby:anchor", mentions(bob.anchor))
    inv = ann.ask("call:invite", {"fromAnchorId": ann.anchor, "toAnchorId": bob.anchor})
    assert inv["ok"], inv
    heard(bob, "call:ring")
    first = bob.ask("call:accept", {"invitationId": inv["invitationId"]})
    second = bob.ask("call:accept", {"invitationId": inv["invitationId"]})
    assert first["ok"] and not second["ok"] and second["error"]["code"] == "not-found"
    assert bob_on_n1.client_id != bob.client_id


def test_a_silent_node_is_lost_and_its_client_resumes_on_the_other(nodes):
    n1, n2 = nodes("n1"), nodes("n2")
    ann, bob = Tab(n1), Tab(n2)
    ann.anchor, bob.anchor = ann.new_anchor(), bob.new_anchor()
    life1, life2 = (app.extensions["tlightchat"].life for app in (n1, n2))
    wait_for(lambda: bob.client_id in life1.store.get_state()["clients"], 5, "n1 knows Bob")
    life2.close()  # n2 freezes: no heartbeat, no log reading
    wait_for(lambda: life1.store.get_state()["clients"][bob.client_id]["awayUntil"], 10,
             "n1 declared n2 lost and put Bob away")
    assert life1.store.get_state()["clients"][ann.client_id]["awayUntil"] is None
    heard(ann, "lobby:client", lambda d: d["client"]["id"] == bob.client_id and d["client"]["away"])

    # Bob's browser reconnects through the proxy, to n1 this time, with its token.
    token = bob.welcome["resumeToken"]
    back = Tab(n1, browser=bob.browser, auth={"resume": token})
    assert back.client_id == bob.client_id and back.welcome["resumed"] is True
    client = life1.store.get_state()["clients"][bob.client_id]
    assert client["awayUntil"] is None and client["node"] == "n1"
    assert bob.anchor in life1.store.get_state()["anchors"]


def test_a_client_that_moves_is_let_go_by_its_old_node(nodes):
    n1, n2 = nodes("n1"), nodes("n2")
    ann, bob = Tab(n1), Tab(n2)
    life1, life2 = (app.extensions["tlightchat"].life for app in (n1, n2))
    wait_for(lambda: bob.client_id in life1.store.get_state()["clients"], 5, "n1 knows Bob")
    # The proxy sends Bob's reconnect to n1 while n2 still holds his old socket.
    back = Tab(n1, browser=bob.browser, auth={"resume": bob.welcome["resumeToken"]})
    assert back.welcome["resumed"] is True
    wait_for(lambda: bob.client_id not in life2.connections.sids, 5, "n2 let Bob's socket go")
    wait_for(lambda: not bob.sio.is_connected(), 5, "n2 closed Bob's old socket")
    client = life2.store.get_state()["clients"][bob.client_id]
    assert client["node"] == "n1" and client["awayUntil"] is None  # the close was no news
    sent = ann.ask("chat:send", {"to": bob.user_id, "clientMsgId": "m2", "text": "still there?"})
    assert sent["ok"]
    heard(back, "chat:message", mentions("still there?"))


def test_limits_are_shared_by_every_node(nodes):
    n1, n2 = nodes("n1"), nodes("n2")
    limits = [app.extensions["tlightchat"].life.ctx.chat_limits for app in (n1, n2)]
    burst = n1.config["CHAT_RATE_BURST"]
    taken = [limits[i % 2].take("user-1") for i in range(burst + 2)]
    assert taken[:burst] == [True] * burst and taken[burst:] == [False, False]
    assert limits[1].take("user-2")  # another person's budget is their own

    logins = [app.extensions["tlightchat"].login_limiter for app in (n1, n2)]
    for i in range(n1.config["LOGIN_MAX_ATTEMPTS"]):
        assert logins[i % 2].retry_after("ann", "10.0.0.1") == 0
        logins[i % 2].failed("ann", "10.0.0.1")
    assert logins[0].retry_after("ann", "10.0.0.1") > 0
    assert logins[1].retry_after("ann", "10.0.0.1") > 0
    logins[1].succeeded("ann", "10.0.0.1")
    assert logins[0].retry_after("ann", "10.0.0.1") == 0


def test_a_node_declared_lost_while_alive_says_its_clients_are_still_there(nodes):
    from tlightchat.store import actions as A

    n1, n2 = nodes("n1"), nodes("n2")
    ann, bob = Tab(n1), Tab(n2)
    life1, life2 = (app.extensions["tlightchat"].life for app in (n1, n2))
    wait_for(lambda: bob.client_id in life1.store.get_state()["clients"], 5, "n1 knows Bob")
    # n1 judged n2 too slow (a long pause), though n2 and Bob's socket are fine.
    life1.store.dispatch(A.node_lost("n2", life1.ctx.clock() + 30, [bob.client_id]))
    wait_for(lambda: life1.store.get_state()["clients"][bob.client_id]["awayUntil"] is None,
             5, "n2 said Bob is still there")
    assert bob.sio.is_connected() and bob.client_id in life2.connections.sids
    assert bob.ask("me:state")["ok"]


def test_redis_down_refuses_changes_keeps_sockets_and_readiness_says_so(nodes, redis_server):  # noqa: F811
    n1 = nodes("n1")
    ann, bob = Tab(n1), Tab(n1)
    ann.anchor = ann.new_anchor()
    life = n1.extensions["tlightchat"].life
    redis_server.proc.kill()
    redis_server.proc.wait()
    try:
        bob.sio.disconnect()  # a goodbye the log cannot take now: said once it is back
        ack = ann.ask("anchor:create", {})
        assert not ack["ok"] and ack["error"]["code"] == "unavailable", ack
        assert ack["error"]["retryAfterMs"] > 0
        ready = n1.test_client().get("/healthz/ready")
        assert ready.status_code == 503 and "Redis" in ready.get_json()["checks"]["cluster"]
        assert ann.sio.is_connected()  # the socket stays; only changes wait
        assert ann.anchor in n1.extensions["tlightchat"].life.store.get_state()["anchors"]
    finally:
        redis_server.start()
    wait_for(lambda: ann.ask("anchor:create", {})["ok"], 10, "changes taken again")
    wait_for(lambda: n1.test_client().get("/healthz/ready").status_code == 200, 10, "ready again")
    wait_for(lambda: bob.client_id not in life.store.get_state()["clients"], 10,
             "Bob's goodbye reached the log after the outage")
