"""static/js/protocol.js and docs/protocol.md name exactly the events protocol.py does."""
import os
import re

from tlightchat.protocol import CLIENT_EVENTS, SERVER_EVENTS
from tests.support.paths import ROOT



def js_lists():
    with open(os.path.join(ROOT, "static", "js", "protocol.js")) as f:
        source = f.read()
    constants = dict(re.findall(r"export const (\w+) = '([^']+)';", source))

    def names(list_name):
        body = re.search(list_name + r" = Object\.freeze\(\[(.*?)\]\)", source, re.S).group(1)
        return [constants[ident] for ident in re.findall(r"\b([A-Z][A-Z0-9_]+)\b", body)]

    return names("CLIENT_EVENTS"), names("SERVER_EVENTS")


def test_js_mirrors_the_client_events():
    client, _ = js_lists()
    assert sorted(client) == sorted(CLIENT_EVENTS)


def test_js_mirrors_the_server_events():
    _, server = js_lists()
    assert sorted(server) == sorted(SERVER_EVENTS)


def test_the_document_names_every_event():
    with open(os.path.join(ROOT, "docs", "protocol.md")) as f:
        doc = f.read()
    missing = [e for e in list(CLIENT_EVENTS) + list(SERVER_EVENTS) if f"`{e}`" not in doc]
    assert missing == []


def test_every_declared_event_has_exactly_one_handler_and_nothing_else_does():
    from tlightchat import protocol
    from tlightchat.realtime import hub  # noqa: F401  (imports the handler modules)

    assert sorted(protocol.HANDLERS) == sorted(CLIENT_EVENTS)
    assert len(set(protocol.HANDLERS.values())) == len(protocol.HANDLERS)
    protocol.check_registry()  # what create_app runs: no declared event is unhandled


def test_the_registry_refuses_an_undeclared_or_second_handler():
    import pytest

    from tlightchat import protocol

    with pytest.raises(LookupError):
        protocol.handles("call:teleport")(lambda hub, cid, p: {})
    with pytest.raises(ValueError):
        protocol.handles("call:invite")(lambda hub, cid, p: {})
    assert protocol.HANDLERS["call:invite"].__name__ == "call_invite"


def test_a_declared_event_without_a_handler_stops_the_app_from_starting(monkeypatch):
    import pytest

    from tlightchat import protocol

    monkeypatch.delitem(protocol.HANDLERS, "call:media")
    with pytest.raises(LookupError, match="call:media"):
        protocol.check_registry()
