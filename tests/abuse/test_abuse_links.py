"""Call links under attack (issue 27): guessing, reuse after turning off, another
person's slot or link, a token kept in the database."""
import secrets

import pytest
from sqlalchemy import select

from tests.support.clients import Tab, form_token


@pytest.fixture
def app(database_url):
    from tlightchat import create_app

    return create_app({"DATABASE_URL": database_url, "TESTING": True,
                       "CALL_LINK_VISITS_PER_ADDRESS": 5, "CALL_LINK_VISIT_WINDOW": 600})


@pytest.fixture
def maker(tab):
    ann = tab()
    ann.anchor = ann.new_anchor("Ann slot")
    return ann


def test_guessing_is_counted_per_address_and_stopped(app):
    browser = app.test_client()
    for _ in range(5):
        assert browser.get(f"/l/{secrets.token_urlsafe(24)}").status_code == 404
    stopped = browser.get(f"/l/{secrets.token_urlsafe(24)}")
    assert stopped.status_code == 429 and int(stopped.headers["Retry-After"]) > 0
    # the same address through the socket is the same count
    visitor = Tab(app)
    ack = visitor.ask("link:open", {"token": secrets.token_urlsafe(24)})
    assert ack["error"]["code"] == "rate-limited" and ack["error"]["retryAfterMs"] > 0


def test_a_real_link_is_refused_too_once_the_address_is_over_its_count(app, maker):
    token = maker.ask("link:create", {"anchorId": maker.anchor})["token"]
    browser = app.test_client()
    for _ in range(5):
        browser.get("/l/" + "A" * 32)
    assert browser.get(f"/l/{token}").status_code == 429  # guessing buys no extra tries


def test_the_database_keeps_no_token(app, maker):
    from tlightchat.models import CallLink

    token = maker.ask("link:create", {"anchorId": maker.anchor})["token"]
    with app.extensions["tlightchat"].db.session() as s:
        row = s.scalar(select(CallLink))
        assert token not in (row.token_hash, row.anchor_id, row.anchor_name)


def test_a_turned_off_link_stays_off(app, maker):
    token = maker.ask("link:create", {"anchorId": maker.anchor})["token"]
    link_id = app.extensions["tlightchat"].context.links.mine(maker.user_id)[0]["id"]
    csrf = form_token(maker.browser, "/me")
    maker.browser.post(f"/me/links/{link_id}/revoke", data={"csrf_token": csrf})
    visitor = Tab(app)
    visitor.new_anchor()
    for _ in range(2):  # reuse, twice: refused each time
        assert visitor.ask("link:open", {"token": token})["error"]["code"] == "not-found"


def test_nobody_else_can_turn_off_or_list_a_link(app, maker):
    maker.ask("link:create", {"anchorId": maker.anchor})
    link_id = app.extensions["tlightchat"].context.links.mine(maker.user_id)[0]["id"]
    other = Tab(app)
    csrf = form_token(other.browser, "/me")
    assert f'data-link-id="{link_id}"' not in other.browser.get("/me").get_data(as_text=True)
    other.browser.post(f"/me/links/{link_id}/revoke", data={"csrf_token": csrf})
    assert app.extensions["tlightchat"].context.links.mine(maker.user_id)  # still on
    # without the form's CSRF token nothing is done either
    assert maker.browser.post(f"/me/links/{link_id}/revoke").status_code == 400


def test_a_link_to_another_persons_slot_is_refused(app, maker):
    other = Tab(app)
    ack = other.ask("link:create", {"anchorId": maker.anchor})
    assert ack["error"]["code"] == "forbidden"


@pytest.mark.parametrize("payload", [{"token": "x" * 65}, {"token": 5}, {},
                                     {"token": "a" * 32, "extra": 1}])
def test_malformed_link_open_is_refused_before_anything_counts(app, payload):
    visitor = Tab(app)
    assert visitor.ask("link:open", payload)["error"]["code"] == "invalid-payload"


def test_ones_own_link_does_not_ring_oneself(app, maker):
    token = maker.ask("link:create", {"anchorId": maker.anchor})["token"]
    assert maker.ask("link:open", {"token": token})["error"]["code"] == "invalid-state"


def test_link_count_per_maker_is_bounded(app, maker, monkeypatch):
    from tlightchat.reach import links

    monkeypatch.setattr(links, "MAX_LIVE_LINKS", 3)
    for _ in range(3):
        assert maker.ask("link:create", {"anchorId": maker.anchor})["ok"]
    assert maker.ask("link:create", {"anchorId": maker.anchor})["error"]["code"] == "limit"
