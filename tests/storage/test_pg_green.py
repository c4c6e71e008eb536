"""A PostgreSQL query under eventlet or gevent lets the other green threads run while
it waits for the server: psycopg's default C wait does not (it detects gevent's
patching, not eventlet's), and a cluster node on eventlet stalled every connection for
each query. Each mode runs in a fresh interpreter (monkey-patching cannot be undone)."""
import subprocess
import sys

import pytest

PROBE = r"""
import sys
mode, url = sys.argv[1], sys.argv[2]
if mode == "eventlet":
    import eventlet; eventlet.monkey_patch()
    spawn, green_sleep = eventlet.spawn, eventlet.sleep
else:
    from gevent import monkey; monkey.patch_all(); import gevent
    spawn, green_sleep = gevent.spawn, gevent.sleep
from sqlalchemy import text
from tlightchat.db import Database

db = Database(url)
with db.engine.connect() as c:  # connected before the ticker starts
    c.execute(text("select 1"))
ticks = []
def ticker():
    while True:
        ticks.append(1)
        green_sleep(0.01)
spawn(ticker); green_sleep(0)
with db.engine.connect() as c:
    c.execute(text("select pg_sleep(0.5)"))
print(len(ticks))
db.dispose()
"""


@pytest.mark.parametrize("mode", ["eventlet", "gevent"])
def test_a_slow_query_does_not_stall_the_event_loop(postgres, mode):
    name = postgres.create_database()
    try:
        out = subprocess.run([sys.executable, "-W", "ignore", "-c", PROBE, mode,
                              postgres.url(name)], capture_output=True, text=True, timeout=60)
    finally:
        postgres.drop_database(name)
    assert out.returncode == 0, out.stderr[-2000:]
    ticks = int(out.stdout.split()[-1])
    assert ticks >= 10, f"the loop stalled: {ticks} ticks during a 0.5 s query"  # ~50 idle
