"""Reaching people who are not on the page (issue 27): call links (links.py, their
socket events link_handlers.py, their pages web/links.py)."""
