"""Attachments: type detection, PDF inspection, images, IHE XDM packages. No Qt, no network."""
