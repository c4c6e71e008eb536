"""The site's pages, declared once for the browser tests (issue 25, item 3): each page a
person opens by its address (GET, HTML, no argument in its path). /logout only asks (an
account) or sends a guest on to /me. tests/web/test_site_pages.py keeps this list equal to
the app's URL map less NOT_PAGES, so a page added or removed there fails until it is
named here. (No imports: tests/ reads it without the browser fixtures.)"""

SITE_PAGES = ("/", "/call", "/chat", "/about", "/me", "/login", "/register", "/logout")

# Addresses of the URL map that are no page to look at: health checks, the old call
# page's redirect, the password page only an account has, and the connectivity doctor
# only an operator (ADMINS) sees (a 404 for everyone else), the service worker's script and
# the offline call page it keeps (the export's page: e2e/test_offline.py, test_reach.py), the
# Web Push public key (JSON), the operators' page (ADMINS only, like /doctor) and the
# download of one's data (a zip, from /me).
NOT_PAGES = ("/healthz", "/healthz/live", "/healthz/ready", "/WebrtcVideoCommunication",
             "/me/password", "/doctor", "/sw.js", "/offline", "/push/key", "/admin", "/mydata")
