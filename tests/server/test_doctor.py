"""The connectivity doctor (issue 30, item 4) against a real coturn on loopback: a healthy
setup, and five broken ones, each found with its sentence."""
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time

import pytest

from e2e.services import TURNSERVER, Process, free_port, stop_process, wait_http, wait_port
from e2e import certs
from tlightchat import doctor

SECRET = "doctor-secret"
TTL = 600
pytestmark = pytest.mark.skipif(not shutil.which(TURNSERVER), reason="coturn (turnserver) is not installed")


class Turn(Process):
    """coturn on 127.0.0.1 with use-auth-secret, and whatever extra flags a case needs."""

    def __init__(self, *extra, secret=SECRET):
        super().__init__()
        self.port, self.extra, self.secret = free_port(), extra, secret

    def start(self):
        low = 40000 + (self.port % 1000) * 10
        tls = [a for a in self.extra if a.startswith(("--cert=", "--tls-listening-port="))]
        self.proc = subprocess.Popen([
            TURNSERVER, "-n", "--no-cli", *([] if tls else ["--no-tls"]), "--no-dtls", "--listening-ip=127.0.0.1",
            "--relay-ip=127.0.0.1", f"--listening-port={self.port}", f"--min-port={low}",
            f"--max-port={low + 50}", "--use-auth-secret", f"--static-auth-secret={self.secret}",
            "--realm=doctor.test", "--fingerprint", f"--log-file={self.dir}/turn.log", "--simple-log",
            *self.extra], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        wait_port(self.port, self.proc)
        if "--no-udp" not in self.extra:  # the UDP listener is up once an allocation is answered
            wait_answer(self.port)
        return self


def wait_answer(port, timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return doctor.allocate("127.0.0.1", port, "udp", "x", "y", timeout=0.5)
        except doctor.NoAnswer:
            if time.monotonic() > deadline:
                raise


@pytest.fixture
def turn():
    started = []

    def start(*extra, secret=SECRET):
        started.append(Turn(*extra, secret=secret).start())
        return started[-1]

    yield start
    for server in started:
        server.stop()


def config(port, secret=SECRET, transports=("udp",)):
    return {"TURN_URLS": [f"turn:127.0.0.1:{port}?transport={t}" for t in transports],
            "TURN_SECRET": secret, "TURN_TTL": TTL}


def codes(findings):
    return [f.code for f in findings]


def test_a_healthy_setup_allocates_a_relay_over_udp_and_tcp(turn):
    server = turn()
    found = doctor.diagnose(config(server.port, transports=("udp", "tcp")))
    assert codes(found) == ["relay", "relay"], found
    assert all("relays from 127.0.0.1:" in f.text and f.level == "ok" for f in found), found


def test_wrong_secret(turn):
    server = turn()
    [found] = doctor.diagnose(config(server.port, secret="not-coturns"))
    assert found.code == "secret" and found.level == "error"
    assert "TURN_SECRET does not match coturn's static-auth-secret" in found.text


def test_coturn_down():
    port = free_port()  # nothing listens there, over UDP or TCP
    [found] = doctor.diagnose(config(port))
    assert found.code == "turn-down", found
    assert f"coturn does not answer at 127.0.0.1:{port} (udp)" in found.text


def test_private_external_ip_advertised(turn):
    server = turn("--external-ip=10.0.0.5")
    [found] = doctor.diagnose(config(server.port))
    assert found.code == "private-relay", found
    assert found.text.startswith("coturn advertises 10.0.0.5: set external-ip")


def test_udp_blocked(turn):
    server = turn("--no-udp")  # only TCP answers, as behind a firewall that drops UDP
    [found] = doctor.diagnose(config(server.port))
    assert found.code == "udp-blocked", found
    assert "TURN over UDP does not answer" in found.text and "TCP does: UDP is blocked" in found.text


def test_clock_skewed(turn):
    server = turn()
    behind = time.time() - 2 * TTL  # this server's clock: credentials expired for coturn at once
    [found] = doctor.diagnose(config(server.port), now=behind)
    assert found.code == "clock", found
    assert "clock is behind coturn's" in found.text
    # the same server with the right clock is fine: the finding is the clock, not the secret
    assert codes(doctor.diagnose(config(server.port))) == ["relay"]


def tls_turn(turn, folder):
    """coturn with a `turns:` listener whose certificate a test CA signed; (server, TLS port, CA file)."""
    ca, cert, key = certs.make(folder, "127.0.0.1")
    port = free_port()
    return turn(f"--cert={cert}", f"--pkey={key}", f"--tls-listening-port={port}"), port, ca


def test_a_trusted_tls_listener_relays_and_an_untrusted_one_is_named(turn, tmp_path, monkeypatch):
    server, port, ca = tls_turn(turn, str(tmp_path))
    wait_port(port, server.proc)
    setup = {**config(server.port), "TURN_URLS": [f"turns:127.0.0.1:{port}?transport=tcp"]}
    monkeypatch.setenv("SSL_CERT_FILE", ca)  # this machine trusts the test CA, as a browser would
    [found] = doctor.diagnose(setup)
    assert found.code == "relay" and f"TURN at 127.0.0.1:{port} (tls) relays from 127.0.0.1:" in found.text, found
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "no-such-ca.pem"))  # a CA nobody trusts
    [found] = doctor.diagnose(setup)
    assert found.code == "tls-certificate" and found.level == "error", found
    assert f"coturn's TLS certificate at 127.0.0.1:{port} (tls) is not trusted" in found.text, found


