"""Shipped resources: trust anchors, templates, translations (installed as app.resources)."""
