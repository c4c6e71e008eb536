"""Structured logs: one line per event, JSON or text, with ids and never message bodies.

Code logs with `extra={...}` fields (event, client, user, call, code, ms); the JSON
formatter writes them as keys, the text formatter appends them as key=value.
"""
import json
import logging
import time

FIELDS = ("event", "client", "user", "call", "anchor", "invitation", "ok", "code", "ms",
          "transport", "reason", "sid")


def _fields(record):
    return {key: getattr(record, key) for key in FIELDS if hasattr(record, key)}


class JsonFormatter(logging.Formatter):
    def format(self, record):
        line = {"ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
                + f".{int(record.msecs):03d}Z",
                "level": record.levelname, "logger": record.name, "msg": record.getMessage(),
                **_fields(record)}
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record):
        text = super().format(record)
        extra = " ".join(f"{k}={v}" for k, v in _fields(record).items())
        return f"{text} {extra}" if extra else text


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