def test_no_turn_configured_is_a_warning():
    [found] = doctor.diagnose({"TURN_URLS": [], "TURN_SECRET": None, "TURN_TTL": TTL})
    assert found.level == "warning" and "no TURN configured" in found.text


def test_parse_turn_url():
    assert doctor.parse_turn_url("turn:example.org") == ("turn", "example.org", 3478, "udp")
    assert doctor.parse_turn_url("turn:[::1]:3479?transport=tcp") == ("turn", "::1", 3479, "tcp")
    assert doctor.parse_turn_url("turns:example.org") == ("turns", "example.org", 5349, "tcp")


def test_cli_prints_the_findings_and_fails_on_an_error(app, turn):
    server = turn()
    app.config.update(config(server.port))
    ok = app.test_cli_runner().invoke(args=["doctor"])
    assert ok.exit_code == 0 and "OK" in ok.output and "relays from 127.0.0.1" in ok.output, ok.output
    app.config["TURN_SECRET"] = "not-coturns"
    bad = app.test_cli_runner().invoke(args=["doctor"])
    assert bad.exit_code == 1, bad.output
    assert "ERROR   TURN_SECRET does not match coturn's static-auth-secret" in bad.output


def test_operators_page_only_for_admins(app, turn):
    from tests.support.accounts import register

    server = turn()
    app.config.update(config(server.port), ADMINS="Root, Alice")
    guest = app.test_client()
    assert guest.get("/doctor").status_code == 404
    register(guest, "mallory")
    assert guest.get("/doctor").status_code == 404  # an account not in ADMINS
    other = app.test_client()
    register(other, "alice")
    page = other.get("/doctor")
    assert page.status_code == 200, page.status_code
    text = page.get_data(as_text=True)
    assert 'data-code="relay"' in text and "relays from 127.0.0.1" in text


def test_at_start_logs_each_finding_and_survives_a_broken_doctor(caplog):
    """at_start hands the doctor to the server's background spawner; each problem found
    is a WARNING, and a doctor that raises is logged, never raised into the start."""
    port = free_port()
    spawned = []
    caplog.set_level(logging.INFO, logger="tlightchat.doctor")

    def said():  # the doctor's lines only: another test's app may still be logging here
        return [r for r in caplog.records if r.name == "tlightchat.doctor"]
    doctor.at_start(config(port), spawned.append)
    assert len(spawned) == 1 and not said()  # nothing ran in the caller
    spawned[0]()
    [record] = said()
    assert record.levelno == logging.WARNING and f"coturn does not answer at 127.0.0.1:{port}" in record.getMessage()
    caplog.clear()
    doctor.at_start({"TURN_URLS": [None], "TURN_SECRET": SECRET, "TURN_TTL": TTL}, lambda run: run())
    [record] = said()
    assert record.levelno == logging.WARNING and "could not run at start" in record.getMessage()


def test_python_app_py_runs_the_doctor_after_start():
    """`python app.py` with a TURN server that is down: it starts and serves, and its log
    names the broken hop as a WARNING, without anyone asking."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    port, turn_port, home = free_port(), free_port(), tempfile.mkdtemp(prefix="tlc-doctor-")
    env = {**os.environ, "TLC_ENV": "testing", "TLC_HOST": "127.0.0.1", "TLC_PORT": str(port),
           "TLC_DATABASE_URL": f"sqlite:///{home}/db.sqlite3", "PYTHONUNBUFFERED": "1",
           "TLC_TURN_URLS": f'["turn:127.0.0.1:{turn_port}?transport=udp"]', "TLC_TURN_SECRET": SECRET}
    log_path = os.path.join(home, "server.log")
    with open(log_path, "ab") as log:
        proc = subprocess.Popen([sys.executable, "app.py"], cwd=root, env=env, stdout=log,
                                stderr=subprocess.STDOUT)
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", timeout=45.0, proc=proc)
        expected = f"WARNING tlightchat.doctor doctor: coturn does not answer at 127.0.0.1:{turn_port} (udp)"
        deadline = time.monotonic() + 30.0  # a bound: the doctor waits for UDP, then tries TCP
        while expected not in open(log_path, encoding="utf-8").read():
            assert proc.poll() is None and time.monotonic() < deadline, open(log_path).read()[-2000:]
            time.sleep(0.05)
        wait_http(f"http://127.0.0.1:{port}/healthz", timeout=10.0, proc=proc)  # still serving
    finally:
        stop_process(proc)
        shutil.rmtree(home, ignore_errors=True)
