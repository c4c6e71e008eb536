"""Call links, the installable app and Web Push rings in real browsers (issue 27): a
guest in a fresh browser opens a link, names itself on the pre-join screen, rings the
maker's slot, the maker accepts and media flows both ways; a link turned off on /me and
one that expired say so; the manifest, the worker and /call from its cache with the server
stopped; a maker with no page open rung through a loopback push service.

One server for the module, with links that expire after 2 s (CALL_LINK_TTL) and room
for the polling below in the per-address count."""
import time
import urllib.error
import urllib.request

import pytest

from .conftest import serve
from .lazy import fetched
from .pages import CallPage, assert_media_flows
from .services import wait_for

TTL_S = 2


@pytest.fixture(scope="module")
def server():
    yield from serve(TLC_CALL_LINK_TTL=str(TTL_S), TLC_CALL_LINK_VISITS_PER_ADDRESS="1000")


def make_link(page, lasting=False):
    """Click "Make a call link" on the call page; the URL it shows."""
    box = page.driver.find_element("css selector", "#link-lasting")
    if box.is_selected() != lasting:
        box.click()
    before = page.js("return document.querySelector('#link-url').value")
    page.driver.find_element("css selector", "#link-make").click()
    return page.wait("const u = document.querySelector('#link-url');"
                     "return !u.hidden && u.value !== arguments[0] && u.value",
                     5.0, "a new call link shown", before)


