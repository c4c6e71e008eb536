"""Issue 23, items 4 and 6: registrations and new guests limited per address (an IPv6
address counts as its /64, for every per-address limit), a taken username refused before
any hashing, password hashing on a pool of its own; the per-user connection cap counts
away clients."""
import os
import subprocess
import sys
import textwrap


from tlightchat import create_app
from tlightchat.ratelimit import address_key

from tests.support.clients import Tab, form_token
from tests.support.accounts import login, page, register
from tests.support.accounts import interleaved_first_connects
from tests.support.paths import ROOT



def make_app(database_url, **config):
    return create_app({"DATABASE_URL": database_url, "TESTING": True, **config})


def fresh_browser(app, address):
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = address
    browser.get("/")
    return browser


def test_the_limit_key_of_an_address():
    assert address_key("203.0.113.7") == "203.0.113.7"
    assert address_key("::ffff:203.0.113.7") == "203.0.113.7"
    assert address_key("2001:db8:1:2:aaaa::1") == address_key("2001:db8:1:2:bbbb::9") \
        == "2001:db8:1:2::/64"
    assert address_key("2001:db8:1:3::1") != address_key("2001:db8:1:2::1")
    assert address_key("fe80::1%eth0") == "fe80::/64"
    assert address_key(None) == "?" and address_key("not-an-ip") == "not-an-ip"


def test_many_registrations_from_one_address_are_refused(database_url):
    """Before: one address made 554 accounts in 60 s. After: past
    REGISTER_MAX_PER_ADDRESS in the window, 429 with a clear error; another address (or
    /64) is not affected."""
    app = make_app(database_url, REGISTER_MAX_PER_ADDRESS=3)
    codes = [register(fresh_browser(app, f"2001:db8:7:7::{n}"), f"user{n}").status_code
             for n in range(1, 6)]  # five addresses of one /64
    assert codes == [302, 302, 302, 429, 429]
    refused = register(fresh_browser(app, "2001:db8:7:7::99"), "user99")
    assert "Too many accounts were registered from your network address" in page(refused)
    assert register(fresh_browser(app, "2001:db8:7:8::1"), "other").status_code == 302


def test_sign_in_failures_are_counted_per_ipv6_64(database_url):
    """Before: every per-address limit used the exact address, so a host on an IPv6 /64
    had 2^64 fresh sign-in limits."""
    app = make_app(database_url, LOGIN_MAX_ATTEMPTS=3)
    register(fresh_browser(app, "198.51.100.1"), "alice")
    codes = [login(fresh_browser(app, f"2001:db8:9:9::{n}"), "alice", "wrong password",
                   environ={"REMOTE_ADDR": f"2001:db8:9:9::{n}"}).status_code
             for n in range(1, 6)]
    assert codes == [401, 401, 401, 429, 429]


