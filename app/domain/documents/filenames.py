"""File names: safe to show and to write anywhere, whatever the sender wrote."""

from __future__ import annotations

import re
import unicodedata

#: Longest file name Pli writes (characters, extension included): safe on every file system.
MAX_FILENAME_CHARS = 150
_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{i}" for i in range(1, 10)}
    | {f"LPT{i}" for i in range(1, 10)}
)
#: Characters no file name may hold on some system (replaced).
FORBIDDEN_CHARS = re.compile(r'[<>:"/\\|?*]')
_SPACES = re.compile(r"\s+")


def sanitize_filename(name: str | None, fallback: str = "piece-jointe") -> str:
    r"""A file name safe to show and to write anywhere, whatever the sender wrote.

    The last path component only (``/`` and ``\`` both count), Unicode NFC, no control or
    format characters (which hides bidirectional overrides such as ``U+202E`` that disguise
    ``fdp.exe`` as ``exe.pdf``), none of ``<>:"/\|?*``, no leading dots (hidden files), no
    trailing dots or spaces, not a reserved Windows device name, at most
    `MAX_FILENAME_CHARS` characters with the extension kept.
    """
    text = unicodedata.normalize("NFC", name or "")
    text = re.split(r"[/\\]", text)[-1]
    text = "".join(
        " " if unicodedata.category(ch) in ("Zl", "Zp") or ch in "\t\r\n" else ch
        for ch in text
        if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn") or ch in "\t\r\n"
    )
    text = FORBIDDEN_CHARS.sub("_", text)
    text = _SPACES.sub(" ", text).strip().lstrip(".").rstrip(". ").strip()
    if not text:
        return fallback
    stem, dot, ext = text.rpartition(".")
    if not dot or not stem:
        stem, ext = text, ""
    if stem.split(".")[0].strip().upper() in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    if len(ext) > 16:  # not an extension: part of the name
        stem, ext = f"{stem}.{ext}", ""
    suffix = f".{ext}" if ext else ""
    stem = stem[: max(1, MAX_FILENAME_CHARS - len(suffix))].rstrip(". ") or fallback
    return stem + suffix


def filename_extension(name: str) -> str:
    """The lower-case extension of `name` (``""`` when it has none that looks like one)."""
    _, dot, ext = name.rpartition(".")
    if not dot or not re.fullmatch(r"[A-Za-z0-9]{1,5}", ext):
        return ""
    return ext.lower()
