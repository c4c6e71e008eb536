"""Knocking on a running call in real browsers (issue 27, "a knock on a running call is
admitted and denied"): Ann and Bo are in a call; Ann makes a join link; a guest in a fresh
browser opens it, names itself on the pre-join screen and asks to join; both parties see
"<name> asks to join"; Bo admits, and the guest's page joins with media moving on every
party tile. Then a second fresh browser knocks and Ann denies: its page says so in words.
Three to four browsers on two cores: low resolution, and rings that outlast a stall."""
import pytest

from .conftest import serve
from .group import assert_parties_flow, low_res
from .pages import CallPage, open_pages

FLOW_S = 30.0


@pytest.fixture(scope="module")
def server():
    yield from serve(TLC_CALL_LINK_VISITS_PER_ADDRESS="1000", TLC_RING_TIMEOUT="60")


def knock_from_a_fresh_browser(browsers, server, url, name):
    driver = browsers()
    driver.get(url)
    page = CallPage(driver, server)
    page.name = name
    field = driver.find_element("css selector", "#join-name")
    assert field.get_attribute("required") is not None  # never seen here: a name first
    field.send_keys(name)
    driver.find_element("css selector", "#join-knock").click()
    page.wait("return document.body.dataset.knock === 'asking'", 15.0, f"{name} asks to join")
    assert page.js("return location.hash") == ""  # the token left the address bar
    return page


def wait_ask(page, name):
    return page.wait("""
        const card = [...document.querySelectorAll('.knock-ask')].find((c) => c.textContent.includes(arguments[0]));
        return card && card.getAttribute('role') === 'alert' && card.dataset.knockId;
    """, 10.0, f"{page.name} sees {name} ask to join", name)


def answer(page, knock_id, action):
    page.driver.find_element("css selector", f".knock-ask[data-knock-id='{knock_id}'] .knock-{action}").click()


def test_a_knock_is_admitted_with_media_and_a_second_is_denied(server, browsers):
    ann, bo = open_pages(server, browsers, 2)
    for page, name in ((ann, "Ann"), (bo, "Bo")):
        page.rename(name)
        low_res(page)
    a, b = ann.anchor, bo.anchor
    ann.click_call(bo)
    bo.wait_phase(b, "ringing-in", 10.0)
    bo.click(b, "accept")
    ann.wait_phase(a, "connected", FLOW_S)

    ann.driver.find_element("css selector", "#knock-link-make").click()
    url = ann.wait("const u = document.querySelector('#link-url'); return !u.hidden && u.value",
                   10.0, "the join link shown")
    assert url.startswith(server.url + "/join/")

    guest = knock_from_a_fresh_browser(browsers, server, url, "Knock Guest")
    knock_id = wait_ask(ann, "Knock Guest")
    assert wait_ask(bo, "Knock Guest") == knock_id
    answer(bo, knock_id, "admit")
    ann.wait("return !document.querySelector(`.knock-ask[data-knock-id='${arguments[0]}']`)", 10.0,
             "one answer settles it for Ann too", knock_id)
    low_res(guest)
    g = guest.wait("return document.querySelector('.tile[data-call-id]')?.dataset.anchorId",
                   FLOW_S, "the guest's slot in the call")
    assert_parties_flow((ann, a, [b, g]), (bo, b, [a, g]), (guest, g, [a, b]), timeout=FLOW_S)

    denied = knock_from_a_fresh_browser(browsers, server, url, "Second Guest")
    second = wait_ask(ann, "Second Guest")
    answer(ann, second, "deny")
    denied.wait("return document.body.dataset.knock === 'denied'", 10.0, "the knocker hears no")
    assert "not let in" in denied.js("return document.querySelector('#notice').textContent")
    bo.wait("return !document.querySelector('.knock-ask')", 10.0, "the card goes for Bo too")
