"""Web Push rings (issue 27.3) against a push service on loopback that checks the VAPID
signature and decrypts each message (tests/support/push_endpoint.py)."""
import re

import pytest

from tests.support.clients import Tab, form_token
from tests.support.push_endpoint import maker_with_devices, push_app, push_service


app = pytest.fixture(name="app")(push_app)
service = pytest.fixture(name="service")(push_service)


def subscribe(tab, sub):
    csrf = form_token(tab.browser, "/me")
    return tab.browser.post("/me/push", json=sub.as_json(), headers={"X-CSRFToken": csrf})


@pytest.fixture
def rung(app, tab, service):
    """Ann made a call link, turned on rings on two devices and closed her page."""
    return maker_with_devices(tab, service)


def test_a_link_to_a_person_with_no_page_open_rings_each_of_their_devices(app, rung, service):
    ann, token, devices = rung
    vera = Tab(app)
    vera.ask("me:rename", {"displayName": "Vera"})
    ack = vera.ask("link:open", {"token": token})
    assert ack["error"]["code"] == "unavailable" and ack["error"]["retryAfterMs"] > 0
    got = [service.received.get_nowait() for _ in devices]
    assert {id(sub) for sub, *_ in got} == {id(d) for d in devices}
    for sub, claims, payload, headers in got:
        ring = __import__("json").loads(payload)
        assert set(ring) == {"type", "id", "caller"} and ring["caller"] == "Vera"
        assert ring["type"] == "ring" and re.fullmatch(r"[A-Za-z0-9_-]{12}", ring["id"])
        assert headers["urgency"] == "high" and int(headers["ttl"]) <= 30
    # the page asks again while the devices ring: no second ring, no second visit counted
    assert vera.ask("link:open", {"token": token})["error"]["code"] == "unavailable"
    assert service.received.empty()


def test_a_subscription_the_push_service_says_is_gone_is_deleted(app, tab, service):
    ann = tab()
    ann.new_anchor()
    gone, kept = service.subscribe(status=410), service.subscribe()
    subscribe(ann, gone)
    assert subscribe(ann, kept).get_json()["devices"] == 2
    push = app.extensions["tlightchat"].context.links.push
    assert push.ring(ann.user_id, "Vera", "ring1") == 2
    assert push.devices(ann.user_id) == 1
    assert push.ring(ann.user_id, "Vera", "ring2") == 1


def test_turning_it_off_stops_the_rings(app, tab, service):
    ann = tab()
    sub = service.subscribe()
    subscribe(ann, sub)
    csrf = form_token(ann.browser, "/me")
    off = ann.browser.post("/me/push/off", json={"endpoint": sub.endpoint}, headers={"X-CSRFToken": csrf})
    assert off.get_json() == {"ok": True, "devices": 0}
    assert app.extensions["tlightchat"].context.links.push.ring(ann.user_id, "Vera", "x") == 0


def test_me_offers_the_setting(app, tab):
    ann = tab()
    page = ann.browser.get("/me").get_data(as_text=True)
    assert 'id="push-toggle"' in page and "Ring me on this device when the page is closed" in page


def test_every_device_stops_ringing_once_the_makers_page_takes_the_call(app, rung, service):
    ann, token, devices = rung
    vera = Tab(app)
    vera.new_anchor()
    vera.ask("link:open", {"token": token})
    rings = [service.received.get_nowait() for _ in devices]
    ring_id = __import__("json").loads(rings[0][2])["id"]
    back = Tab(app, browser=ann.browser)  # Accept opened her call page
    back.new_anchor("Ann slot")
    opened = vera.ask("link:open", {"token": token})
    assert opened["ok"], opened
    ended = [__import__("json").loads(service.received.get_nowait()[2]) for _ in devices]
    assert ended == [{"type": "ring-end", "id": ring_id}] * 2
    assert vera.ask("link:open", {"token": token})["ok"] and service.received.empty()
