"""Pli: a desktop client for MSSanté secure health messaging."""

__version__ = "0.1.0"
