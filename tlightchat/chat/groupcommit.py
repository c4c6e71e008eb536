"""Group commit: many writers, one transaction, one fsync.

Each caller submits its item and waits; one background writer takes everything that
is waiting, hands it to `work` as one batch (one transaction, so one fsync), and wakes
each caller with its own result. A caller still returns only after its item is
committed, but under load the disk flush is shared instead of paid per message. The
batch itself (ChatService.send_many) runs in a real OS thread under eventlet and gevent
(worker.run_blocking), so its statements and its fsync do not stall the other
connections; the callers are woken here, back on the event loop.

The queue and its task are the one serial worker (tlightchat/worker.py); the event a
caller waits on comes from the server's async mode (Engine.IO's create_event), so this
works the same under eventlet, gevent and threading.
"""


from ..worker import SerialWorker


class GroupCommit:
    def __init__(self, socketio, work, max_batch=128, timeout=10.0):
        self.eio = socketio.server.eio
        self.work = work  # list of argument tuples → list of results (or exceptions)
        self.timeout = timeout
        self.worker = SerialWorker(socketio.start_background_task, self._run_batch,
                                   max_batch=max_batch, name="group commit")

    def submit(self, *args):
        """Run `work` on args as part of the next batch; return its result or raise."""
        item = {"args": args, "done": self.eio.create_event(), "result": None}
        self.worker.submit(item)
        if not item["done"].wait(self.timeout):
            raise TimeoutError("the writer did not answer in time")
        if isinstance(item["result"], BaseException):
            raise item["result"]
        return item["result"]

    def _run_batch(self, batch):
        try:
            results = self.work([item["args"] for item in batch])
        except Exception as err:  # never let the writer die: each caller hears
            results = [err] * len(batch)
        for item, result in zip(batch, results):
            item["result"] = result
            item["done"].set()
