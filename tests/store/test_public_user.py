"""One public shape of a person (issue 25, item 3): the lobby's users and a chat
conversation's peer are both tlightchat.names.public_user, {id, displayName} and what
each audience is told besides (the lobby a tag, the chat whether it is an account)."""
from types import SimpleNamespace

from tlightchat import names
from tlightchat.chat import messages
from tlightchat.store import selectors


def test_the_shape():
    assert names.public_user("u1", "Ann") == {"id": "u1", "displayName": "Ann"}
    assert names.public_user("u1", None, account=None) == {
        "id": "u1", "displayName": None, "account": None}


def test_the_lobby_user_and_the_chat_peer_are_that_shape(monkeypatch):
    lobby = selectors.public_user({"id": "u1", "displayName": "Ann", "sessions": 3})
    assert lobby == {"id": "u1", "displayName": "Ann", "tag": names.name_tag("u1"),
                     "account": False}
    peer = messages.public_peer(SimpleNamespace(id="u2", display_name="Bo", is_account=True))
    assert peer == {"id": "u2", "displayName": "Bo", "account": True}
    assert messages.unknown_peer("u3") == {"id": "u3", "displayName": None, "account": None}
    # both built by the one function: a field it adds reaches both
    made = []
    real = names.public_user
    monkeypatch.setattr(names, "public_user", lambda *a, **k: made.append(a) or real(*a, **k))
    selectors.public_user({"id": "u1", "displayName": "Ann"})
    messages.public_peer(SimpleNamespace(id="u2", display_name="Bo", is_account=False))
    messages.unknown_peer("u3")
    assert made == [("u1", "Ann"), ("u2", "Bo"), ("u3", None)]
