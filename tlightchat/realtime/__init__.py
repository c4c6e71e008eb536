"""The realtime layer: sockets in, store changes out (see hub.py for the map)."""