def status_of(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def test_a_guest_in_a_fresh_browser_opens_the_link_rings_and_talks(server, browsers):
    maker = CallPage(browsers(), server).open()
    links = ["js/reach/accept-ring.js", "js/reach/call-links.js"]
    assert fetched(maker, links) == []  # loaded on demand (issue 33.2): by the first press
    url = make_link(maker, lasting=True)
    assert fetched(maker, links) == links
    assert url.startswith(server.url + "/l/")
    guest = browsers()  # a fresh profile: never seen by this server
    guest.get(url)
    guest_page = CallPage(guest, server)
    guest_page.name = "Link Guest"
    guest_page.wait("return document.querySelector('#join')?.dataset.camera === 'ready'", 8.0,
                    "the pre-join preview shows the camera")
    guest_page.wait("return document.querySelector('#join-preview').videoWidth > 0", 5.0,
                    "the preview plays")
    name = guest.find_element("css selector", "#join-name")
    assert name.get_attribute("required") is not None and name.get_attribute("value") == ""
    name.send_keys("Link Guest")
    guest.find_element("css selector", "#join-ring").click()

    maker.wait_phase(maker.anchor, "ringing-in", 10.0)
    assert "Link Guest" in maker.tile_text(maker.anchor)
    guest_anchor = guest_page.wait(
        "return document.querySelector('.tile[data-phase=\"ringing-out\"]')?.dataset.anchorId",
        5.0, "the guest's slot ringing out")
    assert guest_page.js("return location.hash") == ""  # the token left the address bar
    maker.click(maker.anchor, "accept")
    assert_media_flows((maker, maker.anchor), (guest_page, guest_anchor))


def test_turned_off_and_expired_links_say_so(server, browsers):
    maker = CallPage(browsers(), server).open()
    lasting = make_link(maker, lasting=True)
    brief = make_link(maker)  # CALL_LINK_TTL: here 2 s
    assert brief != lasting
    # turned off on /me
    maker.driver.get(server.url + "/me")
    maker.js("""[...document.querySelectorAll('#call-links li')]
                  .find((li) => li.textContent.includes('until you turn it off'))
                  .querySelector('button').click()""")
    maker.wait("return document.querySelector('.flash.ok') !== null", 5.0, "turned off")
    visitor = browsers()
    visitor.get(lasting)
    assert "turned off by the person who made it" in \
        visitor.find_element("css selector", "#link-refusal").text
    # expired: wait until the server says 410, then read what a person sees
    wait_for(lambda: status_of(brief) == 410, TTL_S + 5.0, "the 2 s link expired", poll=0.2)
    visitor.get(brief)
    assert "has expired" in visitor.find_element("css selector", "#link-refusal").text


KEPT = """
const done = arguments[arguments.length - 1];
caches.keys().then((names) => Promise.all(names.map((n) => caches.open(n).then((c) => c.keys()))))
  .then((lists) => done(lists.flat().map((r) => new URL(r.url).pathname)), (err) => done(String(err)));
"""


def test_the_app_installs_and_the_call_page_opens_from_the_cache_with_the_server_stopped(
        server_factory, browsers):
    own = server_factory()  # stopped below
    driver = browsers()
    driver.get(own.url + "/call")
    page = CallPage(driver, own)
    page.name = "installer"
    # the manifest as Chromium parses it, and what it says about installing
    manifest = driver.execute_cdp_cmd("Page.getAppManifest", {})
    assert manifest["url"].startswith(own.url + "/static/manifest.webmanifest")
    assert manifest["errors"] == [], manifest["errors"]
    assert '"start_url": "../call"' in manifest["data"]
    page.wait("return navigator.serviceWorker.controller !== null", 10.0, "the worker controls /call")
    errors = driver.execute_cdp_cmd("Page.getInstallabilityErrors", {})["installabilityErrors"]
    assert errors == [], errors
    kept = wait_for(lambda: (k := driver.execute_async_script(KEPT)) and "/offline" in k and k, 5.0,
                    "the offline page kept")
    # nobody's data: only the offline page and static files
    assert all(p == "/offline" or p.startswith("/static/") for p in kept), kept
    assert "/static/js/offline.js" in kept and "/static/css/app.css" in kept

    own.stop()
    driver.get(own.url + "/call")
    page.wait("return !document.querySelector('#offline-panel').hidden && !!window.tlcOffline", 10.0,
              "offline mode from the cache")
    assert page.js("return document.querySelector('#app').dataset.offline") == "1"


@pytest.fixture(scope="module")
def push_service():
    from tests.support.push_endpoint import PushEndpoint

    endpoint = PushEndpoint()
    yield endpoint
    endpoint.close()
    assert endpoint.errors == []


SUBSCRIBE = """
const [url, body, done] = [arguments[0], arguments[1], arguments[arguments.length - 1]];
fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json',
  'X-CSRFToken': document.querySelector('input[name="csrf_token"]').value}, body: JSON.stringify(body)})
  .then((r) => r.json()).then(done, (err) => done(String(err)));
"""
NOTIFICATIONS = """
const done = arguments[arguments.length - 1];
navigator.serviceWorker.ready.then((r) => r.getNotifications())
  .then((list) => done(list.map((n) => ({title: n.title, tag: n.tag, actions: n.actions.map((a) => a.action)}))));
"""


# The worker's own notificationclick, for the notification it showed, with the action
# 'accept': run in the worker (DevTools: attach to its target, evaluate there). A click
# DevTools makes is no user's, so the browser lets the worker open no window: the worker's
# clients.openWindow is swapped for one that tells the page the URL the handler chose, and
# the test opens that URL itself. The notification's close() and the URL (its ring id read
# from the shown notification's data) are the handler's.
WATCH_OPENED = """
window.tlcOpened = null;
navigator.serviceWorker.addEventListener('message', (e) => { if (e.data?.type === 'test-opened') window.tlcOpened = e.data.url; });
navigator.serviceWorker.startMessages();
"""
CLICK_IN_WORKER = """
self.clients.openWindow = (url) => self.clients.matchAll({type: 'window', includeUncontrolled: true})
  .then((open) => { open.forEach((c) => c.postMessage({type: 'test-opened', url})); return null; });
self.registration.getNotifications({tag: %s}).then(([shown]) => self.dispatchEvent(
  new NotificationEvent('notificationclick', {notification: shown, action: 'accept'})));
"""


def click_in_worker(driver, tag):
    """Dispatch the worker's notificationclick for its shown notification `tag`; the URL
    its handler asked to open."""
    import json

    driver.execute_script(WATCH_OPENED)
    origin = driver.execute_script("return location.origin")
    worker = next(t for t in driver.execute_cdp_cmd("Target.getTargets", {})["targetInfos"]
                  if t["type"] == "service_worker" and t["url"].startswith(origin + "/"))
    session = driver.execute_cdp_cmd("Target.attachToTarget", {"targetId": worker["targetId"],
                                                               "flatten": False})["sessionId"]
    driver.execute_cdp_cmd("Target.sendMessageToTarget", {"sessionId": session, "message": json.dumps(
        {"id": 1, "method": "Runtime.evaluate", "params": {"expression": CLICK_IN_WORKER % json.dumps(tag)}})})
    return wait_for(lambda: driver.execute_script("return window.tlcOpened"), 10.0,
                    "the worker's click handler chose a page to open")


def deliver(driver, origin, payload, shown_enough, message, timeout=10.0):
    """Hand `payload` to the page's worker as its push service would (registration "0": a
    fresh profile's first), until the worker's notifications satisfy `shown_enough`.
    DevTools drops a message while it does not know the registration yet (just after
    ServiceWorker.enable), so an unanswered delivery is repeated; a ring or its end
    delivered twice is the same notification (its tag)."""
    def delivered():
        driver.execute_cdp_cmd("ServiceWorker.deliverPushMessage", {
            "origin": origin, "registrationId": "0", "data": payload.decode()})
        answered = time.monotonic() + 2.0
        while time.monotonic() < answered:
            shown = driver.execute_async_script(NOTIFICATIONS)
            if shown_enough(shown):
                return {"shown": shown}
            time.sleep(0.05)
        return None
    return wait_for(delivered, timeout, message, poll=0.0)["shown"]


def test_a_person_with_no_page_open_is_rung_through_push_and_the_call_starts(
        server_factory, browsers, push_service):
    import json

    srv = server_factory(TLC_PUSH_INSECURE_HOSTS='["127.0.0.1"]')
    maker = CallPage(browsers(), srv).open()
    url = make_link(maker)
    maker.driver.get(srv.url + "/me")
    # The worker active (its registration gets the pushes). Not `controller`: when the
    # worker activates while /me loads, /me stays uncontrolled until a reload (seen).
    # (a bound: its install keeps the call page's ~85 files first, slow on a loaded machine; the script timeout is 30 s)
    assert maker.driver.execute_async_script(
        "navigator.serviceWorker.ready.then((r) => arguments[arguments.length - 1](r.active !== null))")
    # this device's subscription, at the loopback push service (a browser here cannot reach
    # its vendor's): the server's requests to it are checked and decrypted there
    device = push_service.subscribe()
    answer = maker.driver.execute_async_script(SUBSCRIBE, srv.url + "/me/push", device.as_json())
    assert answer == {"ok": True, "devices": 1}, answer
    maker.driver.execute_cdp_cmd("Browser.grantPermissions", {"origin": srv.url, "permissions": ["notifications"]})

    guest = browsers()
    guest.get(url)
    guest.find_element("css selector", "#join-name").send_keys("Vera")
    guest.find_element("css selector", "#join-ring").click()
    guest_page = CallPage(guest, srv)
    guest_page.name = "Vera"
    guest_page.wait("return document.body.dataset.linkRing === 'ringing-devices'", 10.0, "ringing devices")

    _, claims, payload, _ = push_service.received.get(timeout=10)
    ring = json.loads(payload)
    assert ring["caller"] == "Vera" and claims["aud"] == push_service.origin
    # the browser's side: the push service's message delivered to the registered worker
    maker.driver.execute_cdp_cmd("ServiceWorker.enable", {})
    shown = deliver(maker.driver, srv.url, payload, lambda shown: shown, "a notification")
    assert shown == [{"title": "Vera is calling you", "tag": f"ring-{ring['id']}",
                      "actions": ["accept", "decline"]}]
    # Accept on the shown notification: the worker's own click handler closes it and
    # opens /call#accept=<id> (static/sw.js), and the page takes the visitor's call
    # without a second click
    opened = click_in_worker(maker.driver, f"ring-{ring['id']}")
    assert opened == f"{srv.url}/call#accept={ring['id']}", opened
    assert maker.driver.execute_async_script(NOTIFICATIONS) == []  # the click closed it
    maker = CallPage(maker.driver, srv, f"#accept={ring['id']}").open()
    # the page took the call: every device stops ringing (here a second one still showing
    # the ring, by the same path)
    _, _, ended, _ = push_service.received.get(timeout=10)
    assert json.loads(ended) == {"type": "ring-end", "id": ring["id"]}
    deliver(maker.driver, srv.url, payload, lambda shown: shown, "the ring on a second device")
    deliver(maker.driver, srv.url, ended, lambda shown: shown == [], "the ring closed")
    assert_media_flows((maker, maker.anchor), (guest_page, guest_page.anchor), timeout=15.0)
