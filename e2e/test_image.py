"""The container image (Containerfile): built here on a base made with debootstrap, its
filesystem run as the image says (its user, environment, working directory, command and
volume; e2e/image.py), serving a real call with chat between two Chromium pages; its
HEALTHCHECK passes; SIGTERM to its PID 1 ends it with status 0 within `docker stop`'s
timeout. Skipped, with the reason, only where podman or debootstrap is missing."""
import os
import secrets
import signal
import subprocess
import time
from types import SimpleNamespace

import pytest

from . import image
from .pages import CallPage
from .services import free_port, wait_http
from .chat import call_and_chat

pytestmark = pytest.mark.skipif(image.missing_tools() is not None,
                                reason=str(image.missing_tools()))

DOCKER_STOP_TIMEOUT = 10  # seconds `docker stop` / `podman stop` wait before SIGKILL


@pytest.fixture(scope="module")
def built():
    base = image.base_image()
    image.build(base)
    return image.inspect(image.TAG)


@pytest.fixture
def container(built, tmp_path):
    fs = image.Filesystem(image.TAG)
    fs.volume("/app/instance")
    fs.log_path = tmp_path / "container.log"
    yield fs
    fs.cleanup()


def start(fs, port):
    with open(fs.log_path, "ab") as log:
        proc = fs.start(log, TLC_HOST="127.0.0.1", TLC_PORT=str(port),
                        TLC_SECRET_KEY=secrets.token_hex(32))
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz/ready", timeout=60, proc=proc)
    except Exception:
        raise AssertionError(fs.log_path.read_text(errors="replace"))
    return proc


def test_image_is_configured_as_documented(built):
    config = built["Config"]
    env = dict(item.split("=", 1) for item in config["Env"])
    assert config["User"].split(":")[0] == "tlightchat"
    assert list(config["Volumes"]) == ["/app/instance"]
    assert config["WorkingDir"] == "/app"
    assert config["Entrypoint"][0].startswith("/")  # exec form: no shell in front
    assert "sh" not in os.path.basename(config["Entrypoint"][0])
    assert config.get("StopSignal") == "SIGTERM"
    assert env["TLC_HOST"] == "0.0.0.0" and env["TLC_PORT"] == "5000"
    assert env["TLC_ENV"] == "production"
    assert int(env["TLC_STOP_TIMEOUT"]) < DOCKER_STOP_TIMEOUT
    assert "/healthz/live" in " ".join(built["Healthcheck"]["Test"])


def test_image_holds_no_build_tools_or_test_packages(container):
    site = os.path.join(container.root, "opt/venv/lib/python3.11/site-packages")
    assert os.path.isdir(os.path.join(site, "flask_socketio"))
    for absent in ("pytest", "selenium", "hypothesis", "pip"):
        assert not os.path.exists(os.path.join(site, absent)), absent
    for tool in ("usr/bin/gcc", "usr/bin/cc", "usr/bin/make"):
        assert not os.path.exists(os.path.join(container.root, tool)), tool
    assert os.listdir(os.path.join(container.root, "var/lib/apt/lists")) == []


def test_a_call_with_chat_against_the_image_then_sigterm_exits_0(container, browsers):
    port = free_port()
    proc = start(container, port)
    pid = container.init_pid()
    with open(f"/proc/{pid}/status") as f:  # the app itself, as the image's user
        status = dict(line.split(":", 1) for line in f.read().splitlines())
    assert status["Uid"].split()[0] == str(container.user()[0])
    assert os.readlink(f"/proc/{pid}/exe").endswith("python3.11")

    check = container.run(healthcheck_command(), TLC_PORT=str(port))
    assert check.returncode == 0, check.stdout + check.stderr

    site = SimpleNamespace(url=f"http://127.0.0.1:{port}")
    pages = [CallPage(browsers(), site).open() for _ in range(2)]
    for page in pages:
        page.wait_sees(*[p for p in pages if p is not page])
    call_and_chat(pages)
    # the chat was stored in the volume, not in the image's layer
    assert os.path.exists(os.path.join(container.volumes["/app/instance"],
                                       "tlightchat.sqlite3"))

    began = time.monotonic()
    os.kill(pid, signal.SIGTERM)
    try:
        code = proc.wait(timeout=DOCKER_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"still running {DOCKER_STOP_TIMEOUT}s after SIGTERM:\n"
                             + container.log_path.read_text(errors="replace"))
    took = time.monotonic() - began
    print(f"SIGTERM to exit {code}: {took:.2f}s")
    assert code == 0, container.log_path.read_text(errors="replace")
    assert took < DOCKER_STOP_TIMEOUT


def healthcheck_command():
    """The image's HEALTHCHECK, in exec form (Docker's CMD, not CMD-SHELL)."""
    test = image.inspect(image.TAG)["Healthcheck"]["Test"]
    assert test[0] == "CMD", test
    return test[1:]
