"""Issue 35 on a cluster: a call event that comes after an account was deleted (the call
went on on another node) must not bring back rows that name the deleted user."""
from tests.support.calls import connect
from tests.support.clients import Tab
from tests.support.cluster import nodes, redis_server, redis_url  # noqa: F401  (fixtures)
from tests.support.cluster_calls import heard
from tests.support.storage import rows_naming
from tlightchat.safety.mydata import delete_user


def tab(app, name):
    t = Tab(app)
    t.anchor = t.new_anchor(name)
    return t


def logged(kind):
    return lambda data: data["message"]["kind"] == kind


def test_a_call_event_after_the_account_was_deleted_names_nobody(nodes, caplog):
    n1, n2 = nodes("n1", CALL_LOG_DELAY=0), nodes("n2", CALL_LOG_DELAY=0)
    ann, bob, carl = tab(n1, "Ann"), tab(n2, "Bob"), tab(n2, "Carl")
    heard(ann, "lobby:anchor", lambda d: True)
    call_id = connect(ann, bob)
    heard(ann, "chat:message", logged("call-started"))
    delete_user(n2.extensions["tlightchat"].db, bob.user_id)  # while the call goes on
    assert rows_naming(n1, bob.user_id) == []
    assert ann.ask("call:hangup", {"callId": call_id})["ok"]  # call-ended, written by n1
    # The log's one writer is serial: once a later call's end reached Ann, Bob's was handled.
    later = connect(ann, carl)
    assert carl.ask("call:hangup", {"callId": later})["ok"]
    heard(ann, "chat:message", lambda d: d["message"]["kind"] == "call-ended"
          and carl.user_id in (d["message"].get("from"), d["message"].get("to")))
    assert rows_naming(n1, bob.user_id) == []
    # and it is not an error: the event has no one left to be told to (no traceback)
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == []
