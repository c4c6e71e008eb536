"""The one refusal type: every layer says "no" with a code and a sentence.

A refusal is not a bug: the store's guard, a payload schema, the chat service and the
identity code all raise `Refusal(code, message)`, and the realtime layer turns it into
the `{ok: false, error: {code, message}}` ack of docs/protocol.md. `code` is one of the
documented error codes; `message` says what happened and what to do, for a person.
Anything else that escapes a handler is a bug: logged with its traceback, answered
`internal`.
"""


def translated(message):
    """`message` in the language of the request or socket event being answered
    (web/i18n.py; pybabel extracts `Refusal(code, "…")` literals with `-k Refusal:2`);
    as it is elsewhere or where no translation exists (a sentence with a value filled in)."""
    from flask import has_app_context, has_request_context

    if not isinstance(message, str) or not has_app_context():
        return message
    from flask_babel import gettext

    from .web.i18n import event_language, gettext_in

    if not has_request_context():  # a socket event: its page's language
        return gettext_in(event_language(), message)
    try:
        return gettext(message)
    except (KeyError, RuntimeError, AttributeError):  # no Flask-Babel on this app
        return message


class Refusal(Exception):
    def __init__(self, code, message, retry_after_ms=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after_ms = retry_after_ms  # when to try again (`unavailable`)

    def as_dict(self):
        error = {"code": self.code, "message": translated(self.message)}
        if self.retry_after_ms is not None:
            error["retryAfterMs"] = self.retry_after_ms
        return error