def test_a_taken_username_is_refused_without_hashing(app, monkeypatch):
    """Before: each POST of a taken name cost one scrypt (188 in 20 s from one cookie)."""
    from tlightchat.web import hashing

    register(fresh_browser(app, "198.51.100.2"), "alice")
    calls = []
    real = hashing.generate_password_hash
    monkeypatch.setattr(hashing, "generate_password_hash",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    browser = fresh_browser(app, "198.51.100.3")
    for _ in range(5):
        response = register(browser, "alice")
        assert response.status_code == 409 and "is taken" in page(response)
    assert calls == []
    assert register(browser, "bob").status_code == 302 and calls == [1]


def test_hashing_runs_on_its_own_bounded_threads(app, monkeypatch):
    """In a threaded server too: a hash runs on the pool's threads, not the request's."""
    from tlightchat.web import hashing

    threads = []
    real = hashing.generate_password_hash
    monkeypatch.setattr(hashing, "generate_password_hash", lambda *a, **k: threads.append(
        __import__("threading").current_thread().name) or real(*a, **k))
    assert register(fresh_browser(app, "198.51.100.4"), "carol").status_code == 302
    assert len(threads) == 1 and threads[0].startswith("tlc-hash-")


EVENTLET_SCRIPT = textwrap.dedent("""
    import eventlet
    eventlet.monkey_patch()
    import types
    from eventlet import patcher
    from tlightchat import worker
    from tlightchat.web import hashing

    hashing.init_app(types.SimpleNamespace(config={  # as create_app does, under eventlet
        "ASYNC_MODE": "eventlet", "HASH_THREADS": 2, "HASH_QUEUE": 40}))
    release = patcher.original("threading").Event()  # set by nobody until the end
    started = []

    def slow_hash(password):  # a hash that takes as long as the test wants
        started.append(password)
        release.wait(30)
        return "hash"

    hashing.generate_password_hash = slow_hash
    signins = [eventlet.spawn(hashing.generate, str(n)) for n in range(24)]
    eventlet.sleep(0.5)  # let the 24 sign-ins reach the pool (not a verdict: see below)
    commit = eventlet.spawn(worker.run_blocking, lambda: "committed")
    with eventlet.Timeout(20, False):
        print("COMMIT", commit.wait(), "HASHING", len(started), flush=True)
    release.set()
    print("HASHED", len([s.wait() for s in signins]), flush=True)
""")


def test_a_chat_commit_does_not_wait_for_hashing_under_eventlet():
    """Before: hashes ran in eventlet's tpool, the threads that commit chat too: 24
    sign-in loops took all 20 and a bystander's chat:send ack went from a p50 of 4 ms to
    400 ms. After: with every hashing thread busy, a commit (worker.run_blocking) still
    runs at once, and at most HASH_THREADS hashes run at a time. Structural: the hashes
    never finish until the test releases them, so a shared pool cannot pass."""
    env = {**os.environ, "EVENTLET_THREADPOOL_SIZE": "20"}
    done = subprocess.run([sys.executable, "-c", EVENTLET_SCRIPT], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert "COMMIT committed HASHING 2" in done.stdout, done.stdout + done.stderr
    assert "HASHED 24" in done.stdout, done.stdout + done.stderr


def test_sign_ins_past_the_hash_queue_are_told_to_retry(database_url, monkeypatch):
    """The pool is bounded: with HASH_THREADS busy and HASH_QUEUE waiting, a sign-in is
    answered 503 at once instead of queueing without bound."""
    import threading

    from tlightchat.web import hashing

    app = make_app(database_url, HASH_THREADS=1, HASH_QUEUE=0)
    gate, started = threading.Event(), threading.Event()
    real = hashing.generate_password_hash

    def held(password):
        if password == "hold":
            started.set()
            gate.wait(30)
        return real(password)

    monkeypatch.setattr(hashing, "generate_password_hash", held)
    blocker = threading.Thread(target=hashing.generate, args=("hold",))
    blocker.start()
    try:
        assert started.wait(30)  # the one hashing thread is taken
        response = register(fresh_browser(app, "198.51.100.5"), "dave")
        assert response.status_code == 503 and "busy" in page(response)
    finally:
        gate.set()
        blocker.join()
    assert register(fresh_browser(app, "198.51.100.6"), "dave").status_code == 302


def test_new_guests_are_limited_per_address(database_url):
    """Before: one address stored 101 guest rows in 3.7 s (a cookie-less GET, then a
    connect, in a loop). After: past GUEST_MAX_PER_ADDRESS new guests in the window the
    connect is refused with `limit`; known identities still connect."""
    app = make_app(database_url, GUEST_MAX_PER_ADDRESS=3)
    socketio = app.extensions["tlightchat"].socketio
    tabs = [Tab(app) for _ in range(3)]
    late = app.test_client()
    late.get("/")
    refused = socketio.test_client(app, flask_test_client=late)
    assert not refused.is_connected()
    again = Tab(app, browser=tabs[0].browser)  # a stored guest is not new
    assert again.user_id == tabs[0].user_id
    # the same limit holds for a guest stored by a page (a rename on /me)
    other = fresh_browser(app, "127.0.0.1")
    response = other.post("/me", data={"displayName": "Eve",
                                       "csrf_token": form_token(other, "/me")})
    assert response.status_code == 400 and "Too many new guests" in page(response)
    elsewhere = fresh_browser(app, "2001:db8:5::1")
    response = elsewhere.post("/me", data={"displayName": "Dan",
                                           "csrf_token": form_token(elsewhere, "/me")})
    assert response.status_code == 302


def drop(life, tab_):
    """The transport vanished without a goodbye: the client is away (in its grace)."""
    sid = next(sid for sid, cid in life.connections.clients.items() if cid == tab_.client_id)
    life.disconnect(sid, "transport close")


def clients_of(life, user_id):
    state = life.store.get_state()
    return [state["clients"][c] for c in state["users"][user_id]["clientIds"]]


def test_away_clients_count_against_the_cap(database_url):
    """Before: dropping and reconnecting made a new client per cycle (660 from one cookie
    in 20 s), each an away tab in everyone's lobby. After: the user holds at most
    MAX_CONNECTIONS_PER_USER clients; a new one replaces the oldest away one."""
    app = make_app(database_url, MAX_CONNECTIONS_PER_USER=3)
    life = app.extensions["tlightchat"].life
    first = Tab(app)
    user_id, opened = first.user_id, [first]
    drop(life, first)
    for _ in range(8):
        tab_ = opened[-1].second_tab()
        opened.append(tab_)
        drop(life, tab_)
        assert len(clients_of(life, user_id)) <= 3
    kept = {c["id"] for c in clients_of(life, user_id)}
    assert kept == {t.client_id for t in opened[-3:]}  # the oldest went first


def test_a_user_at_the_cap_with_no_away_client_is_refused(database_url):
    app = make_app(database_url, MAX_CONNECTIONS_PER_USER=2)
    life = app.extensions["tlightchat"].life
    one = Tab(app)
    two = one.second_tab()
    refused = app.extensions["tlightchat"].socketio.test_client(
        app, flask_test_client=one.browser)
    assert not refused.is_connected()
    drop(life, two)
    # the away client resuming itself does not count twice, nor replace anyone
    back = Tab(app, browser=two.browser, auth={"resume": two.welcome["resumeToken"]})
    assert back.client_id == two.client_id and back.welcome["resumed"] is True
    assert {c["id"] for c in clients_of(life, one.user_id)} == {one.client_id, two.client_id}


def test_the_window_limiter_forgets_quiet_keys():
    from tlightchat.ratelimit import WindowLimiter

    from tests.support.clients import FakeClock

    clock = FakeClock()
    limiter = WindowLimiter(2, 60, clock)
    limiter.hit("a"), limiter.hit("a")
    assert limiter.retry_after("a") == 60
    clock.advance(61)
    assert limiter.retry_after("a") == 0
    limiter.hit("b")
    assert set(limiter.events) == {"b"}


# Review 2, finding 4: the per-address limits are one atomic check-and-count.



def test_parallel_first_connects_cannot_pass_the_guest_limit_together(database_url):
    """Before: check, store (a pause), then count: both connects passed a limit of 1."""
    app = make_app(database_url, GUEST_MAX_PER_ADDRESS=1)
    first, second = interleaved_first_connects(app)
    assert first.id == "guest-one" and second == "limit"


def test_a_registration_that_fails_is_not_counted(database_url, monkeypatch):
    """Before: the attempt was counted before hashing, so a busy server or a name taken
    meanwhile used up the address's registrations."""
    from tlightchat.db import User
    from tlightchat.web import hashing

    app = make_app(database_url, REGISTER_MAX_PER_ADDRESS=1)
    real = hashing.generate

    def busy(password):
        raise hashing.Busy()

    monkeypatch.setattr(hashing, "generate", busy)
    assert register(fresh_browser(app, "198.51.100.20"), "erin").status_code == 503

    def taken_meanwhile(password):
        with app.extensions["tlightchat"].db.session() as s:
            s.add(User(id="someone", display_name="x", username="frank"))
        return real(password)

    monkeypatch.setattr(hashing, "generate", taken_meanwhile)
    assert register(fresh_browser(app, "198.51.100.20"), "frank").status_code == 409
    monkeypatch.setattr(hashing, "generate", real)
    assert register(fresh_browser(app, "198.51.100.20"), "grace").status_code == 302
    assert register(fresh_browser(app, "198.51.100.20"), "heidi").status_code == 429
