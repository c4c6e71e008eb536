"""Server → client event names are declared once (tlightchat/events.py; issue 25, item 3):
every emission in tlightchat/ names its event by a constant of events.py, and the one
writer to sockets (realtime/connections.py) refuses an undeclared name."""
import ast
from pathlib import Path

import pytest

from tlightchat import events, protocol
from tlightchat.realtime.connections import Connections

PACKAGE = Path(__file__).resolve().parents[2] / "tlightchat"
NAMESPACES = ("session", "lobby", "call", "chat", "me", "anchor", "ice", "trust")
# Writers: the argument that names the event (connections.emit(event, data, to),
# send(clientId, event, data), send_many(clientIds, event, data), send_to_user(userId, event, …)).
EVENT_ARG = {"emit": 0, "send": 1, "send_many": 1, "send_to_user": 1}


def _literal(node):
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _looks_like_event(text):
    ns, colon, name = text.partition(":")
    return bool(colon) and ns in NAMESPACES and name and set(name) <= set("abcdefghijklmnopqrstuvwxyz-")


def undeclared(source, where="<source>"):
    """What in this module's source names a server event other than by its constant:
    a writer's event given as a literal (declared or not), a server event's name
    written out (outside events.py), or any `namespace:name` string that is neither a
    server nor a client event (a typo)."""
    found = []
    server_only = events.DECLARED - set(protocol.CLIENT_EVENTS) - {events.ERROR}
    for node in ast.walk(ast.parse(source)):
        text = _literal(node)
        if text and _looks_like_event(text) and text not in events.DECLARED \
                and text not in protocol.CLIENT_EVENTS:
            found.append((node.lineno, f"{where}:{node.lineno}: {text!r} is declared nowhere"))
        elif text in server_only:
            found.append((node.lineno, f"{where}:{node.lineno}: {text!r} written out: "
                                       "name it by its constant (tlightchat/events.py)"))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver = node.func.value
            if isinstance(receiver, ast.Attribute) and receiver.attr == "emitter":
                continue  # the emitter tree's channels ("lobby"), not socket events
            at = EVENT_ARG.get(node.func.attr)
            name = _literal(node.args[at]) if at is not None and len(node.args) > at else None
            if name is not None:
                found.append((node.lineno, f"{where}:{node.lineno}: {node.func.attr}({name!r}) "
                              "names its event by a literal, not a constant of events.py"))
    return [text for _, text in sorted(found)]


def test_no_emission_in_the_package_names_an_undeclared_event():
    modules = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "events.py")
    assert len(modules) > 40
    found = [p for path in modules
             for p in undeclared(path.read_text(), str(path.relative_to(PACKAGE.parent)))]
    assert found == []


def test_the_scan_finds_an_undeclared_emission_and_a_misspelt_event():
    source = ("self.connections.emit('session:welcom', {}, to=sid)\n"
              "hub.send_to_user(uid, 'chat:mesage', {})\n"
              "connections.send_many(ids, 'notice', {})\n"
              "self.root.emitter.emit('lobby', to, event, data)\n"
              "connections.send(cid, 'lobby:count', {})\n"
              "msgs.append((key, 'call:rang', data))\n")
    literal = "names its event by a literal, not a constant of events.py"
    assert undeclared(source, "m.py") == [
        "m.py:1: 'session:welcom' is declared nowhere",
        f"m.py:1: emit('session:welcom') {literal}",
        "m.py:2: 'chat:mesage' is declared nowhere",
        f"m.py:2: send_to_user('chat:mesage') {literal}",
        f"m.py:3: send_many('notice') {literal}",
        "m.py:5: 'lobby:count' written out: name it by its constant (tlightchat/events.py)",
        f"m.py:5: send('lobby:count') {literal}",
        "m.py:6: 'call:rang' is declared nowhere",
    ]
    # a client event's name is how its handler registers: not an emission
    assert undeclared("@handles('call:signal')\ndef f(): pass\n") == []
    assert undeclared("connections.emit(E.LOBBY_COUNT, {}, to=sid)\n") == []


def test_every_declared_server_event_is_a_constant_of_events_py_once():
    constants = {v for k, v in vars(events).items() if k.isupper() and isinstance(v, str)}
    assert constants == set(events.SERVER_EVENTS) == events.DECLARED
    assert len(events.SERVER_EVENTS) == len(events.DECLARED)
    assert protocol.SERVER_EVENTS is events.SERVER_EVENTS


class _SocketIO:
    def __init__(self):
        self.sent = []

    def emit(self, event, data, to):
        self.sent.append((event, data, to))

    def start_background_task(self, fn, *args):  # pragma: no cover - not used here
        raise AssertionError("no background work expected")


def test_the_socket_writer_refuses_an_undeclared_event():
    sio = _SocketIO()
    connections = Connections(sio, rate=(10, 10), clock=lambda: 0.0)
    connections.emit(events.LOBBY_COUNT, {"online": 1}, to="sid-1")
    with pytest.raises(LookupError, match="lobby:counted"):
        connections.emit("lobby:counted", {}, to="sid-1")
    with pytest.raises(LookupError):
        connections.emit("notice", {}, to=["sid-1", "sid-2"])
    assert sio.sent == [("lobby:count", {"online": 1}, "sid-1")]
    assert not connections.in_write(), "a refused write leaves no write open"
