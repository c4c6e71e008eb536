"""Files in a call (issue 29): file:offer asks and is refused with the reason past
MAX_FILE_BYTES; file:sent records "X sent you f (size)" in both chats, once."""
from tests.support.calls import connect


def offer(tab_, call_id, **extra):
    return tab_.ask("file:offer", {"callId": call_id, "name": "report.pdf", "size": 2_100_000, **extra})


def sent(tab_, call_id, **extra):
    return tab_.ask("file:sent", {"callId": call_id, "name": "report.pdf", "size": 2_100_000,
                                  "fileId": "f1", **extra})


def test_an_offer_in_a_call_is_allowed_and_says_the_limit(pair):
    ann, bob = pair
    call_id = connect(ann, bob)
    ack = offer(ann, call_id)
    assert ack["ok"] and ack["maxBytes"] == 2 * 1024 ** 3
    assert offer(bob, call_id, to=ann.anchor)["ok"]


def test_a_file_over_the_limit_is_refused_with_the_reason(pair, app):
    ann, bob = pair
    call_id = connect(ann, bob)
    ack = offer(ann, call_id, size=2 * 1024 ** 3 + 1)
    assert ack["error"]["code"] == "payload-too-large"
    assert ack["error"]["message"] == ("the file is 2,147,483,649 bytes; the limit for files is "
                                       "2,147,483,648 bytes")
    app.config["MAX_FILE_BYTES"] = 1000
    assert offer(ann, call_id, size=1000)["ok"]
    assert sent(ann, call_id, size=1001)["error"]["code"] == "payload-too-large"


def test_only_a_party_of_a_live_call_may_offer(pair, tab):
    ann, bob = pair
    call_id = connect(ann, bob)
    eve = tab()
    eve.anchor = eve.new_anchor()
    assert offer(eve, call_id)["error"]["code"] == "forbidden"
    assert offer(ann, "nosuchcall")["error"]["code"] == "not-found"
    assert offer(ann, call_id, to=ann.anchor)["error"]["code"] == "invalid-payload"


def test_names_are_bounded_and_plain(pair):
    ann, bob = pair
    call_id = connect(ann, bob)
    for bad in ("", "a\nb", "x" * 256):
        assert offer(ann, call_id, name=bad)["error"]["code"] == "invalid-payload", bad
    assert offer(ann, call_id, size=-1)["error"]["code"] == "invalid-payload"
    assert sent(ann, call_id, fileId="../x")["error"]["code"] == "invalid-payload"


def test_a_sent_file_lands_in_both_chats_once(pair):
    ann, bob = pair
    call_id = connect(ann, bob)
    ack = sent(ann, call_id)
    assert ack["ok"] and ack["recorded"], ack
    message = ack["message"]
    assert message["kind"] == "file-sent" and message["from"] == ann.user_id
    assert message["call"] == {"callId": call_id, "fileId": "f1", "name": "report.pdf", "size": 2_100_000}
    assert sent(ann, call_id)["ok"]  # a resend stores nothing new
    for me, peer in ((ann, bob), (bob, ann)):
        history = me.ask("chat:history", {"with": peer.user_id})["messages"]
        assert [m["kind"] for m in history if m["kind"] == "file-sent"] == ["file-sent"]
    assert any(d["message"]["kind"] == "file-sent" for d in bob.events("chat:message"))
