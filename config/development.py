"""Development: `flask run` (threading) or `make run` (eventlet), SQLite in instance/."""
LOG_LEVEL = "DEBUG"
