"""Decline on a push ring's notification (issue 27, "what is left" 1): the worker posts the
ring's opaque id; every device stops ringing and the visitor's page hears "declined" at
once instead of asking again until the ring times out."""
import json

import pytest

from tests.support.clients import Tab
from tests.support.push_endpoint import maker_with_devices, push_app, push_service

app = pytest.fixture(name="app")(push_app)
service = pytest.fixture(name="service")(push_service)


@pytest.fixture
def ringing(app, tab, service):
    """Ann (page closed, two devices) is rung through her link by Vera."""
    ann, token, devices = maker_with_devices(tab, service)
    vera = Tab(app)
    vera.new_anchor()
    assert vera.ask("link:open", {"token": token})["error"]["retryAfterMs"] > 0
    ring_id = [json.loads(service.received.get_nowait()[2]) for _ in devices][0]["id"]
    return ann, vera, token, ring_id, devices


def test_decline_stops_every_device_and_the_visitor_hears_it_at_once(ringing, service):
    ann, vera, token, ring_id, devices = ringing
    # the worker's request: the cookie, JSON, no CSRF token (it has no page)
    answer = ann.browser.post(f"/me/rings/{ring_id}/decline", json={})
    assert answer.status_code == 200 and answer.get_json() == {"ok": True}
    ended = [json.loads(service.received.get_nowait()[2]) for _ in devices]
    assert ended == [{"type": "ring-end", "id": ring_id}] * 2
    said = vera.ask("link:open", {"token": token})["error"]
    assert said["code"] == "unavailable" and "declined" in said["message"]
    assert "retryAfterMs" not in said  # the page stops asking
    # declined once: the ring is over, so a later try is a new ring, and the id is spent
    assert ann.browser.post(f"/me/rings/{ring_id}/decline", json={}).status_code == 404


def test_only_the_rung_person_with_json_and_the_right_id_declines(app, ringing, service):
    ann, vera, token, ring_id, _devices = ringing
    assert vera.browser.post(f"/me/rings/{ring_id}/decline", json={}).status_code == 404  # not hers
    assert ann.browser.post("/me/rings/wrong-id/decline", json={}).status_code == 404
    assert ann.browser.post(f"/me/rings/{'x' * 40}/decline", json={}).status_code == 404
    # a form post (what another site could send with her cookie) is refused
    assert ann.browser.post(f"/me/rings/{ring_id}/decline", data={"a": "b"}).status_code == 400
    assert service.received.empty()
    said = vera.ask("link:open", {"token": token})["error"]
    assert said["retryAfterMs"] > 0  # still ringing


def test_accept_asks_whose_ring_it_is_and_only_the_rung_person_hears(app, ringing):
    ann, vera, token, ring_id, _devices = ringing
    assert ann.browser.get(f"/me/rings/{ring_id}").get_json() == {"ok": True, "caller": vera.user_id}
    assert vera.browser.get(f"/me/rings/{ring_id}").status_code == 404  # not hers to accept
    assert ann.browser.get("/me/rings/wrong-id").status_code == 404
    ann.browser.post(f"/me/rings/{ring_id}/decline", json={})
    assert ann.browser.get(f"/me/rings/{ring_id}").status_code == 404  # declined: over


def test_a_block_stops_the_devices_ringing_and_the_link_meets_it(app, ringing, service):
    """Ann blocks Vera (from another page) while Vera's ring is on Ann's devices: every
    device stops ringing at once (review: they rang on until the ring ran out), and Vera's
    next try meets the block as anyone's would."""
    ann, vera, token, ring_id, devices = ringing
    page = Tab(app, browser=ann.browser)
    assert page.ask("safety:block", {"userId": vera.user_id})["ok"]
    ended = [json.loads(service.received.get_nowait()[2]) for _ in devices]
    assert ended == [{"type": "ring-end", "id": ring_id}] * 2
    assert ann.browser.post(f"/me/rings/{ring_id}/decline", json={}).status_code == 404  # over
    said = vera.ask("link:open", {"token": token})["error"]
    assert said["code"] == "unavailable" and "retryAfterMs" not in said
