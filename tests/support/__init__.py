"""Helpers shared by the tests (not servers: see tests/servers)."""
