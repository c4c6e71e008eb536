"""A raw Engine.IO / Socket.IO client for abuse tests: it speaks the wire format by hand
(text frames over a WebSocket, or long-polling HTTP), so a test can send exactly the
packets an attacker would, malformed ones included, and read every packet back.

Packets: Engine.IO "4" (message) + Socket.IO type ("0" connect, "2" event, "3" ack,
"5" binary event) + optional ack id + JSON. So `421["me:state"]` is event `me:state`
with ack id 1, answered by `431[{...}]`.
"""
import json
import re
import time

import requests
import websocket


class Closed(Exception):
    """The server closed the connection."""


def guest_session(url):
    """A requests session holding a fresh guest identity cookie."""
    http = requests.Session()
    http.get(url + "/", timeout=10).raise_for_status()
    return http


def cookie_header(http):
    return "; ".join(f"{k}={v}" for k, v in http.cookies.items())


class RawSocket:
    """One WebSocket-transport Socket.IO connection on the default namespace."""

    def __init__(self, url, http=None, connect=True, timeout=10):
        self.http = http or guest_session(url)
        ws_url = url.replace("http://", "ws://", 1) + "/socket.io/?EIO=4&transport=websocket"
        self.ws = websocket.create_connection(ws_url, cookie=cookie_header(self.http),
                                              timeout=timeout)
        opening = self.ws.recv()
        assert opening.startswith("0{"), opening
        self.eio_sid = json.loads(opening[1:])["sid"]
        self.inbox = []
        self.closed = False
        if connect:
            self.send("40")
            self.sid = json.loads(self.expect(lambda p: p.startswith("0{"))[1:])["sid"]
            self.welcome = self.event("session:welcome")

    def send(self, text):
        if isinstance(text, bytes):
            self.ws.send_binary(text)
        else:
            self.ws.send(text)

    def _read(self, deadline):
        """One Socket.IO packet (Engine.IO "4" stripped), answering pings on the way."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no packet in time")
            self.ws.settimeout(left)
            try:
                frame = self.ws.recv()
            except websocket.WebSocketTimeoutException:
                raise TimeoutError("no packet in time") from None
            except (websocket.WebSocketException, ConnectionError, OSError):
                self.closed = True
                raise Closed() from None
            if frame == "" or frame is None:
                self.closed = True
                raise Closed()
            if frame == "2":
                self.ws.send("3")
                continue
            if frame == "1":  # Engine.IO close
                self.closed = True
                raise Closed()
            if isinstance(frame, str) and frame.startswith("4"):
                return frame[1:]

    def expect(self, match, timeout=5):
        """The first packet (earlier ones stay in the inbox) for which match(packet)."""
        for i, packet in enumerate(self.inbox):
            if match(packet):
                return self.inbox.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            packet = self._read(deadline)
            if match(packet):
                return packet
            self.inbox.append(packet)

    def event(self, name, timeout=5):
        """The payload of the next `name` event."""
        prefix = "2" + json.dumps([name])[:-1] + ","
        return json.loads(self.expect(lambda p: p.startswith(prefix), timeout)[1:])[1]

    def ack(self, ack_id, timeout=5):
        """The (single) argument of the ack with this id."""
        head = re.compile(rf"^3{ack_id}\[")
        return json.loads(self.expect(lambda p: bool(head.match(p)), timeout)[1 + len(str(ack_id)):])[0]

    def ask(self, ack_id, event, *args, timeout=5):
        self.send("42" + str(ack_id) + json.dumps([event, *args]))
        return self.ack(ack_id, timeout)

    def names(self):
        """Event names waiting in the inbox (drains what has arrived, without waiting)."""
        try:
            while True:
                self.inbox.append(self._read(time.monotonic() + 0.05))
        except TimeoutError:
            pass
        return [json.loads(p[1:])[0] for p in self.inbox if p.startswith("2[")]

    def wait_closed(self, timeout=5):
        """True once the server closed the connection (within timeout)."""
        deadline = time.monotonic() + timeout
        try:
            while True:
                self.inbox.append(self._read(deadline))
        except Closed:
            return True
        except TimeoutError:
            return False

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass
