"""TURN REST credentials against known vectors, and the ICE server list."""
import base64
import hashlib
import hmac
from ipaddress import ip_address

import pytest

from tlightchat.ice import ice_servers, relay_addresses, turn_credentials


def test_known_vector():
    # Computed independently: printf '1700003600:alice' | openssl dgst -sha1 -hmac s3cret -binary | base64
    assert turn_credentials("s3cret", "alice", 1_700_000_000, 3600) == (
        "1700003600:alice", "YAFdW/YDZewZsR1QSgUk2IrfbRI=")


def test_matches_the_coturn_formula():
    user, password = turn_credentials("north", "u-42", 1000.9, 60)
    assert user == "1060:u-42"
    expected = base64.b64encode(hmac.new(b"north", b"1060:u-42", hashlib.sha1).digest()).decode()
    assert password == expected


def test_ice_servers_without_turn_are_the_static_list():
    config = {"ICE_SERVERS": [{"urls": "stun:s.example:3478"}], "TURN_URLS": [], "TURN_SECRET": None,
              "TURN_TTL": 60}
    assert ice_servers(config, "u", 0) == [{"urls": "stun:s.example:3478"}]


def test_ice_servers_with_turn_carry_fresh_credentials_and_never_the_secret():
    config = {"ICE_SERVERS": [], "TURN_URLS": ["turn:127.0.0.1:3478"], "TURN_SECRET": "topsecret",
              "TURN_TTL": 600}
    [turn] = ice_servers(config, "u1", 5000)
    assert turn["urls"] == ["turn:127.0.0.1:3478"] and turn["username"] == "5600:u1"
    assert "topsecret" not in repr(turn)
    later = ice_servers(config, "u1", 6000)[0]
    assert later["credential"] != turn["credential"]


def test_relay_addresses_are_the_turn_hosts_and_the_configured_relay_addresses():
    """What a relay-only side's relay candidates may name (docs/protocol.md, "Address
    privacy"): each TURN URL's host resolved, IPv6 in brackets, ICE_SERVERS' turn: URLs,
    and TURN_RELAY_ADDRESSES; a host that does not resolve adds nothing."""
    config = {"TURN_URLS": ["turn:127.0.0.2:3478?transport=udp", "turns:[::1]:443?transport=tcp",
                            "turn:does-not-exist.invalid:3478"],
              "ICE_SERVERS": [{"urls": "stun:127.0.0.9:3478"}, {"urls": ["turn:localhost"]}],
              "TURN_RELAY_ADDRESSES": ["198.51.100.9", "2001:db8::9"]}
    found = relay_addresses(config)
    assert {ip_address(a) for a in ("127.0.0.2", "::1", "198.51.100.9", "2001:db8::9",
                                     "127.0.0.1")} <= found
    assert ip_address("127.0.0.9") not in found  # a STUN server relays nothing
    assert relay_addresses({"TURN_URLS": [], "ICE_SERVERS": []}) == frozenset()
    with pytest.raises(ValueError):
        relay_addresses({"TURN_RELAY_ADDRESSES": ["turn.example.org"]})  # addresses, not names
