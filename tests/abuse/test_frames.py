"""Packet sizes agree with docs/protocol.md: a packet over 128 KiB is answered
`payload-too-large` (and the connection serves on) up to the 1 MiB a frame may have;
only a frame over 1 MiB closes the connection (issue 23, item 8)."""
import pytest

from e2e.conftest import serve
from tlightchat.realtime.wire import MAX_FRAME_BYTES, MAX_PACKET_CHARS

from tests.support.rawsio import RawSocket

KIB = 1024


@pytest.fixture(scope="module")
def server():
    yield from serve(TLC_LOG_LEVEL="INFO")


def frame(ack_id, size):
    """An event packet of exactly `size` characters (one name field filled up)."""
    head = f'42{ack_id}["me:rename",{{"displayName":"'
    return head + "x" * (size - len(head) - 3) + '"}]'


@pytest.mark.parametrize("size", [MAX_PACKET_CHARS + 1, 129 * KIB, 200 * KIB, 512 * KIB,
                                  MAX_FRAME_BYTES - 1, MAX_FRAME_BYTES])
def test_a_packet_over_128_kib_is_answered_payload_too_large(server, size):
    sock = RawSocket(server.url)
    try:
        sock.send(frame(1, size))
        ack = sock.ack(1, timeout=10)
        assert ack["ok"] is False and ack["error"]["code"] == "payload-too-large", ack
        assert sock.ask(2, "me:state")["ok"]  # and it serves on
    finally:
        sock.close()


def test_a_frame_over_1_mib_closes_the_connection(server):
    sock = RawSocket(server.url)
    try:
        sock.send(frame(1, MAX_FRAME_BYTES + 1))
        assert sock.wait_closed(timeout=10)
    finally:
        sock.close()
