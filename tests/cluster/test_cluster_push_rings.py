"""Issue 27.3 in a cluster: a push ring made on one node is the same ring on every node.
The visitor opened the link on node 1, but the notification's Decline and Accept (and a
block, and the visitor's page asking again) may reach node 2: before, the ring lived in
node 1's memory, so node 2 answered 404, Decline did not stop the ring, Accept did not
accept, and the visitor's next try rang the devices again. The last two tests check the
table itself (SQLite and PostgreSQL): swept when past its time, one ring at a time."""
import json
import secrets
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from tests.support.accounts import COOKIE
from tests.support.clients import FakeClock, Tab
from tests.support.push_endpoint import maker_with_devices, push_service
from tlightchat import create_app
from tlightchat.models import DeviceRing
from tlightchat.reach.links import TOKEN_SHAPE, token_hash


def node(nodes, name):
    app = nodes(name, PUSH_INSECURE_HOSTS=["127.0.0.1"])
    app.extensions["tlightchat"].context.links.push.spawn = lambda fn, *args: fn(*args)
    return app


def elsewhere(browser, app):
    """The same browser (its cookie), served by another node."""
    other = app.test_client()
    other.set_cookie(COOKIE, browser.get_cookie(COOKIE).value)
    return other


@pytest.fixture
def cluster(nodes):  # noqa: F811
    return node(nodes, "n1"), node(nodes, "n2")


@pytest.fixture
def service(cluster):
    yield from push_service(cluster[0])  # both nodes sign with the instance's one key


@pytest.fixture
def ringing(cluster, service):
    """Ann (page closed, two devices) is rung through her link by Vera, on node 1."""
    n1, _n2 = cluster
    ann, token, devices = maker_with_devices(lambda: Tab(n1), service)
    vera = Tab(n1)
    vera.new_anchor()
    assert vera.ask("link:open", {"token": token})["error"]["retryAfterMs"] > 0
    rings = [json.loads(service.received.get_nowait()[2]) for _ in devices]
    assert {r["type"] for r in rings} == {"ring"} and len({r["id"] for r in rings}) == 1
    return ann, vera, token, rings[0]["id"], devices


def test_decline_on_another_node_stops_the_ring_everywhere(cluster, ringing, service):
    n1, n2 = cluster
    ann, vera, token, ring_id, devices = ringing
    # the visitor's page asks again through node 2: the same ring, not a second one
    again = Tab(n2, browser=elsewhere(vera.browser, n2))
    assert again.ask("link:open", {"token": token})["error"]["retryAfterMs"] > 0
    assert service.received.empty()
    far = elsewhere(ann.browser, n2)  # the worker's Decline reaches node 2
    answer = far.post(f"/me/rings/{ring_id}/decline", json={})
    assert answer.status_code == 200 and answer.get_json() == {"ok": True}
    ended = [json.loads(service.received.get_nowait()[2]) for _ in devices]
    assert ended == [{"type": "ring-end", "id": ring_id}] * 2
    said = vera.ask("link:open", {"token": token})["error"]  # node 1 hears it
    assert said["code"] == "unavailable" and "declined" in said["message"]
    assert "retryAfterMs" not in said
    assert ann.browser.post(f"/me/rings/{ring_id}/decline", json={}).status_code == 404  # over
    assert service.received.empty()


def test_accept_on_another_node_finds_who_rang(cluster, ringing):
    n1, n2 = cluster
    ann, vera, _token, ring_id, _devices = ringing
    far = elsewhere(ann.browser, n2)  # Accept's page opened through node 2
    assert far.get(f"/me/rings/{ring_id}").get_json() == {"ok": True, "caller": vera.user_id}
    assert elsewhere(vera.browser, n2).get(f"/me/rings/{ring_id}").status_code == 404  # not hers
    assert far.get("/me/rings/wrong-id").status_code == 404


def test_the_page_that_opened_on_another_node_stops_every_device(cluster, ringing, service):
    """Ann's call page opens through node 2; the visitor's next try (node 1) finds her slot
    and every device stops ringing once; Accept's page still finds who rang."""
    n1, n2 = cluster
    ann, vera, token, ring_id, devices = ringing
    page = Tab(n2, browser=elsewhere(ann.browser, n2))
    page.new_anchor("Ann slot")
    found = vera.ask("link:open", {"token": token})
    assert found["anchorName"] == "Ann slot", found
    ended = [json.loads(service.received.get_nowait()[2]) for _ in devices]
    assert ended == [{"type": "ring-end", "id": ring_id}] * 2
    assert page.browser.get(f"/me/rings/{ring_id}").get_json()["caller"] == vera.user_id
    assert vera.ask("link:open", {"token": token})["anchorName"] == "Ann slot"
    assert service.received.empty()  # once


