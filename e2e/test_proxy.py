"""Behind reverse proxies that serve the app under /port3000: the whole app (pages,
static files, Socket.IO) works, with a real call (media both ways) and a chat exchange.

- a Netlify-like proxy that strips the prefix and forwards no Upgrade headers: WebSockets
  cannot pass, so both sides must end up on long-polling;
- a WebSocket-capable proxy: both sides upgrade to websocket;
- a proxy that strips the prefix and sends no prefix header (relative URLs only);
- a proxy that does not strip the prefix, with the app mounted there (TLC_URL_PREFIX).
"""
from types import SimpleNamespace

import pytest

from .pages import CallPage
from .chat import call_and_chat

PREFIX = "/port3000"


def transport(page):
    return page.js("return window.tlc.signaling.transport")




def open_behind(proxy_url, browsers, query=""):
    site = SimpleNamespace(url=proxy_url + PREFIX)
    pages = [CallPage(browsers(), site, query).open() for _ in range(2)]
    for page in pages:
        page.wait_sees(*[p for p in pages if p is not page])
    return pages


def assert_served_under_prefix(page):
    """Everything the page loaded came through the proxy, under the prefix, and every
    module by its versioned URL (the import map's keys matched under the prefix)."""
    outside = page.js("""return performance.getEntriesByType('resource').map((e) => new URL(e.name))
        .filter((u) => u.protocol.startsWith('http') && !u.pathname.startsWith(arguments[0]))
        .map((u) => u.pathname)""", PREFIX + "/")
    assert outside == []
    plain = page.js("""return performance.getEntriesByType('resource').map((e) => new URL(e.name))
        .filter((u) => u.pathname.endsWith('.js') && !u.searchParams.get('v'))
        .map((u) => u.pathname)""")
    assert plain == []
    assert page.js("return window.tlc.signaling.basePath") == PREFIX + "/"


def test_call_and_chat_through_a_proxy_that_breaks_websockets(server, proxy, browsers):
    nginx = proxy("strip-no-upgrade", server.port)
    pages = open_behind(nginx.url, browsers)
    call_and_chat(pages)
    for page in pages:
        assert transport(page) == "polling"
        assert "polling" in page.driver.find_element("css selector", "#conn").text
        assert_served_under_prefix(page)


def test_call_through_a_websocket_capable_proxy_upgrades(server, proxy, browsers):
    nginx = proxy("strip-websocket", server.port)
    pages = open_behind(nginx.url, browsers)
    for page in pages:
        page.wait("return window.tlc.signaling.transport === 'websocket'", 5, "upgraded to websocket")
    call_and_chat(pages)
    assert [transport(p) for p in pages] == ["websocket", "websocket"]
    for page in pages:
        assert_served_under_prefix(page)


def test_a_proxy_that_sends_no_prefix_header(server, proxy, browsers):
    nginx = proxy("strip-no-prefix-header", server.port)
    pages = open_behind(nginx.url, browsers, "?transport=polling")
    call_and_chat(pages)
    for page in pages:
        assert transport(page) == "polling"  # forced by the URL parameter, for diagnosis
        assert_served_under_prefix(page)


@pytest.fixture
def mounted(server_factory):
    return server_factory(TLC_URL_PREFIX=PREFIX)


def test_a_proxy_that_does_not_strip_the_prefix(mounted, proxy, browsers):
    nginx = proxy("no-strip", mounted.port)
    pages = open_behind(nginx.url, browsers)
    call_and_chat(pages)
    for page in pages:
        assert_served_under_prefix(page)
