"""Issue 31.4: a side presenting its screen says so in call:peer-state (`screen`), so the
other side shows the screen large and whole; anything but a boolean is refused."""
from tests.support.calls import connect


def test_presenting_reaches_the_peer_and_only_a_boolean_is_taken(pair):
    ann, bob = pair
    call_id = connect(ann, bob)
    ann.clear(), bob.clear()
    assert ann.ask("call:peer-state", {"callId": call_id, "audio": True, "video": True,
                                       "screen": True}) == {"ok": True}
    assert bob.events("call:peer-state") == [
        {"callId": call_id, "fromAnchorId": ann.anchor, "audio": True, "video": True, "screen": True}]
    for bad in ("yes", 1, None, {"x": 1}):
        got = ann.ask("call:peer-state", {"callId": call_id, "audio": True, "video": True, "screen": bad})
        assert got["error"]["code"] == "invalid-payload", bad
    assert bob.events("call:peer-state") == []  # nothing relayed for a refused one
