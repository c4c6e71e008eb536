"""worker.run_blocking under each async mode, in a fresh interpreter (monkey-patching
cannot be undone in this one): a blocking call runs in another OS thread and the event
loop keeps running meanwhile; its result and its exception come back."""
import subprocess
import sys

import pytest

PROBE = r"""
import sys
mode = sys.argv[1]
if mode == "eventlet":
    import eventlet; eventlet.monkey_patch(); from eventlet import patcher
    real_sleep, spawn, green_sleep = patcher.original("time").sleep, eventlet.spawn, eventlet.sleep
elif mode == "gevent":
    from gevent import monkey; monkey.patch_all(); import gevent
    from gevent.monkey import get_original
    real_sleep, spawn, green_sleep = get_original("time", "sleep"), gevent.spawn, gevent.sleep
import threading
from tlightchat.worker import run_blocking

loop_thread = threading.get_native_id()
ticks = []
def ticker():
    while True:
        ticks.append(1)
        green_sleep(0.01)
spawn(ticker); green_sleep(0)

def blocking():
    real_sleep(0.5)  # blocks its whole OS thread, like a COMMIT's fsync
    return threading.get_native_id()

worker_thread = run_blocking(blocking)
try:
    run_blocking(lambda: 1 / 0)
    raised = False
except ZeroDivisionError:
    raised = True
print(worker_thread != loop_thread, len(ticks), raised)
"""


@pytest.mark.parametrize("mode", ["eventlet", "gevent"])
def test_a_blocking_call_runs_in_an_os_thread_while_the_loop_runs(mode):
    out = subprocess.run([sys.executable, "-W", "ignore", "-c", PROBE, mode],
                         capture_output=True, text=True, timeout=60)
    other_thread, ticks, raised = out.stdout.split()
    assert other_thread == "True", out.stderr
    assert int(ticks) >= 10, f"the loop stalled: {ticks} ticks in 0.5 s"  # ~50 when idle
    assert raised == "True"


def test_without_green_threads_it_is_a_plain_call():
    import threading

    from tlightchat.worker import run_blocking
    assert run_blocking(threading.get_native_id) == threading.get_native_id()
