"""Tests: in-memory-free SQLite path is set by the fixtures; short timers."""
TESTING = True
SECRET_KEY = "testing-secret"
RING_TIMEOUT = 30
LOG_LEVEL = "WARNING"
CALL_LOG_DELAY = 0.05
