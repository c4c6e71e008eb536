"""A group call's chat across two nodes (issue 26): parties on n1 and n2, one Redis, one
PostgreSQL database. Who joined is recorded once (by the node where the change was
made) and reaches every member on either node; a message sent on n2 reaches the
members on n1."""
from sqlalchemy import func, select

from e2e.services import wait_for
from tlightchat.models import Message
from tests.support.cluster import nodes, redis_server, redis_url  # noqa: F401  (fixtures)
from tests.support.clients import Tab
from tests.support.cluster_calls import heard, mentions


def joined(tab):
    return [d["message"]["from"] for d in tab.events("chat:message")
            if d["message"]["kind"] == "call-joined"]


def test_a_group_chat_spans_two_nodes_and_logs_each_join_once(nodes):
    n1, n2 = nodes("n1", CALL_LOG_DELAY=0), nodes("n2", CALL_LOG_DELAY=0)
    v4 = {"protocol": 4}
    ann, cat, bob = Tab(n1, auth=v4), Tab(n1, auth=v4), Tab(n2, auth=v4)
    for t in (ann, cat, bob):
        t.anchor = t.new_anchor()
    heard(ann, "lobby:anchor", mentions(bob.anchor))
    many = ann.ask("call:invite-many", {"fromAnchorId": ann.anchor,
                                        "toAnchorIds": [bob.anchor, cat.anchor]})
    assert many["ok"], many
    for t in (bob, cat):
        assert t.ask("call:accept", {"invitationId": heard(t, "call:ring")["invitationId"]})["ok"]
    key = heard(cat, "call:started")["conversationId"]
    everyone = {ann.user_id, bob.user_id, cat.user_id}
    for t in (ann, bob, cat):
        seen = []
        wait_for(lambda t=t, seen=seen: seen.extend(joined(t)) or set(seen) == everyone, 10,
                 "everyone joined")
        assert sorted(seen) == sorted(everyone)  # each once, though both nodes saw it
    db = n1.extensions["tlightchat"].db
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Message).where(
            Message.kind == "call-joined")) == 3

    sent = bob.ask("chat:send", {"conversationId": key, "clientMsgId": "b1", "text": "from n2"})
    assert sent["ok"], sent
    for t in (ann, cat):
        got = heard(t, "chat:message", lambda d: d["message"]["kind"] == "text")
        assert got["message"]["id"] == sent["message"]["id"]
