"""Helpers shared by the tests of every layer (tests/<layer>/): clients, servers, samples."""
