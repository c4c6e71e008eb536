"""The lobby: two browsers on /call see each other by display name."""
from .pages import CallPage, open_pages


def test_two_browsers_see_each_other_in_the_lobby(server, browsers):
    a, b = open_pages(server, browsers, 2)
    assert a.name != b.name
    assert b.name in a.lobby_names() and a.name in b.lobby_names()
    # Each sees itself too, marked as "you", and the other's slot as free to call.
    assert a.js("return document.querySelector('.lobby-user.is-me .name').textContent") == a.name
    assert b.lobby_anchor_status(a.anchor) == "online"
    # The chat panel's unread badge has its place in every user row.
    assert a.js("return !!document.querySelector(`.lobby-user[data-user-id='${arguments[0]}'] "
                ".unread[data-unread-for='${arguments[0]}']`)", b.user_id)


def test_forced_polling_and_a_rename_reach_the_other_browser(server, browsers):
    a = CallPage(browsers(), server).open()
    polled = CallPage(browsers(), server, "?transport=polling").open()
    polled.wait_sees(a)
    assert polled.js("return window.tlc.signaling.transport") == "polling"
    assert "polling" in polled.js("return document.querySelector('#conn').textContent")
    field = polled.driver.find_element("id", "me-name")
    field.clear()
    field.send_keys("Polly Polling\n")
    for page in (a, polled):
        page.wait("return [...document.querySelectorAll('#lobby-list .name')]"
                  ".some((e) => e.textContent === 'Polly Polling')", 3.0, "rename seen in the lobby")
    assert polled.js("return document.querySelector('#nav-me').textContent") == "Polly Polling"
