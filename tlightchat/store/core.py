"""A small Redux: one state tree, pure reducers, guarded dispatch, subscribers.

Redux's guards are kept: an action must be a dict with a `type` named `domain/event`;
a reducer may not dispatch; a slice that did not change keeps its identity (so a
subscriber can tell what changed with `is`). One addition: a pure *guard* function
sees (state, action) before the reducer and may refuse the action with a coded error.
That is how the store enforces the call state machine without reducers doing anything
but compute the next state.
"""
import re
import threading

from ..errors import Refusal

ACTION_TYPE = re.compile(r"^[a-z][a-z-]*/[a-z][a-z-]*$")
ALLOWED_KEYS = {"type", "payload", "meta", "error"}


class InvalidAction(TypeError):
    """The action itself is malformed (a programming error, not a user error)."""


def check_action(action):
    if not isinstance(action, dict):
        raise InvalidAction(f"action must be a dict, got {type(action).__name__}")
    extra = set(action) - ALLOWED_KEYS
    if extra:
        raise InvalidAction(f"unknown action keys: {sorted(extra)}")
    kind = action.get("type")
    if not isinstance(kind, str) or not ACTION_TYPE.match(kind):
        raise InvalidAction(f"action type must look like 'domain/event', got {kind!r}")
    for key in ("payload", "meta"):
        if key in action and not isinstance(action[key], dict):
            raise InvalidAction(f"action {key} must be a dict")


class Store:
    def __init__(self, reducer, guard=None, initial_state=None):
        self._reducer = reducer
        self._guard = guard
        self._subscribers = []
        self._dispatching = False
        # RLock: subscribers run inside dispatch and may read state; under eventlet or
        # gevent the lock is green after monkey-patching, under threading it is real.
        self._lock = threading.RLock()
        self._state = reducer(initial_state, {"type": "store/init"})

    @property
    def lock(self):
        """Hold this to read state and emit atomically with respect to dispatches."""
        return self._lock

    def get_state(self):
        return self._state

    def load(self, state):
        """Replace the whole state (a cluster node loading a snapshot before it serves
        anyone); subscribers are not told: there is nothing they delivered yet."""
        with self._lock:
            self._state = state

    def subscribe(self, listener):
        """listener(action, prev_state, next_state); returns an unsubscribe function."""
        self._subscribers.append(listener)

        def unsubscribe():
            if listener in self._subscribers:
                self._subscribers.remove(listener)

        return unsubscribe

    def check(self, action):
        """The guard's word on `action` without applying it: for an action whose reducer
        keeps the state as it is (a relayed ICE candidate), there is no change for a
        subscriber to see, and the caller delivers what it carries (EmitterTree.relay).
        Raises the guard's Refusal, as dispatch would."""
        check_action(action)
        with self._lock:
            if self._dispatching:
                raise InvalidAction("reducers and guards may not dispatch actions")
            if self._guard is not None:
                self._guard(self._state, action)
        return action

    def dispatch(self, action):
        check_action(action)
        with self._lock:
            if self._dispatching:
                raise InvalidAction("reducers and guards may not dispatch actions")
            self._dispatching = True
            try:
                prev = self._state
                if self._guard is not None:
                    self._guard(prev, action)  # raises Refusal
                nxt = self._reducer(prev, action)
                self._state = nxt
            finally:
                self._dispatching = False
            for listener in list(self._subscribers):
                listener(action, prev, nxt)
        return action
