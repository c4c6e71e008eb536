"""The version of this server and of the vendored Socket.IO client, read by the pages
and the templates without importing the package (and so create_app)."""
__version__ = "0.2.0"
SOCKETIO_CLIENT_VERSION = "4.8.4"  # static/vendor/socket.io.esm.min.js
