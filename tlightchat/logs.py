"""Structured logs: one line per record, JSON or text, with ids and never message bodies.

Code logs with `extra={...}` fields (event, client, user, call, code, ms); the JSON
formatter writes them as keys, the text formatter appends them as key=value.

Every field, the message and its arguments included, may hold text a client chose (an
event name, a reason, a name). `escape` writes each control character as a visible
escape, so one record is always one line and nothing reaches a terminal as a command:
C0 and C1 controls (CR, LF, ESC, NEL, ...), DEL, the line and paragraph separators
U+2028/U+2029, and the bidirectional overrides that reorder what a reader sees. A
backslash is doubled, so an escape in the log is never ambiguous. JSON lines carry the
escaped text too, so a collector that prints a value (`jq -r`) is safe as well. A
traceback (our own text, but it may quote a client's) is escaped line by line and
indented, so no line of it can pass for a record of its own.
"""
import json
import logging
import re
import time

FIELDS = ("event", "client", "user", "call", "anchor", "invitation", "ok", "code", "ms",
          "transport", "reason", "sid", "events", "refused", "counts", "codes", "clients")

_UNSAFE = re.compile("[\\\\\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e"
                     "\u2066-\u2069]")
_NAMED = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(match):
    ch = match.group()
    if ch in _NAMED:
        return _NAMED[ch]
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def escape(value):
    """Any value → its text with every control character written as an escape."""
    text = value if isinstance(value, str) else str(value)
    return _UNSAFE.sub(_escaped, text)


def _field(value):
    return value if isinstance(value, (bool, int, float)) or value is None else escape(value)


def _fields(record):
    return {key: _field(getattr(record, key)) for key in FIELDS if hasattr(record, key)}


def _traceback(text):
    return "\n".join("    " + escape(line) for line in text.splitlines())


def _message(record):
    try:
        return escape(record.getMessage())
    except Exception as err:  # a bad format string must not lose the record
        return escape(f"{record.msg!r} (unformattable: {type(err).__name__})")


class JsonFormatter(logging.Formatter):
    def format(self, record):
        line = {"ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
                + f".{int(record.msecs):03d}Z",
                "level": record.levelname, "logger": escape(record.name),
                "msg": _message(record), **_fields(record)}
        if record.exc_info:
            line["exc"] = _traceback(self.formatException(record.exc_info))
        return json.dumps(line)


class TextFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record):
        text = f"{self.formatTime(record)} {record.levelname} {escape(record.name)} " \
               f"{_message(record)}"
        extra = " ".join(f"{k}={v}" for k, v in _fields(record).items())
        if extra:
            text = f"{text} {extra}"
        if record.exc_info:
            text = f"{text}\n{_traceback(self.formatException(record.exc_info))}"
        if record.stack_info:
            text = f"{text}\n{_traceback(record.stack_info)}"
        return text


def init_app(app):
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if app.config["LOG_FORMAT"] == "json" else TextFormatter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_tlc", False)]:
        root.removeHandler(old)
    handler._tlc = True
    root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])
    for noisy in ("alembic", "engineio.server", "socketio.server", "geventwebsocket.handler"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
