"""The one refusal type: every layer says "no" with a code and a sentence.

A refusal is not a bug: the store's guard, a payload schema, the chat service and the
identity code all raise `Refusal(code, message)`, and the realtime layer turns it into
the `{ok: false, error: {code, message}}` ack of docs/protocol.md. `code` is one of the
documented error codes; `message` says what happened and what to do, for a person.
Anything else that escapes a handler is a bug: logged with its traceback, answered
`internal`.
"""


def N_(message):
    """Marks a sentence kept in a variable for the catalogs (N_ is one of pybabel's
    default keywords); `translated` turns it into the reader's language where it is shown."""
    return message


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
    """`Refusal(code, "at most %(n)s lines per tab", n=8)`: a sentence with values is
    written as a template and its values, so the template is translated (pybabel extracts
    it) and the values are filled in after; `message` is the English sentence."""

    def __init__(self, code, message, retry_after_ms=None, **values):
        self.template, self.values = message, values
        message = message % values if values else message
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after_ms = retry_after_ms  # when to try again (`unavailable`)

    def as_dict(self):
        shown = translated(self.template)
        if self.values:
            try:
                shown = shown % self.values
            except (KeyError, ValueError, TypeError):  # a translation that lost a value
                shown = self.message
        error = {"code": self.code, "message": shown}
        if self.retry_after_ms is not None:
            error["retryAfterMs"] = self.retry_after_ms
        return error
