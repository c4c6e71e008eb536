"""Prometheus metrics at /metrics (prometheus_client), off unless METRICS_ENABLED.

Counters and histograms are updated where things happen (the hub's event log line, the
group commit, the storage-fault reporter); the live picture (clients, anchors, calls by
state) is read from the store when Prometheus scrapes, so it costs nothing between
scrapes. Each app has its own registry: tests build many apps in one process.

Answered only to METRICS_ALLOW addresses (loopback by default); deploy/grafana-
dashboard.json charts every series.
"""
import time

from flask import Blueprint, Response, abort, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client import generate_latest
from prometheus_client.core import GaugeMetricFamily

from .protocol import CLIENT_EVENTS
from .store import selectors as S

# Seconds: a relayed signal takes ~1 ms, a chat send waits for its commit (~2-20 ms).
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)


class Metrics:
    def __init__(self):
        self.registry = registry = CollectorRegistry()
        self.events = Counter("tlc_events", "Client events handled, by event and outcome "
                              "(ok, or the error code)", ["event", "outcome"], registry=registry)
        self.ack_seconds = Histogram("tlc_ack_seconds", "From a client event's arrival to "
                                     "its ack", ["event"], buckets=LATENCY_BUCKETS,
                                     registry=registry)
        self.chat_commit_seconds = Histogram("tlc_chat_commit_seconds", "One group-commit "
                                             "batch of chat sends: checks, inserts, commit",
                                             buckets=LATENCY_BUCKETS, registry=registry)
        self.chat_batch_size = Histogram("tlc_chat_batch_messages", "Chat sends per group "
                                         "commit", buckets=(1, 2, 4, 8, 16, 32, 64, 128),
                                         registry=registry)
        self.storage_failures = Counter("tlc_storage_failures", "Requests refused because "
                                        "the database could not be used", registry=registry)
        self.rate_limited = Counter("tlc_rate_limited", "Client events refused by a rate "
                                    "limit", registry=registry)

    def event_handled(self, event, result, seconds):
        name = event if event in CLIENT_EVENTS else "unknown"  # bounded label values
        outcome = "ok" if result["ok"] else result["error"]["code"]
        self.events.labels(name, outcome).inc()
        self.ack_seconds.labels(name).observe(seconds)
        if outcome == "rate-limited":
            self.rate_limited.inc()

    def timed_batches(self, work):
        """Wrap the group commit's batch function to observe its time and size."""
        def timed(batch):
            started = time.perf_counter()
            try:
                return work(batch)
            finally:
                self.chat_commit_seconds.observe(time.perf_counter() - started)
                self.chat_batch_size.observe(len(batch))
        return timed

    def watch(self, store):
        self.registry.register(_StoreCollector(store))

    def blueprint(self, allow):
        bp = Blueprint("metrics", __name__)
        allowed = set(allow)

        @bp.get("/metrics")
        def metrics():
            if request.remote_addr not in allowed:
                abort(404)
            return Response(generate_latest(self.registry), mimetype=CONTENT_TYPE_LATEST)

        return bp


class _StoreCollector:
    """Gauges read from the store at scrape time."""

    def __init__(self, store):
        self.store = store

    def collect(self):
        state = self.store.get_state()
        clients = GaugeMetricFamily("tlc_clients", "Browser tabs known to the server",
                                    labels=["state"])
        away = sum(1 for c in state["clients"].values() if c["awayUntil"] is not None)
        clients.add_metric(["connected"], len(state["clients"]) - away)
        clients.add_metric(["away"], away)
        yield clients
        yield GaugeMetricFamily("tlc_users_online", "Users with at least one tab",
                                value=len(state["users"]))
        yield GaugeMetricFamily("tlc_anchors_online", "Call slots online (callable)",
                                value=sum(1 for a in state["anchors"].values() if a["online"]))
        yield GaugeMetricFamily("tlc_invitations_ringing", "Calls ringing",
                                value=len(state["invitations"]))
        calls = GaugeMetricFamily("tlc_calls", "Calls by state", labels=["state"])
        counts = {"connecting": 0, "connected": 0, "reconnecting": 0}
        for call in state["calls"].values():
            counts[S.call_state(state, call)] += 1
        for name, count in counts.items():
            calls.add_metric([name], count)
        yield calls
