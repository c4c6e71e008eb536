"""The lobby: two browsers on /call see each other by display name."""
from .pages import CallPage


def test_two_browsers_see_each_other_in_the_lobby(server, browsers):
    a = CallPage(browsers(), server).open()
    b = CallPage(browsers(), server).open()
    a.wait_sees(b)
    b.wait_sees(a)
    assert a.name != b.name
    assert b.name in a.lobby_names() and a.name in b.lobby_names()
    # Each sees itself too, marked as "you", and the other's slot as free to call.
    assert a.js("return document.querySelector('.lobby-user.is-me .name').textContent") == a.name
    assert b.lobby_anchor_status(a.anchor) == "online"
    # The chat panel's unread badge has its place in every user row.
    assert a.js("return !!document.querySelector(`.lobby-user[data-user-id='${arguments[0]}'] "
                ".unread[data-unread-for='${arguments[0]}'][hidden]`)", b.user_id)
