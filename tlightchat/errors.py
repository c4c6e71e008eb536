"""The one refusal type: every layer says "no" with a code and a sentence.

A refusal is not a bug: the store's guard, a payload schema, the chat service and the
identity code all raise `Refusal(code, message)`, and the realtime layer turns it into
the `{ok: false, error: {code, message}}` ack of docs/protocol.md. `code` is one of the
documented error codes; `message` says what happened and what to do, for a person.
Anything else that escapes a handler is a bug: logged with its traceback, answered
`internal`.
"""


class Refusal(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message

    def as_dict(self):
        return {"code": self.code, "message": self.message}
