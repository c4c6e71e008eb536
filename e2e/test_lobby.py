"""The lobby: browsers on /call see each other by display name; with a small window
(LOBBY_WINDOW) they see some of the others, find the rest by name, and keep the people
they chat with."""
from .geometry import DESKTOP, PHONE, in_viewport, rect, set_viewport
from .pages import CallPage, open_pages

LANDSCAPE = (844, 390)

# Installed before a page's own scripts (issue 33.1): the lobby rows the parsed HTML holds
# when parsing ends (readyState "interactive" comes before module scripts run), and every
# lobby row removed afterwards (a row lobby.js replaced instead of taking it over).
WATCH_ROWS = """
window.__rowsAtParse = null;
window.__rowsRemoved = [];
document.addEventListener('readystatechange', () => {
  if (document.readyState === 'interactive' && window.__rowsAtParse === null) {
    window.__rowsAtParse = [...document.querySelectorAll('#lobby-list .lobby-user')].map((r) => r.dataset.userId);
  }
});
new MutationObserver((changes) => {
  for (const change of changes) {
    for (const node of change.removedNodes) {
      if (node.classList && node.classList.contains('lobby-user')) window.__rowsRemoved.push(node.dataset.userId);
    }
  }
}).observe(document, { childList: true, subtree: true });
"""


def test_two_browsers_see_each_other_in_the_lobby(server_factory, browsers):
    # a server of its own: the rows checked below are exactly these two people's (the
    # shared one holds whoever earlier tests on this worker left there)
    server = server_factory()
    a, b = open_pages(server, browsers, 2)
    assert a.name != b.name
    assert b.name in a.lobby_names() and a.name in b.lobby_names()
    # Each sees itself too, marked as "you", and the other's slot as free to call.
    assert a.js("return document.querySelector('.lobby-user.is-me .name').textContent") == a.name
    assert b.lobby_anchor_status(a.anchor) == "online"
    # The chat panel's unread badge has its place in every user row.
    assert a.js("return !!document.querySelector(`.lobby-user[data-user-id='${arguments[0]}'] "
                ".unread[data-unread-for='${arguments[0]}']`)", b.user_id)
    # Issue 31.9: with its socket cut, A's list may be stale: it says so, and B's line
    # cannot be called from it until A is connected again.
    call_btn = "return document.querySelector(`[data-anchor-id='${arguments[0]}'] .call-btn`)"
    a.js("window.tlc.signaling.socket.disconnect()")
    a.wait(f"const b = ({call_btn.replace('return ', '')}); const n = document.querySelector('.lobby-stale');"
           " return b.disabled && !n.hidden && n.getAttribute('role') === 'status'", 5.0, "A's lobby marked stale", b.anchor)
    assert "out of date" in a.js("return document.querySelector('.lobby-stale').textContent")
    # at each size, the Call a person would press and the note saying why it waits are in
    # view together
    row_call = f"[data-anchor-id='{b.anchor}'] .call-btn"
    for size in (DESKTOP, PHONE, LANDSCAPE):
        set_viewport(a.driver, size)
        a.js("document.querySelector(arguments[0]).scrollIntoView({block: 'center'})", row_call)
        for css in (".lobby-stale", row_call):
            assert in_viewport(a.driver, css)[0], (size, css, rect(a.driver, css))
    a.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    a.js("window.tlc.signaling.socket.connect()")
    a.wait(f"return !({call_btn.replace('return ', '')}).disabled && document.querySelector('.lobby-stale').hidden",
           10.0, "A's lobby live again", b.anchor)
    # Issue 33.1: a returning visitor's /call comes with the lobby in it (B is stored since
    # its socket connected): the rows are in the HTML, so on screen before any script runs,
    # and the socket's snapshot takes them over: none removed, none twice.
    html = b.js("return fetch('/call').then((r) => r.text())")
    assert f'data-user-id="{a.user_id}"' in html and f'data-anchor-id="{a.anchor}"' in html
    b.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH_ROWS})
    b.open()
    b.wait_sees(a)
    assert sorted(b.js("return window.__rowsAtParse")) == sorted([a.user_id, b.user_id])
    assert b.js("return window.__rowsRemoved") == []
    assert b.js("return document.querySelectorAll('#lobby-list .lobby-user').length") == 2
    assert b.js("return document.querySelectorAll(`#lobby-list [data-anchor-id='${arguments[0]}']"
                ".lobby-anchor`).length", a.anchor) == 1
    # A first visit's /call carries it too (its guest, stored only when its socket
    # connects, is in it as "you"), taken over the same way.
    first = browsers()
    first.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH_ROWS})
    c = CallPage(first, server).open()
    c.wait_sees(a)
    assert sorted(c.js("return window.__rowsAtParse")) == sorted([a.user_id, b.user_id, c.user_id])
    assert c.js("return window.__rowsRemoved") == []


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


# -- a bounded lobby (LOBBY_WINDOW): a window of others, search, pinned chat partners ---

