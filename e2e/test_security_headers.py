"""The pages work under their Content-Security-Policy: real Chromium reports no policy
violation on any page, and the call page connects (Socket.IO over polling and
WebSocket) and shows the lobby."""
from .conftest import wait_until
from .pages import SITE_PAGES


def test_no_page_violates_the_content_security_policy(server, browsers):
    driver = browsers()
    for path in [p for p in SITE_PAGES if p != "/call"] + ["/call"]:  # the call page last
        driver.get(server.url + path)
        wait_until(driver, "return document.readyState === 'complete'", 10.0)
    wait_until(driver, "return window.tlc && window.tlc.store.getState().me?.clientId", 15.0,
               message="the call page connected under the policy")
    logs = driver.get_log("browser")
    violations = [e["message"] for e in logs if "Content Security Policy" in e["message"]
                  or "Permissions-Policy" in e["message"] or "Refused to" in e["message"]]
    assert not violations, violations
