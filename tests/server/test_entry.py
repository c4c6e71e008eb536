"""app.py, the production entry point: what it does to the sockets it serves."""
import socket

import app as entry


def test_accepted_connections_have_nagle_off():
    """Without TCP_NODELAY an event followed by its ack waited for the client's delayed
    ACK (44-61 ms per round trip, measured); the listener's setting reaches every
    socket it accepts."""
    listener = entry.no_delay(socket.create_server(("127.0.0.1", 0)))
    client = socket.create_connection(listener.getsockname(), timeout=5)
    accepted, _ = listener.accept()
    try:
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        for s in (accepted, client, listener):
            s.close()


def test_without_it_an_accepted_socket_would_delay():
    listener = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(listener.getsockname(), timeout=5)
    accepted, _ = listener.accept()
    try:
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
    finally:
        for s in (accepted, client, listener):
            s.close()