def test_a_full_window_shows_some_and_search_finds_the_others(server_factory, browsers):
    server = server_factory(TLC_LOBBY_WINDOW="1")
    a = CallPage(browsers(), server).open()
    a.rename("Ada Quokka")
    b = CallPage(browsers(), server).open()
    b.rename("Bea Wombat")
    a.wait_sees(b)
    b.wait_sees(a)
    c = CallPage(browsers(), server).open()
    # A window of one: the third sees one of the others (and itself), and is told so.
    c.wait("return document.querySelectorAll('#lobby-list .lobby-user').length === 2", 5.0,
           "the third page's lobby shows two rows")
    [shown] = [p for p in (a, b) if p.user_id in c.lobby_user_ids()]
    hidden = a if shown is b else b
    c.wait_sees(shown)
    assert c.lobby_text("#lobby-note") == \
        "Showing 2 of 3 people online — search by name to find someone."
    assert c.lobby_text("#lobby-count") == "3"
    assert c.lobby_text("#lobby-empty") is None
    # A and B each had the other in a full window when C came: lobby:count (≤ 2 s) tells.
    for page in (a, b):
        page.wait_lobby_text("#lobby-note", "Showing 2 of 3 people online", 5.0)
        assert page.lobby_text("#lobby-count") == "3" and c.user_id not in page.lobby_user_ids()

    # Part of the hidden one's name, in the wrong case: only they match (and C itself stays).
    word = hidden.name.split()[1]
    c.search_lobby(word[:4].lower())
    c.wait_lobby_users(hidden)
    c.wait_sees(hidden)
    assert c.lobby_text("#lobby-note") == f"1 matching “{word[:4].lower()}”"
    assert c.lobby_text("#lobby-count") == "3"
    # Nobody by that name: the empty state says so.
    c.search_lobby("zzz-nobody")
    c.wait_lobby_text("#lobby-empty", "No one online matches “zzz-nobody”.")
    c.wait_lobby_users()
    assert c.lobby_text("#lobby-note") is None
    # Cleared: the window again, and the line about the others.
    c.search_lobby("")
    c.wait_lobby_users(shown)
    c.wait_lobby_text("#lobby-note", "Showing 2 of 3 people online")
    assert c.lobby_text("#lobby-empty") is None and c.lobby_text("#lobby-error") is None
    # What a search finds can be called: C calls the hidden one from the results.
    c.search_lobby(word)
    c.wait_sees(hidden)
    c.click_call(hidden)
    hidden.wait_phase(hidden.anchor, "ringing-in")


def test_people_you_chat_with_stay_in_your_lobby_beyond_the_window(server_factory, browsers):
    server = server_factory(TLC_LOBBY_WINDOW="1")
    a = CallPage(browsers(), server).open()
    b = CallPage(browsers(), server).open()
    a.wait_sees(b)
    b.wait_sees(a)
    # C opens a conversation with A (a link to /call?with=<A>): A is pinned into C's view
    # whatever the window holds, and shows as online in the chat.
    c = CallPage(browsers(), server, f"?with={a.user_id}").open()
    c.wait_sees(a)
    c.wait("return document.querySelector('[data-chat-presence]').textContent === 'online'",
           5.0, "the chat shows A online")
    c.wait_lobby_users(a, b)
    assert c.lobby_text("#lobby-note") is None and c.lobby_text("#lobby-count") == "3"
    # A gets C's message: a new conversation peer, pinned at once, beyond A's window (B).
    box = c.driver.find_element("css selector", "[data-chat-input]")
    box.send_keys("hello from outside your window")
    c.driver.find_element("css selector", ".chat-send").click()
    a.wait_sees(c)
    a.wait(f"return document.querySelector(`.lobby-user[data-user-id='{c.user_id}'] .unread`)"
           ".textContent === '1'", 5.0, "A's lobby row for C shows the unread message")


def test_two_tabs_of_one_person_are_told_apart_and_share_a_rename(server, browsers):
    """Issue 15 (6): two tabs no longer read as two identical "Slot 1" rows, and a rename
    in one tab reaches the other tab's top bar."""
    driver = browsers()
    first = CallPage(driver, server).open()
    tab_one = driver.current_window_handle
    driver.switch_to.new_window("tab")
    second = CallPage(driver, server).open()
    tab_two = driver.current_window_handle
    watcher = CallPage(browsers(), server).open()
    labels = "return [...document.querySelectorAll(`.lobby-user[data-user-id='${arguments[0]}'] .anchor-label`)].map((e) => e.textContent).sort()"
    got = watcher.wait(f"const l = (() => {{ {labels} }})(); return l.length === 2 && l", 5.0,
                       "the watcher sees both tabs' slots", first.user_id)
    assert got[0] != got[1], got
    assert all(label.startswith("Line 1 · ") for label in got), got
    assert {label.rsplit("tab ", 1)[1] for label in got} == {"1", "2"}
    assert all("Chrom" in label for label in got), got  # the browser's own label
    second.rename("Two Tabs")
    driver.switch_to.window(tab_one)
    first.wait("return document.querySelector('#nav-me').textContent === 'Two Tabs'", 3.0,
               "the other tab's top bar shows the new name")
    driver.switch_to.window(tab_two)


def test_a_copied_name_is_told_apart_by_the_servers_tag(server, browsers):
    """Issue 23 item 8: two people with names that read the same each show a mark
    derived from their user id; a name of its own shows none."""
    from tlightchat.names import name_tag
    a, b, c = open_pages(server, browsers, 3)
    a.rename("Ann Lee")
    b.rename("ann  LEE")  # reads the same: case and spaces
    c.rename("Cleo")
    row = "const row = document.querySelector(`.lobby-user[data-user-id='${arguments[0]}']`);" \
          "const tag = row && row.querySelector('.name-tag');"
    shows = row + "return Boolean(tag && !tag.hidden && tag.textContent === arguments[1]);"
    for page in (a, b, c):
        for other in (a, b):
            page.wait(shows, 5.0, "the tag shown", other.user_id, f"#{name_tag(other.user_id)}")
        assert page.js(row + "return Boolean(tag && tag.hidden);", c.user_id)
    # Issue 35: all three are guests (`account: false`): each row says so, screen readers too
    guest = row + "const g = row && row.querySelector('.guest-tag');" \
        "return g && !g.hidden ? [g.firstChild.textContent, g.lastChild.textContent] : null;"
    assert a.js(guest, c.user_id) == ["guest", "(guest, not signed in)"]
