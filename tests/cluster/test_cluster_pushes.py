"""Issue 24, item 2: a chat message stored and acked while the cluster log (Redis) is
down still reaches the recipient's open tab on another node, once the log is back, in
order; before, the push was dropped and the tab saw it only after a reload."""
from e2e.services import wait_for
from tests.support.clients import Tab


def test_chat_acked_while_redis_is_down_reaches_the_open_tab_on_another_node(
        nodes, redis_server):  # noqa: F811
    n1, n2 = nodes("n1"), nodes("n2")
    ann, bob = Tab(n1), Tab(n2)
    life1 = n1.extensions["tlightchat"].life
    wait_for(lambda: bob.user_id in life1.store.get_state()["users"], 5, "n1 knows Bob")
    redis_server.proc.kill()
    redis_server.proc.wait()
    try:
        acked = []
        for i in range(3):
            ack = ann.ask("chat:send", {"to": bob.user_id, "clientMsgId": f"d{i}",
                                        "text": f"while down {i}"})
            assert ack["ok"], ack  # stored in the database: acked
            acked.append(ack["message"]["id"])
    finally:
        redis_server.start()
    ack = ann.ask("chat:send", {"to": bob.user_id, "clientMsgId": "after", "text": "back"})
    assert ack["ok"], ack
    acked.append(ack["message"]["id"])
    seen = []

    def all_seen():
        seen.extend(m["message"]["id"] for m in bob.events("chat:message"))
        return set(acked) <= set(seen)

    wait_for(all_seen, 10, "every acked message shown live in Bob's open tab")
    shown = [i for i in dict.fromkeys(seen) if i in acked]
    assert shown == acked, "in the order they were sent"
