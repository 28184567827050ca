"""The Qt desktop window (PySide6 + qasync). Only this package may import Qt."""
