"""The window's shared widgets (banners, status bar, mail panes)."""
