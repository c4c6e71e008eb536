"""Knocking on a running call in real browsers (issue 27, "a knock on a running call is
admitted and denied"): Ann and Bo are in a call; Ann makes a join link; a guest in a fresh
browser opens it, names itself on the pre-join screen and asks to join; both parties see
"<name> asks to join"; Ann denies, and the guest's page says so in words; asking again
through that link is refused in the same words (a denied person knocks no more through
it); Bo makes another link, the guest asks through it and takes it back (Cancel: both
parties' ask goes at once), asks again, and Bo admits: the guest's page joins with media
moving on every party tile; Ann turns her link off on /me, and it says so.
Three browsers on two cores: low resolution, and rings that outlast a stall."""
import pytest

from .conftest import serve
from .group import assert_parties_flow, low_res
from .lazy import fetched
from .pages import CallPage, open_pages

FLOW_S = 30.0


@pytest.fixture(scope="module")
def server():
    yield from serve(TLC_CALL_LINK_VISITS_PER_ADDRESS="1000", TLC_RING_TIMEOUT="60")


def make_link(page):
    page.driver.find_element("css selector", "#knock-link-make").click()
    return page.wait("const u = document.querySelector('#link-url'); return !u.hidden && u.value",
                     10.0, f"{page.name}'s join link shown")


def ask_to_join(page, url, name=None, then="asking"):
    """Open the join link, (name the browser,) ask to join; the page knocks (`then`: the
    page's knock state that follows)."""
    driver = page.driver
    driver.get(url)
    field = driver.find_element("css selector", "#join-name")
    if name:
        assert field.get_attribute("required") is not None  # never seen here: a name first
        field.send_keys(name)
    driver.find_element("css selector", "#join-knock").click()
    page.wait("return document.body.dataset.knock === arguments[0]", 15.0,
              f"{page.name} asks to join ({then})", then)
    assert page.js("return location.hash") == ""  # the token left the address bar


def wait_ask(page, name):
    return page.wait("""
        const card = [...document.querySelectorAll('.knock-ask')].find((c) => c.textContent.includes(arguments[0]));
        return card && card.getAttribute('role') === 'alert' && card.dataset.knockId;
    """, 10.0, f"{page.name} sees {name} ask to join", name)


def answer(page, knock_id, action):
    page.driver.find_element("css selector", f".knock-ask[data-knock-id='{knock_id}'] .knock-{action}").click()


def test_a_knock_is_denied_then_a_second_is_admitted_with_media(server, browsers):
    ann, bo = open_pages(server, browsers, 2)
    for page, name in ((ann, "Ann"), (bo, "Bo")):
        page.rename(name)
        low_res(page)
    a, b = ann.anchor, bo.anchor
    knock = ["js/reach/knock.js", "js/views/knock-asks.js"]
    assert fetched(ann, knock) == []  # loaded on demand (issue 33.2): once in a call
    ann.click_call(bo)
    bo.wait_phase(b, "ringing-in", 10.0)
    bo.click(b, "accept")
    ann.wait_phase(a, "connected", FLOW_S)

    url = make_link(ann)
    assert fetched(ann, knock) == knock
    assert url.startswith(server.url + "/join/")

    guest = CallPage(browsers(), server)  # a fresh profile: never seen by this server
    guest.name = "Knock Guest"
    ask_to_join(guest, url, "Knock Guest")
    first = wait_ask(ann, "Knock Guest")
    assert wait_ask(bo, "Knock Guest") == first
    answer(ann, first, "deny")
    guest.wait("return document.body.dataset.knock === 'denied'", 10.0, "the knocker hears no")
    assert "not let in" in guest.js("return document.querySelector('#notice').textContent")
    bo.wait("return !document.querySelector('.knock-ask')", 10.0, "one answer settles it for Bo too")

    ask_to_join(guest, url, then="refused")  # again through that link: no
    assert "not let in" in guest.js("return document.querySelector('#notice').textContent")

    bo_link = make_link(bo)
    ask_to_join(guest, bo_link)  # through Bo's link; the guest thinks better of it
    withdrawn = wait_ask(bo, "Knock Guest")
    assert wait_ask(ann, "Knock Guest") == withdrawn
    guest.driver.find_element("css selector", "#knock-cancel").click()
    guest.wait("return document.body.dataset.knock === 'withdrawn' && document.querySelector('#knock-waiting').hidden",
               10.0, "the knocker's Cancel is taken")
    for party in (ann, bo):
        party.wait("return !document.querySelector('.knock-ask')", 10.0, f"the ask is gone for {party.name}")

    ask_to_join(guest, bo_link)  # a withdrawn knock is no deny: this time Bo admits
    # scaled while it waits, before its connections are made (e2e/group.py LOW_RES)
    low_res(guest)
    second = wait_ask(bo, "Knock Guest")
    assert second not in (first, withdrawn) and wait_ask(ann, "Knock Guest") == second
    answer(bo, second, "admit")
    ann.wait("return !document.querySelector('.knock-ask')", 10.0, "one answer settles it for Ann too")
    g = guest.wait("return document.querySelector('.tile[data-call-id]')?.dataset.anchorId",
                   FLOW_S, "the guest's slot in the call")
    assert_parties_flow((ann, a, [b, g]), (bo, b, [a, g]), (guest, g, [a, b]), timeout=FLOW_S)
    # Chat from the call: the call's own conversation, of the three of them
    guest.click(g, "chat")
    key = guest.js("return window.tlc.store.getState().calls[arguments[0]].conversationId", g)
    assert key and key.startswith("call."), key
    guest.wait("return window.tlc.chat?.active === arguments[0]", 10.0, "the call's conversation open", key)

    # Ann turns her link off on /me (another tab: her call goes on); then it says so.
    call_tab = ann.driver.current_window_handle
    ann.driver.switch_to.new_window("tab")
    ann.driver.get(server.url + "/me")
    ann.driver.find_element("css selector", "#join-links li button[type=submit]").click()
    ann.wait("return location.pathname === '/me' && !document.querySelector('#join-links')"
             " && document.querySelector('.flash.ok')?.textContent.includes('Join link turned off')",
             10.0, "Ann's /me after turning her join link off")
    ann.driver.close()
    ann.driver.switch_to.window(call_tab)
    guest.driver.get(url)
    assert "was turned off" in guest.driver.find_element("css selector", "#link-refusal").text
