"""Issue 24, item 1: no path leaves a client in the store without a socket or a grace
deadline. A node SIGKILLed and back within the lapse (same NODE_ID) declares what its
previous incarnation held gone; a connect whose log entry lands though its reply was
lost (Redis stalled) is declared away by the node it names."""
import signal
import time

from e2e.services import wait_for
from tests.support.clients import Tab


def landed(condition, timeout):
    """Whether `condition` came true within `timeout` seconds (polled)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def life_of(app):
    return app.extensions["tlightchat"].life


def test_a_node_restarted_within_the_lapse_declares_its_old_clients_away(nodes):  # noqa: F811
    n1, n2 = nodes("n1"), nodes("n2")
    ann, bob = Tab(n1), Tab(n2)
    life1, life2 = life_of(n1), life_of(n2)
    wait_for(lambda: bob.client_id in life1.store.get_state()["clients"], 5, "n1 knows Bob")
    life2.close()  # "SIGKILL": no heartbeat, no log reading, no goodbye for Bob
    n2_again = nodes("n2")  # back at once under the same NODE_ID: never silent for long
    life2b = life_of(n2_again)
    for life in (life1, life2b):
        wait_for(lambda h=life: h.store.get_state()["clients"][bob.client_id]["awayUntil"],
                 3, "Bob (whose node restarted under him) is away, not a ghost")
    assert life1.store.get_state()["clients"][ann.client_id]["awayUntil"] is None
    # Bob's browser comes back (to either node) with its token: resumed, not a new tab.
    back = Tab(n2_again, browser=bob.browser, auth={"resume": bob.welcome["resumeToken"]})
    assert back.client_id == bob.client_id and back.welcome["resumed"] is True
    wait_for(lambda: life1.store.get_state()["clients"][bob.client_id]["awayUntil"] is None,
             3, "Bob back online on every node")
    assert life2b.node.membership.incarnation != life2.node.membership.incarnation  # heartbeat


def unserved(life):
    """Clients this node is said to serve with neither a socket nor a grace deadline."""
    return [c["id"] for c in life.store.get_state()["clients"].values()
            if c.get("node") == life.node.name and c["awayUntil"] is None
            and c["id"] not in life.connections.sids]


def test_a_connect_while_redis_stalls_leaves_no_ghost(nodes, redis_server):  # noqa: F811
    n1 = nodes("n1")
    life = life_of(n1)
    ann = Tab(n1)
    browser = n1.test_client()
    browser.get("/")
    # A first tab stores this guest, so the stalled connect below asks Redis nothing
    # before its append (a new guest's per-address limit lives in Redis too, and is
    # refused `unavailable` before anything is appended).
    Tab(n1, browser=browser)
    clients = lambda: len(life.store.get_state()["clients"])  # noqa: E731
    # The premise: a connect whose append reached Redis's socket buffer while its reply
    # never came. On a loaded box the node may first wait on another Redis call (a
    # catch-up read) and refuse before appending; then nothing landed and nothing can
    # be a ghost, so the stall is tried again (a bounded number of times).
    for _attempt in range(5):
        before = clients()
        redis_server.proc.send_signal(signal.SIGSTOP)
        try:
            sio = life.socketio.test_client(n1, flask_test_client=browser)
            assert not sio.is_connected()  # refused with `unavailable` (the log did not answer)
        finally:
            redis_server.proc.send_signal(signal.SIGCONT)
        if landed(lambda: clients() > before, 5):
            break
    else:
        raise AssertionError("no stalled connect's entry reached the log in 5 tries")
    wait_for(lambda: not unserved(life), 10, "the socketless client is declared away")
    assert life.store.get_state()["clients"][ann.client_id]["awayUntil"] is None


def test_two_live_processes_with_one_node_id_do_not_declare_each_others_clients(
        nodes, caplog):  # noqa: F811
    """A start-first rolling deploy: the new process of n2 runs beside the old one. Each
    sees the other's incarnation at its beats; neither declares the other's clients
    ghosts (the lobby would flap), both say what is wrong; once one is gone (killed), the
    other declares its clients away after a lapse."""
    n1, old, new = nodes("n1"), nodes("n2"), nodes("n2")
    life1, life_old, life_new = life_of(n1), life_of(old), life_of(new)
    lost = []
    life1.store.subscribe(lambda action, prev, nxt: lost.append(action)
                         if action["type"] == "nodes/lost" else None)
    ann, bob = Tab(old), Tab(new)
    wait_for(lambda: {ann.client_id, bob.client_id} <= set(life1.store.get_state()["clients"]),
             5, "n1 knows both")
    beats = {"old": 0, "new": 0}  # counted here: the old code's beats too
    for life, key in ((life_old, "old"), (life_new, "new")):
        def counted(beat=life.node.membership.beat, key=key):
            beats[key] += 1
            return beat()
        life.node.membership.beat = counted
    wait_for(lambda: min(beats.values()) >= 12, 10, "a dozen beats each")
    assert lost == [], "a process declared the other's clients ghosts"
    assert life_old.node.membership.shared() and life_new.node.membership.shared()
    clients = life1.store.get_state()["clients"]
    assert clients[ann.client_id]["awayUntil"] is None
    assert clients[bob.client_id]["awayUntil"] is None
    errors = [r for r in caplog.records if "another process runs as cluster node" in r.message]
    assert 1 <= len(errors) <= 2, "logged once per interval, by each process"

    life_old.close()  # "SIGKILL": Ann's socket is gone with it, no goodbye
    wait_for(lambda: life1.store.get_state()["clients"][ann.client_id]["awayUntil"], 5,
             "the survivor declares the old process's client away")
    assert life1.store.get_state()["clients"][bob.client_id]["awayUntil"] is None


def test_the_old_process_of_a_shared_node_id_leaving_takes_only_its_own_clients(nodes):  # noqa: F811
    """The end of a start-first deploy: the old process of n2 stops cleanly (SIGTERM)
    while the new one serves Bob. Ann (the old one's) goes away to resume elsewhere; Bob
    is not declared away with her, and n2 keeps its heartbeat."""
    n1, old, new = nodes("n1"), nodes("n2"), nodes("n2")
    life1, life_old, life_new = life_of(n1), life_of(old), life_of(new)
    ann, bob = Tab(old), Tab(new)
    wait_for(lambda: {ann.client_id, bob.client_id} <= set(life1.store.get_state()["clients"]),
             5, "n1 knows both")
    wait_for(lambda: life_old.node.membership.shared() and life_new.node.membership.shared(), 5,
             "each has seen the other beat")
    named = []
    life1.store.subscribe(lambda action, prev, nxt: named.extend(
        c["id"] for c in action["payload"]["clients"]) if action["type"] == "nodes/lost" else None)
    life_old.ctx.draining = "stopping"  # as shutdown.py does on SIGTERM
    life_old.node.leave()
    wait_for(lambda: life1.store.get_state()["clients"][ann.client_id]["awayUntil"], 5,
             "Ann goes away to resume elsewhere")
    assert bob.client_id not in named, "the leaving process declared its twin's client away"
    assert "n2" in life_of(n1).node.membership.redis.zrange("tlc:nodes", 0, -1)
