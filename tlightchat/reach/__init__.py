"""Reaching people who are not on the page (issue 27): call links (links.py, their
socket events link_handlers.py, their pages web/links.py) and Web Push rings (push.py,
the wire format webpush.py, the /me setting web/push.py); the installable app's worker is
web/install.py with static/sw.js."""
