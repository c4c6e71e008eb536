"""Call links (issue 27): made on a slot, opened by someone who is not on the site,
expired and turned off with their sentences (tlightchat/reach/, web/links.py)."""
import re

import pytest

from tests.support.clients import Tab, form_token


@pytest.fixture
def maker(app, tab, clock):
    app.extensions["tlightchat"].context.links.clock = clock  # expiry on the test's clock
    ann = tab()
    ann.anchor = ann.new_anchor("Ann slot")
    ann.clear()
    return ann


def make_link(tab, **extra):
    ack = tab.ask("link:create", {"anchorId": tab.anchor, **extra})
    assert ack["ok"], ack
    return ack


def test_a_link_is_a_long_random_token_that_opens_the_pre_join_screen(app, maker):
    ack = make_link(maker)
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", ack["token"])  # 192 bits
    assert ack["expiresAt"] == (1_000_000 + 24 * 3600) * 1000  # CALL_LINK_TTL
    page = app.test_client().get(f"/l/{ack['token']}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Ann slot" in body and 'id="join-preview"' in body and 'id="connectivity-run"' in body
    # a browser never seen here must name itself
    assert re.search(r'id="join-name"[^>]*required', body)


def test_a_never_seen_visitor_names_itself_then_opens_the_link_and_rings_the_slot(app, maker):
    token = make_link(maker)["token"]
    browser = app.test_client()
    browser.get(f"/l/{token}")
    csrf = form_token(browser, f"/l/{token}")
    refused = browser.post(f"/l/{token}", data={"csrf_token": csrf, "displayName": ""})
    assert refused.status_code == 400  # no name: asked again
    went = browser.post(f"/l/{token}", data={"csrf_token": csrf, "displayName": "Visiting Vera"})
    assert went.status_code == 303 and went.location.endswith(f"call#link={token}")
    guest = Tab(app, browser=browser)
    assert guest.welcome["user"]["displayName"] == "Visiting Vera"
    mine = guest.new_anchor()
    opened = guest.ask("link:open", {"token": token})
    assert opened["ok"] and opened["anchorId"] == maker.anchor
    assert opened["user"]["id"] == maker.user_id
    assert guest.ask("call:invite", {"fromAnchorId": mine, "toAnchorId": opened["anchorId"]})["ok"]
    ring = maker.events("call:ring")
    assert ring and ring[0]["toAnchorId"] == maker.anchor


def test_the_link_follows_the_slot_by_name_after_a_reload(app, maker):
    token = make_link(maker)["token"]
    again = maker.second_tab()  # the reloaded page: new client, same slot name
    new_slot = again.new_anchor("Ann slot")
    maker.sio.disconnect()
    visitor = Tab(app)
    visitor.new_anchor()
    assert visitor.ask("link:open", {"token": token})["anchorId"] == new_slot


def test_an_expired_link_says_so_on_the_page_and_on_the_socket(app, maker, clock):
    token = make_link(maker)["token"]
    clock.advance(24 * 3600 - 1)
    assert app.test_client().get(f"/l/{token}").status_code == 200  # still works
    clock.advance(2)
    page = app.test_client().get(f"/l/{token}")
    assert page.status_code == 410
    assert "This call link has expired. Ask the person who sent it for a new one." in \
        page.get_data(as_text=True)
    visitor = Tab(app)
    ack = visitor.ask("link:open", {"token": token})
    assert ack["error"]["code"] == "not-found" and "expired" in ack["error"]["message"]


def test_a_lasting_link_outlives_the_ttl(app, maker, clock):
    ack = make_link(maker, lasting=True)
    assert ack["expiresAt"] is None
    clock.advance(365 * 24 * 3600)
    assert app.test_client().get(f"/l/{ack['token']}").status_code == 200


def test_me_lists_the_links_and_turning_one_off_refuses_it_with_its_sentence(app, maker):
    token = make_link(maker)["token"]
    me = maker.browser.get("/me").get_data(as_text=True)
    link_id = re.search(r'data-link-id="(\d+)"', me).group(1)
    assert "Ann slot" in me and token not in me  # shown once, to its maker, at creation
    csrf = form_token(maker.browser, "/me")
    off = maker.browser.post(f"/me/links/{link_id}/revoke", data={"csrf_token": csrf})
    assert off.status_code == 303
    assert 'data-link-id="' not in maker.browser.get("/me").get_data(as_text=True)
    page = app.test_client().get(f"/l/{token}")
    assert page.status_code == 410 and "turned off by the person who made it" in \
        page.get_data(as_text=True)


def test_a_link_to_a_person_who_is_not_online_says_so(app, maker):
    token = make_link(maker)["token"]
    maker.sio.disconnect()
    visitor = Tab(app)
    visitor.new_anchor()
    ack = visitor.ask("link:open", {"token": token})
    assert ack["error"]["code"] == "unavailable"
