"""Group commit: many writers, one transaction, one fsync.

Each caller submits its item and waits; one background writer takes everything that
is waiting, hands it to `work` as one batch (one transaction, so one fsync), and wakes
each caller with its own result. A caller still returns only after its item is
committed, but under load the disk flush is shared instead of paid per message (with
eventlet a synchronous fsync also stalls every other connection while it runs).

The queue, event and task come from the server's async mode (Engine.IO's
create_queue / create_event, start_background_task), so this works the same under
eventlet, gevent and threading.
"""


class GroupCommit:
    def __init__(self, socketio, work, max_batch=128, timeout=10.0):
        self.socketio = socketio
        self.eio = socketio.server.eio
        self.work = work  # list of argument tuples → list of results (or exceptions)
        self.max_batch = max_batch
        self.timeout = timeout
        self.queue = self.eio.create_queue()
        self.empty = self.eio.get_queue_empty_exception()
        self.task = None

    def submit(self, *args):
        """Run `work` on args as part of the next batch; return its result or raise."""
        if self.task is None:
            self.task = self.socketio.start_background_task(self._run)
        item = {"args": args, "done": self.eio.create_event(), "result": None}
        self.queue.put(item)
        if not item["done"].wait(self.timeout):
            raise TimeoutError("the writer did not answer in time")
        if isinstance(item["result"], BaseException):
            raise item["result"]
        return item["result"]

    def _run(self):
        while True:
            batch = [self.queue.get()]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self.queue.get_nowait())
                except self.empty:
                    break
            try:
                results = self.work([item["args"] for item in batch])
            except Exception as err:  # never let the writer die: each caller hears
                results = [err] * len(batch)
            for item, result in zip(batch, results):
                item["result"] = result
                item["done"].set()
