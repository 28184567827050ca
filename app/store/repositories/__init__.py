"""Typed access to the archive's tables. Every function runs on the store's thread."""
