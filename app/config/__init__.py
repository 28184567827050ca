"""Paths, settings and shipped resources."""