def test_a_block_on_another_node_stops_the_devices(cluster, ringing, service):
    n1, n2 = cluster
    ann, vera, token, ring_id, devices = ringing
    page = Tab(n2, browser=elsewhere(ann.browser, n2))
    assert page.ask("safety:block", {"userId": vera.user_id})["ok"]
    ended = [json.loads(service.received.get_nowait()[2]) for _ in devices]
    assert ended == [{"type": "ring-end", "id": ring_id}] * 2
    assert page.browser.post(f"/me/rings/{ring_id}/decline", json={}).status_code == 404  # over
    said = vera.ask("link:open", {"token": token})["error"]
    assert said["code"] == "unavailable" and "retryAfterMs" not in said


class Devices:
    """A PushService's ring side that only records (for the sweep test)."""

    def __init__(self):
        self.sent = []

    def ring(self, user_id, caller_name, ring_id):
        self.sent.append(("ring", ring_id))
        return 1

    def ring_ended(self, user_id, ring_id):
        self.sent.append(("ring-end", ring_id))
        return 1


@pytest.mark.storage
def test_rings_past_their_time_are_swept_and_their_ids_say_nothing(database_url):
    """The table stays bounded: a ring (ringing, or declined and never heard) is gone once
    its time is over and the next ring is made; an id past its time neither accepts nor
    declines, and the ids are the opaque random ones the devices were sent."""
    app = create_app({"DATABASE_URL": database_url, "TESTING": True})
    try:
        links, db = app.extensions["tlightchat"].context.links, app.extensions["tlightchat"].db
        links.clock, links.push = FakeClock(), Devices()
        ann, vera, carl = Tab(app), Tab(app), Tab(app)  # stored people
        tokens = [secrets.token_urlsafe(24) for _ in range(3)]
        assert all(TOKEN_SHAPE.fullmatch(t) for t in tokens)

        def rows():
            with db.session() as s:
                return s.scalar(select(func.count(DeviceRing.id)))

        assert links.ring_devices(tokens[0], vera.user_id, ann.user_id, "Vera", 30)
        assert links.ring_devices(tokens[1], carl.user_id, ann.user_id, "Carl", 30)
        (_, first), (_, second) = links.push.sent
        assert first != second and len(first) >= 12
        assert links.decline_devices(ann.user_id, second)  # declined, never heard by Carl
        assert rows() == 2 and links.asking_again(tokens[0], vera.user_id)
        links.clock.advance(31)
        assert not links.asking_again(tokens[0], vera.user_id)
        assert links.ring_caller(ann.user_id, first) is None
        assert not links.decline_devices(ann.user_id, first)
        assert not links.was_declined(tokens[1], carl.user_id)
        assert links.ring_devices(tokens[2], vera.user_id, carl.user_id, "Vera", 30)
        assert rows() == 1  # the two past their time are gone
    finally:
        app.extensions["tlightchat"].close()


@pytest.mark.storage
def test_a_ring_is_stored_before_it_is_sent_and_rings_once_per_visitor(database_url):
    """A Decline may come back before the send returns: the ring is found by then. Two
    nodes storing the same visitor's ring of the same link at once: the second is refused
    by the database (and hears "ringing"), so the devices are rung once."""
    from sqlalchemy.exc import IntegrityError

    app = create_app({"DATABASE_URL": database_url, "TESTING": True})
    try:
        links, db = app.extensions["tlightchat"].context.links, app.extensions["tlightchat"].db
        ann, vera = Tab(app), Tab(app)
        token, seen = secrets.token_urlsafe(24), []

        class Instant(Devices):
            def ring(self, user_id, caller_name, ring_id):
                seen.append(links.ring_caller(user_id, ring_id))
                return super().ring(user_id, caller_name, ring_id)

        links.push = Instant()
        assert links.ring_devices(token, vera.user_id, ann.user_id, "Vera", 30)
        assert seen == [vera.user_id]
        [(_, ring_id)] = links.push.sent
        other = DeviceRing(id="another-node", token_hash=token_hash(token), maker_id=ann.user_id,
                           visitor_id=vera.user_id, state="ringing",
                           until=datetime.now(timezone.utc) + timedelta(seconds=30))
        with pytest.raises(IntegrityError):
            with db.session() as s:
                s.add(other)
        links.devices_answered(token, vera.user_id)  # answered: a new ring may be stored
        assert links.ring_devices(token, vera.user_id, ann.user_id, "Vera", 30)
        assert [kind for kind, _id in links.push.sent] == ["ring", "ring-end", "ring"]
        links.push = Devices()
        links.push.ring = lambda *args: 0  # no device: nothing is kept
        assert not links.ring_devices(secrets.token_urlsafe(24), vera.user_id, ann.user_id, "V", 30)
        with db.session() as s:
            assert s.scalar(select(func.count(DeviceRing.id))) == 2
    finally:
        app.extensions["tlightchat"].close()
