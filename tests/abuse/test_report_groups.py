"""Issue 35 meets 26: a report attaches messages of a group call's conversation that the
reporter and the reported person are both members of, and of no other group."""
from tests.support.clients import Tab
from tlightchat import create_app


def test_a_report_attaches_messages_of_a_group_both_are_in_and_no_other(database_url):
    app = create_app({"DATABASE_URL": database_url, "TESTING": True})
    ann, bob, carl, dan = (Tab(app) for _ in range(4))
    for t in (ann, bob, carl, dan):
        t.new_anchor()
    groups = app.extensions["tlightchat"].chat.groups
    shared = groups.ensure("call-1", [ann.user_id, bob.user_id, carl.user_id])
    elsewhere = groups.ensure("call-2", [ann.user_id, dan.user_id])

    def say(tab, key, n, text):
        return tab.ask("chat:send", {"conversationId": key, "clientMsgId": n,
                                     "text": text})["message"]["id"]

    ids = [say(ann, shared, "a1", "group insult"), say(carl, shared, "c1", "carl saw it"),
           say(ann, elsewhere, "a2", "not in bob's group")]
    ack = bob.ask("safety:report", {"userId": ann.user_id, "reason": "abuse",
                                    "messageIds": ids})
    assert ack == {"ok": True, "userId": ann.user_id}
    [report] = app.extensions["tlightchat"].context.safety.operators.open_reports()
    assert [m["text"] for m in report["context"]] == ["group insult", "carl saw it"]
