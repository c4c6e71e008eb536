"""Helper services for e2e tests, started and stopped by fixtures: nginx (reverse-proxy
configs from e2e/nginx/*.tmpl) and coturn (TURN with a shared secret), both on loopback
and as the test's own processes (never the system services)."""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
TURNSERVER = shutil.which("turnserver") or "/usr/bin/turnserver"
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


CHROMIUM = os.environ.get("TLC_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("TLC_CHROMEDRIVER", "/usr/bin/chromedriver")
# Lifts the browser's autoplay policy (sound without a user gesture). default_autoplay=True
# leaves it out: the policy people have (issue 36.5, e2e/test_rejoin.py).
NO_AUTOPLAY_POLICY = "--autoplay-policy=no-user-gesture-required"


# ../shared/docs/e2e-recipe.md: headless, fake camera and microphone, no background
# networking (the machine's network is closed), loopback allowed for WebRTC.
CHROME_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
    NO_AUTOPLAY_POLICY,
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--no-default-browser-check", "--disable-quic",
    "--allow-loopback-in-peer-connection", "--window-size=1280,800",
]


def new_browser(extra_flags=(), default_autoplay=False):
    """Debian's Chromium by explicit path (Selenium Manager never goes online), with a
    fresh profile; close it with close_browser()."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="tlc-chrome-")
    for flag in CHROME_FLAGS + [f"--user-data-dir={profile}", *extra_flags]:
        if not (default_autoplay and flag == NO_AUTOPLAY_POLICY):
            options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_script_timeout(30)
    driver._tlc_profile = profile
    return driver


def close_browser(driver):
    try:
        # Leave the page first so its socket closes now, not at the heartbeat timeout.
        driver.get("about:blank")
    except Exception:
        pass
    try:
        driver.quit()
    finally:
        if driver._tlc_profile:  # Firefox: geckodriver removes its own
            shutil.rmtree(driver._tlc_profile, ignore_errors=True)


def wait_for(condition, timeout=10.0, message=None, poll=0.05):
    """Poll a Python callable until it returns something truthy; return that value.
    Fails with `message` and the last value when it never does."""
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(poll)
    raise AssertionError(f"{message or condition!r} not true within {timeout}s (last: {value!r})")


def wait_until(driver, script, timeout=10.0, poll=0.05, message=None, *args):
    """Poll a JS expression (a function body returning a value) until it is truthy;
    return that value. Fails with `message` and the last value when it never is."""
    return wait_for(lambda: driver.execute_script(script, *args), timeout,
                    message or script, poll)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, timeout=20.0, proc=None):
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except urllib.error.HTTPError as err:  # e.g. 503 from a health check: say why
            last = f"{err.code} {err.read()[:300]!r}"
        except OSError as err:
            last = repr(err)
        time.sleep(0.05)
    raise TimeoutError(f"{url} did not answer 200 within {timeout}s (last: {last})")


def stop_process(proc, sig=signal.SIGTERM, timeout=10):
    """Ask a child process to stop; kill it if it does not within `timeout`."""
    if proc and proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_port(port, proc, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {port} after {timeout}s")


class Process:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix=f"tlc-{type(self).__name__.lower()}-")
        self.proc = None

    def stop(self, sig=signal.SIGTERM):
        stop_process(self.proc, sig)
        shutil.rmtree(self.dir, ignore_errors=True)

    def log(self, name):
        try:
            with open(os.path.join(self.dir, name), encoding="utf-8", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""


class Nginx(Process):
    """nginx with one of the e2e/nginx/*.tmpl location blocks, proxying to `upstream`."""

    def __init__(self, template, upstream_port):
        super().__init__()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        with open(os.path.join(HERE, "nginx", template + ".tmpl")) as f:
            locations = f.read().format(upstream=upstream_port)
        with open(os.path.join(HERE, "nginx", "common.conf.tmpl")) as f:
            conf = f.read().format(dir=self.dir, port=self.port, locations=locations)
        self.conf = os.path.join(self.dir, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write(conf)

    def start(self):
        self.proc = subprocess.Popen([NGINX, "-c", self.conf, "-p", self.dir],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        wait_port(self.port, self.proc)
        return self

    def stop(self):
        super().stop(signal.SIGQUIT)  # nginx's graceful stop


class Coturn(Process):
    """coturn on loopback with `use-auth-secret` (the TURN REST API) and no TLS."""

    REALM = "tlightchat.test"

    def __init__(self, secret):
        super().__init__()
        self.port = free_port()
        self.secret = secret
        self.url = f"turn:127.0.0.1:{self.port}?transport=udp"

    def start(self):
        low = 49152 + (self.port % 1000) * 10
        args = [TURNSERVER, "-n", "--no-cli", "--no-tls", "--no-dtls",
                "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1",
                f"--listening-port={self.port}", f"--min-port={low}", f"--max-port={low + 200}",
                "--use-auth-secret", f"--static-auth-secret={self.secret}",
                f"--realm={self.REALM}", "--allow-loopback-peers", "--fingerprint",
                "--simple-log", f"--log-file={self.dir}/turn.log", "--verbose"]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        wait_port(self.port, self.proc)
        return self

    def kill(self):
        """Crash it: every allocation is gone, nobody is told. start() brings it back on
        the same port, with the same secret."""
        self.proc.kill()
        self.proc.wait()


class Redis(Process):
    """redis-server on a free loopback port in a temp dir, every write fsynced to its
    append-only file (so a restart keeps the cluster log), never a system service."""

    def __init__(self):
        super().__init__()
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        args = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1",
                "--dir", self.dir, "--save", "", "--appendonly", "yes",
                "--appendfsync", "always", "--daemonize", "no",
                "--logfile", os.path.join(self.dir, "redis.log")]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        wait_port(self.port, self.proc)
        return self

    def restart(self, sig=signal.SIGKILL):
        """Crash (or stop) it and start it again on the same port and data."""
        stop_process(self.proc, sig)
        return self.start()


class ClusterNginx(Nginx):
    """deploy/nginx-cluster.conf itself, run as it is but for its addresses: the node
    ports 5001-5003 become `ports` (a port with no node stands for a dead machine) and
    it listens on a free loopback port."""

    def __init__(self, ports):  # noqa: super-init-not-called (another config)
        Process.__init__(self)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        with open(os.path.join(HERE, "..", "deploy", "nginx-cluster.conf")) as f:
            site = f.read()
        for number, port in zip((5001, 5002, 5003), ports):
            site = site.replace(f"127.0.0.1:{number};", f"127.0.0.1:{port};")
            site = site.replace(f"127.0.0.1:{number} ", f"127.0.0.1:{port} ")
        site = site.replace("listen 8080;", f"listen 127.0.0.1:{self.port};")
        conf = (f"daemon off;\nworker_processes 1;\npid {self.dir}/nginx.pid;\n"
                f"error_log {self.dir}/error.log warn;\nevents {{ worker_connections 1024; }}\n"
                f"http {{\naccess_log {self.dir}/access.log;\n"
                + "".join(f"{kind}_temp_path {self.dir}/{kind};\n"
                          for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
                + site + "\n}\n")
        self.conf = os.path.join(self.dir, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write(conf)
