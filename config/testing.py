"""Tests: in-memory-free SQLite path is set by the fixtures; short timers."""
TESTING = True
SECRET_KEY = "testing-secret"
RING_TIMEOUT = 30
LOG_LEVEL = "WARNING"
CALL_LOG_DELAY = 0.05
# Every test client comes from 127.0.0.1: the per-address limits on new guests and
# registrations would count the whole suite as one person. Their tests set them low.
GUEST_MAX_PER_ADDRESS = 100000
REGISTER_MAX_PER_ADDRESS = 100000
