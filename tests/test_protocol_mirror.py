"""static/js/protocol.js and docs/protocol.md name exactly the events protocol.py does."""
import os
import re

from tlightchat.protocol import CLIENT_EVENTS, SERVER_EVENTS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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
