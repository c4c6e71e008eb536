"""The call page starts without the chat panel (issue 14, the page): the chat's module
graph is imported after the call page rendered, so the lobby, the own slot and calls
work even when the chat modules never arrive; and the modulepreload list of /call is
exactly the set of modules the browser loads."""
from .pages import CallPage


def blocked(driver, *patterns):
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": list(patterns)})
    return driver


def test_the_lobby_renders_although_the_chat_modules_never_load(server, browsers):
    """Before: call-page.js imported chat/panel.js statically, so without it the page
    never ran (no lobby, no slot). Now only the chat is missing, and the page says so."""
    other = CallPage(browsers(), server).open()
    page = CallPage(blocked(browsers(), "*chat/panel.js*"), server).open()
    page.wait_sees(other)
    assert page.js("return window.tlc.chat") is None
    page.wait("return document.querySelector('#notice').textContent.includes('chat could not')",
              5.0, "the page says the chat did not load")
    assert page.js("return document.querySelector('[data-chat-root]').dataset.mounted") is None


def test_chat_mounts_after_the_call_page_and_preloads_match_what_loads(server, browsers):
    page = CallPage(browsers(), server).open()
    page.wait("return !!window.tlc.chat", 5.0, "chat panel mounted")
    loaded = page.js("""
        return performance.getEntriesByType('resource').map((e) => new URL(e.name))
          .filter((u) => u.pathname.endsWith('.js')).map((u) => u.pathname);""")
    preloads = page.js("""
        return [...document.querySelectorAll('link[rel=modulepreload]')]
          .map((l) => new URL(l.href).pathname);""")
    # Nothing loads that is not preloaded (a preload is fetched anyway, so the other
    # direction is tests/web/test_page_modules.py's: the list is the import graph).
    modules = {p for p in loaded  # base.html's own scripts (the nav, the app's worker)
               if not p.endswith(("/nav.js", "/reach/install.js"))}
    assert set(preloads) == modules, (sorted(set(preloads) - modules),
                                      sorted(modules - set(preloads)))


MODULES = """
    return performance.getEntriesByType('resource').filter((e) => {
      const u = new URL(e.name);
      return u.pathname.endsWith('.js') && !u.pathname.endsWith('/nav.js');
    }).map((e) => ({url: e.name, bytes: e.transferSize}));"""


def test_modules_load_by_versioned_url_and_a_repeat_visit_takes_them_from_the_cache(
        server, browsers):
    """The import map applies (it is allowed by its hash under the CSP): every module is
    fetched once, by its versioned (immutable) URL, and a second visit fetches none of
    them over the network. Before: imports fetched plain URLs, each revalidated (304)."""
    page = CallPage(browsers(), server).open()
    page.wait("return !!window.tlc.chat", 5.0, "chat panel mounted")
    first = page.js(MODULES)
    urls = [m["url"] for m in first]
    assert len(urls) == len(set(urls)), "a module fetched twice"
    assert all("?v=" in u for u in urls), [u for u in urls if "?v=" not in u]
    page.driver.get("about:blank")
    page.open()
    page.wait("return !!window.tlc.chat", 5.0, "chat panel mounted again")
    again = page.js(MODULES)
    assert {m["url"] for m in again} == set(urls)
    assert [m for m in again if m["bytes"] > 0] == [], "fetched again over the network"
    logs = page.driver.get_log("browser")
    assert not [e["message"] for e in logs if "Content Security Policy" in e["message"]
                or "import map" in e["message"].lower()]


def test_the_connection_check_loads_when_pressed(server, browsers):
    """Not part of the first load (issue 14): its module is fetched, by its versioned
    URL, when its button is first pressed, and the check then runs."""
    page = CallPage(browsers(), server).open()
    page.wait("return !!window.tlc.chat", 5.0, "chat panel mounted")
    fetched = lambda: [m["url"] for m in page.js(MODULES) if "/connectivity.js" in m["url"]]  # noqa: E731
    assert fetched() == [] and page.js("return window.tlc.connectivity") is None
    page.driver.find_element("id", "connectivity-run").click()
    page.wait("return document.querySelector('#connectivity-panel').dataset.state === 'done'",
              10.0, "the check ran")
    assert len(fetched()) == 1 and "?v=" in fetched()[0]
