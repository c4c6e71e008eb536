"""The realtime layer: sockets in, store changes out (hub.py: one event; lifecycle.py: a
socket's life; context.py: what handlers get)."""
