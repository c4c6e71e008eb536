"""Logs: client text never forges a line or reaches a terminal, and INFO volume is
bounded by time, not by what clients send (issue 23 item 7, issue 24 item 8)."""
import json
import logging
import re

import pytest

from tlightchat import create_app
from tlightchat.logs import FIELDS, JsonFormatter, TextFormatter

from tests.support.clients import FakeClock, Tab

# Every character that must never reach a log raw: C0, DEL, C1, U+2028/9.
UNSAFE = [chr(c) for c in range(0x20)] + ["\x7f"] + [chr(c) for c in range(0x80, 0xA0)] \
    + ["\u2028", "\u2029"]
FORGED = "x\n2026-12-06 03:00:00,000 CRITICAL tlightchat forged\r\x1b[31m\u2028\x85end"


def record(**fields):
    rec = logging.LogRecord("tlightchat.realtime.hub", logging.WARNING, __file__, 1,
                            "client %s said %s", ("c1", FORGED), None)
    for key, value in fields.items():
        setattr(rec, key, value)
    return rec


def every_field():
    return {key: f"{key}:{''.join(UNSAFE)}" for key in FIELDS}


@pytest.mark.parametrize("formatter", [TextFormatter(), JsonFormatter()],
                         ids=["text", "json"])
def test_no_control_character_reaches_the_log_from_any_field(formatter):
    line = formatter.format(record(**every_field()))
    assert "\n" not in line and "\r" not in line
    assert not [ch for ch in line if ch in UNSAFE], repr(line)
    shown = json.loads(line) if isinstance(formatter, JsonFormatter) else None
    if shown is not None:  # what a collector prints (jq -r) is escaped too
        for key, value in shown.items():
            assert not [ch for ch in str(value) if ch in UNSAFE], (key, value)
        assert shown["msg"].startswith("client c1 said x\\n2026")
    else:
        assert "said x\\n2026-12-06 03:00:00,000 CRITICAL" in line
        assert "\\x1b[31m\\u2028\\x85end" in line


@pytest.mark.parametrize("formatter", [TextFormatter(), JsonFormatter()],
                         ids=["text", "json"])
def test_a_traceback_quoting_client_text_cannot_pass_for_a_record(formatter):
    try:
        raise ValueError(FORGED)
    except ValueError:
        import sys
        rec = record()
        rec.exc_info = sys.exc_info()
    text = formatter.format(rec)
    lines = text.splitlines() if isinstance(formatter, TextFormatter) \
        else json.loads(text)["exc"].splitlines()
    assert len(text.splitlines()) == (1 if isinstance(formatter, JsonFormatter) else len(lines))
    continuation = lines[1:] if isinstance(formatter, TextFormatter) else lines
    assert continuation and all(l.startswith("    ") for l in continuation)
    assert not [ch for l in lines for ch in l if ch in UNSAFE]


def test_an_event_name_with_a_newline_forges_no_line_in_the_text_log(tmp_path, capfd):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/d.db", "LOG_LEVEL": "DEBUG",
                      "LOG_FORMAT": "text"})
    ann = Tab(app)
    capfd.readouterr()
    ack = ann.ask(FORGED, {"name": FORGED})
    assert ack["ok"] is False
    logging.getLogger().handlers[-1].flush()
    err = capfd.readouterr().err
    assert not [l for l in err.splitlines() if "CRITICAL" in l.split(" ")[:4]], err
    assert "\x1b" not in err and "\r" not in err and "\u2028" not in err
    assert "event=x\\n2026-12-06" in err


class Lines(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.records = []

    def emit(self, rec):
        self.records.append(rec)


@pytest.fixture
def own_log(request):
    """A logger of this test's own, and the INFO records written to it. The event log
    under test is pointed at it, so that the summary of another test's app, whose
    flusher may still be running in this process, is not counted here."""
    handler = Lines()
    logger = logging.getLogger(f"tlightchat.realtime.hub.{request.node.name}")
    logger.addHandler(handler)
    yield logger, handler.records
    logger.removeHandler(handler)


def test_refusals_are_summarised_per_connection_once_per_interval(tmp_path, own_log):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/d.db", "LOG_LEVEL": "INFO",
                      "LOG_SUMMARY_INTERVAL": 60, "RATE_LIMIT_BURST": 1000})
    hub = app.extensions["tlightchat"].hub
    hub.event_log.log, info_lines = own_log
    ticks = FakeClock(0.0)
    hub.event_log.clock = ticks
    hub.event_log.flush(0.0)
    ann, bob = Tab(app), Tab(app)
    del info_lines[:]
    for n in range(300):  # unknown names, bad payloads: ~300 refusals from one client
        ann.ask(f"no-such-event-{n}\n", {})
        ann.ask("anchor:rename", {"anchorId": f"nope{n}", "name": "x"})
    assert bob.ask("anchor:create", {"name": "Bob"})["ok"]
    events = [r for r in info_lines if r.getMessage() == "client event"]
    assert events == [] and len(info_lines) == 0, [r.getMessage() for r in info_lines]
    ticks.advance(61)
    bob.ask("anchor:create", {"name": "Bob again"})  # the first event after the interval
    lines = {r.getMessage().split(" in ")[0]: r for r in info_lines}
    assert len(info_lines) == 2, [r.getMessage() for r in info_lines]
    total, mine = lines["client events"], lines["refusals"]
    assert (total.events, total.refused, total.clients) == (602, 600, 1)
    assert re.search(r"\?=300", total.counts) and "anchor:rename=300" in total.counts
    assert "anchor:create=2" in total.counts
    assert mine.client == ann.client_id and mine.refused == 600
    assert set(mine.codes.split(",")) == {"not-found=300", "unknown-event=300"}


def test_info_volume_does_not_grow_with_refusals_and_connections(tmp_path, own_log):
    from tlightchat.realtime import eventlog
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/d.db", "LOG_LEVEL": "INFO"})
    log = app.extensions["tlightchat"].hub.event_log
    log.log, info_lines = own_log
    del info_lines[:]
    for n in range(5000):
        log.record("anchor:rename", f"client{n % 500}", {"ok": False, "error": {
            "code": "rate-limited"}}, {"event": "anchor:rename"})
    assert info_lines == []
    log.flush()
    assert len(info_lines) == 1 + eventlog.MAX_CLIENT_LINES + 1
    assert info_lines[-1].clients == 500 - eventlog.MAX_CLIENT_LINES
    assert sum(r.refused for r in info_lines[1:]) == 5000
    log.flush()
    assert len(info_lines) == 2 + eventlog.MAX_CLIENT_LINES  # a quiet interval: no line
