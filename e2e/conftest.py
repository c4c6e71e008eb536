"""End-to-end fixtures: the real server as a subprocess, real headless Chromium and
Firefox ESR.

The server runs as `python app.py` (eventlet, as in production) in its own process,
never inside pytest (eventlet would monkey-patch the test runner). Browsers follow
../shared/docs/e2e-recipe.md: Debian's chromium and chromedriver by explicit path (no
Selenium Manager, no network), fake camera and microphone, a fresh profile each.
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading

import pytest

from .services import (close_browser, free_port, new_browser, stop_process,  # noqa: F401
                       wait_http, wait_until)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARTIFACTS = os.path.join(ROOT, "e2e", "artifacts")
# `make test` runs these modules after the others: each keeps the machine's two cores
# busy by itself (four browsers in one call; 200 MB files hashed on both ends; the NAT
# lab's homes, a Chromium and a chromedriver each), and beside another test (E2E_WORKERS=2)
# it would measure the machine, not the app (beside the NAT lab, servers of other tests
# took 45 s to start).
SOLO = {"test_group_call.py", "test_files.py", "test_nat.py"}


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            if os.path.basename(str(item.fspath)) in SOLO:
                item.add_marker(pytest.mark.solo)


class Server:
    """One `python app.py` process on a free port with its own database."""

    def __init__(self, env=None, port=None, wrapper=()):
        # wrapper: a command that runs app.py (e.g. setpriv dropping capabilities)
        self.wrapper = list(wrapper)
        self.port = port or free_port()
        self.dir = tempfile.mkdtemp(prefix="tlc-e2e-")
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ, "TLC_ENV": "testing", "TLC_PORT": str(self.port),
            "TLC_HOST": "127.0.0.1",
            "TLC_DATABASE_URL": f"sqlite:///{self.dir}/e2e.sqlite3",
            "PYTHONUNBUFFERED": "1", **(env or {}),
        }
        self.log_path = os.path.join(self.dir, "server.log")
        self.proc = None

    def start(self, health="/healthz"):
        """Start it and wait until `health` answers 200 (/healthz/live: a server that
        starts while its database is not ready)."""
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([*self.wrapper, sys.executable, "app.py"], cwd=ROOT,
                                     env=self.env, stdout=self._log, stderr=subprocess.STDOUT)
        prefix = self.env.get("TLC_URL_PREFIX", "").rstrip("/")
        # a bound, not a wait: on a loaded machine a start can take a while
        wait_http(self.url + prefix + health, timeout=45.0, proc=self.proc)
        return self

    def stop(self, sig=signal.SIGTERM):
        stop_process(self.proc, sig)
        if getattr(self, "_log", None):
            self._log.close()

    def log(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def serve(**env):
    """A started Server, stopped and removed afterwards: `yield from serve(...)` in a
    fixture of any scope."""
    srv = Server(env=env).start()
    try:
        yield srv
    finally:
        srv.stop()
        srv.cleanup()


@pytest.fixture(scope="session")
def server():
    """The shared server for tests that need no special configuration."""
    srv = Server().start()
    yield srv
    srv.stop()
    srv.cleanup()


@pytest.fixture
def server_factory():
    """Start servers with extra TLC_* settings: server_factory(TLC_RING_TIMEOUT="2")."""
    started = []

    def start(**env):
        srv = Server(env).start()
        started.append(srv)
        return srv

    yield start
    for srv in started:
        srv.stop()
        srv.cleanup()


@pytest.fixture
def proxy():
    """proxy(template, upstream_port) starts nginx with e2e/nginx/<template>.tmpl."""
    from .services import Nginx

    started = []

    def start(template, upstream_port):
        started.append(Nginx(template, upstream_port).start())
        return started[-1]

    yield start
    for srv in started:
        srv.stop()


@pytest.fixture
def turn():
    """turn(secret) starts coturn on loopback with use-auth-secret."""
    from .services import Coturn

    started = []

    def start(secret):
        started.append(Coturn(secret).start())
        return started[-1]

    yield start
    for srv in started:
        srv.stop()


def _opened(request, start, engine):
    """Yield an opener for `start` (a driver factory); close every driver it opened after
    the test, keeping a screenshot of each in e2e/artifacts/ when the test failed."""
    opened = []

    def open_browser(*args, **kwargs):
        driver = start(*args, **kwargs)
        opened.append(driver)
        return driver

    yield open_browser
    keep_screenshots(request, opened, engine)
    close_all(opened)


def close_all(drivers):
    """Close every driver at once: each close waits on its browser's exit (about a second),
    which need not be one after another."""
    closing = [threading.Thread(target=close_browser, args=(d,), daemon=True) for d in drivers]
    for thread in closing:
        thread.start()
    for thread in closing:
        thread.join(60.0)


def keep_screenshots(request, drivers, tag=""):
    """After a test (`request` of a function-scoped fixture): when it failed, a
    screenshot of each driver in e2e/artifacts/<test>-<tag><i>.png. Fixtures whose
    browsers outlive the test (module-scoped pages) call it from a per-test fixture."""
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if not failed:
        return
    os.makedirs(ARTIFACTS, exist_ok=True)
    for i, driver in enumerate(drivers):
        try:
            driver.save_screenshot(os.path.join(ARTIFACTS, f"{request.node.name}-{tag}{i}.png"))
        except Exception:
            pass


@pytest.fixture
def browsers(request):
    """browsers() opens a fresh headless Chromium (extra flags as arguments;
    default_autoplay=True keeps Chromium's own autoplay policy)."""
    yield from _opened(request, lambda *flags, default_autoplay=False: new_browser(
        flags, default_autoplay=default_autoplay), "")


@pytest.fixture
def firefoxes(request):
    """firefoxes() opens a fresh headless Firefox ESR (e2e/firefox.py; default_autoplay=True
    keeps Firefox's own autoplay policy)."""
    from .firefox import new_firefox

    yield from _opened(request, new_firefox, "firefox")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
