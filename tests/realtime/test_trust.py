"""Trust marks (the safety code's "verified"): stored per (user, peer) through
trust:set / trust:list, and a verified peer is no stranger to address privacy."""
import pytest

from tests.support.clients import Tab
from tests.support.privacy import hide, start_call, turn_app

CODE = "1234 5678 9012 3456"
# Storage tests: each runs on SQLite and on PostgreSQL (tests/conftest.py).
pytestmark = pytest.mark.storage


def test_a_mark_is_stored_per_user_and_peer_and_listed_on_any_tab(tab):
    ann, bob = tab(), tab()
    ack = ann.ask("trust:set", {"peerUserId": bob.user_id, "code": CODE, "verified": True})
    assert ack == {"ok": True, "peerUserId": bob.user_id, "code": CODE, "verified": True}
    assert ann.second_tab().ask("trust:list")["marks"] == {bob.user_id: {"code": CODE, "verified": True}}
    assert bob.ask("trust:list")["marks"] == {}  # each side marks for itself
    ann.ask("trust:set", {"peerUserId": bob.user_id, "code": "0000 0000 0000 0000", "verified": False})
    assert ann.ask("trust:list")["marks"][bob.user_id] == {"code": "0000 0000 0000 0000", "verified": False}


def test_bad_marks_are_refused(tab):
    ann = tab()
    assert ann.ask("trust:set", {"peerUserId": ann.user_id, "code": CODE, "verified": True})["error"]["code"] == "invalid-payload"
    assert ann.ask("trust:set", {"peerUserId": "nobody", "code": CODE, "verified": True})["error"]["code"] == "not-found"
    for code in ("1234", "12345678 9012 3456", "abcd efgh ijkl mnop"):
        assert ann.ask("trust:set", {"peerUserId": "x", "code": code, "verified": True})["error"]["code"] == "invalid-payload"
    assert ann.ask("trust:list")["marks"] == {}


def test_a_verified_peer_is_not_a_stranger_to_address_privacy(database_url):
    app = turn_app(database_url)
    ann, bob = Tab(app), Tab(app)
    hide(bob)
    assert bob.ask("trust:set", {"peerUserId": ann.user_id, "code": CODE, "verified": True})["ok"]
    _, a_start, b_start = start_call(ann, bob)
    assert not b_start["relayOnly"] and not a_start["relayOnly"]
