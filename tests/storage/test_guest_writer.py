"""A guest's first connection stores its row through a group commit of its own, off the
event loop: before, each first connection ran its own COMMIT (and fsync) on the event
loop, 23% of the server's CPU while 10,000 guests connected and every connection
stalled behind each fsync (bench/idle_cluster.py, py-spy)."""
import re
import threading

import pytest
from sqlalchemy import event

from tests.support.accounts import user_rows

pytestmark = pytest.mark.storage  # on SQLite and PostgreSQL


def test_a_first_connection_stores_its_guest_off_the_event_loop(app):
    db = app.extensions["tlightchat"].db
    offloaded, blocking = [], db.blocking

    def recording(fn, *args):
        offloaded.append(fn.__name__)
        return blocking(fn, *args)

    db.blocking = recording
    browser = app.test_client()
    name = re.search(r'value="(Guest-\d{4})"', browser.get("/me").get_data(as_text=True)).group(1)
    sio = app.extensions["tlightchat"].socketio.test_client(app, flask_test_client=browser)
    welcome = next(m for m in sio.get_received() if m["name"] == "session:welcome")["args"][0]
    assert welcome["user"]["displayName"] == name
    assert offloaded == ["_insert_guests"]
    assert user_rows(app) == 1
    sio.disconnect()


def test_first_connections_that_wait_together_share_one_transaction(app):
    db, identity = app.extensions["tlightchat"].db, app.extensions["tlightchat"].identity
    commits, gate = [], threading.Event()
    event.listen(db.guest_writer, "begin", lambda conn: gate.wait(5))  # the first batch waits
    event.listen(db.guest_writer, "commit", lambda conn: commits.append(1))
    threading.Timer(0.3, gate.set).start()
    errors = []

    def connect(i):
        try:
            identity.store_guest(f"guest{i:02d}", f"Guest-{1000 + i}")
        except Exception as err:  # asserted below
            errors.append(err)

    threads = [threading.Thread(target=connect, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert errors == []
    assert user_rows(app) == 20
    assert len(commits) <= 3, f"{len(commits)} transactions for 20 guests"


def test_a_guest_stored_twice_keeps_its_first_row(app):
    identity = app.extensions["tlightchat"].identity
    identity.store_guests([("g1", "Guest-1111"), ("g1", "Guest-1111"), ("g2", "Guest-2222")])
    identity.store_guests([("g1", "Guest-9999")])  # another tab, a later batch
    assert user_rows(app) == 2
    assert identity.load_user("g1").display_name == "Guest-1111"


def test_store_guests_says_which_it_stored(app):
    identity = app.extensions["tlightchat"].identity
    assert identity.store_guests([("g1", "Guest-1111"), ("g1", "Guest-1111"),
                                  ("g2", "Guest-2222")]) == [True, False, True]
    assert identity.store_guests([("g1", "Guest-9999"), ("g3", "Guest-3333")]) == [False, True]
    assert user_rows(app) == 3


def test_a_first_connection_reads_the_users_table_once(app):
    """Its guest was just stored as the cookie names it: reading it back was a second
    SELECT on every first connection (a tenth of a cluster node's CPU in a flash crowd)."""
    db = app.extensions["tlightchat"].db
    reads = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT") and "users" in statement:
            reads.append(statement)

    browser = app.test_client()
    browser.get("/me")
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        sio = app.extensions["tlightchat"].socketio.test_client(app, flask_test_client=browser)
        welcome = next(m for m in sio.get_received() if m["name"] == "session:welcome")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert welcome["args"][0]["user"]["displayName"].startswith("Guest-")
    assert len(reads) == 1, reads
    assert user_rows(app) == 1
    sio.disconnect()
