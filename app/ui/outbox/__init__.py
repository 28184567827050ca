"""The outbox page of the window (issue 11)."""
