"""Small helpers shared by the window's forms (settings, account wizard)."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QWidget


def add_row(form: QFormLayout, text: str, field: QWidget, name: str) -> None:
    """A form row: `text` as the field's label (its ``&`` mnemonic focuses it), `name` read out.

    The label is a child of the field's parent; `name` is the field's accessible name.
    """
    label = QLabel(text, field.parentWidget())
    label.setBuddy(field)
    field.setAccessibleName(name)
    form.addRow(label, field)
