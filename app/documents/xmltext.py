"""Small helpers over ElementTree: attributes, text content, narrative blocks as lines."""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

_SPACES = re.compile(r"\s+")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_MAX_DEPTH = 64


def attr(element: Element | None, name: str) -> str:
    """An attribute's value, stripped; ``""`` when the element or attribute is missing."""
    if element is None:
        return ""
    return (element.get(name) or "").strip()


def el(element: Element | None) -> str:
    """An element's whole text content, whitespace collapsed; ``""`` when missing."""
    if element is None:
        return ""
    return _SPACES.sub(" ", "".join(element.itertext())).strip()


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 cannot carry (C0 controls but tab/CR/LF)."""
    return _XML_INVALID.sub("", text)


def local(tag: str) -> str:
    """A tag without its ``{namespace}``."""
    return tag.rsplit("}", 1)[-1]


def render(block: Element, namespace: str) -> list[str]:
    """A CDA narrative block (``section/text``) as lines of readable text.

    Paragraphs and list items get their own lines (items prefixed ``• `` or ``1. ``), tables
    become one line per row with cells joined by `` | ``, ``br`` breaks the line, and inline
    markup (``content``, ``sub``, ``sup``, ``linkHtml``) keeps its text.
    """
    lines: list[str] = []
    current: list[str] = []
    _walk(block, namespace, lines, current, depth=0)
    _flush(lines, current)
    return lines


def _flush(lines: list[str], current: list[str]) -> None:
    text = _SPACES.sub(" ", "".join(current)).strip()
    if text:
        lines.append(text)
    current.clear()


def _walk(node: Element, namespace: str, lines: list[str], current: list[str], depth: int) -> None:
    if depth > _MAX_DEPTH:
        return
    if node.text:
        current.append(node.text)
    for child in node:
        name = local(child.tag)
        if name == "br":
            _flush(lines, current)
        elif name in ("paragraph", "caption"):
            _flush(lines, current)
            _walk(child, namespace, lines, current, depth + 1)
            _flush(lines, current)
        elif name == "list":
            _flush(lines, current)
            ordered = child.get("listType") == "ordered"
            items = [i for i in child if local(i.tag) == "item"]
            for number, item in enumerate(items, 1):
                sub: list[str] = []
                inner: list[str] = []
                _walk(item, namespace, sub, inner, depth + 1)
                _flush(sub, inner)
                bullet = f"{number}. " if ordered else "• "
                for index, line in enumerate(sub):
                    lines.append((bullet if index == 0 else "  ") + line)
        elif name == "table":
            _flush(lines, current)
            for row in child.iter(f"{{{namespace}}}tr"):
                cells = [
                    _SPACES.sub(" ", "".join(c.itertext())).strip()
                    for c in row
                    if local(c.tag) in ("td", "th")
                ]
                if any(cells):
                    lines.append(" | ".join(cells))
        elif name == "renderMultiMedia":
            current.append("[image]")
        elif name in ("footnote", "footnoteRef"):
            pass
        else:
            _walk(child, namespace, lines, current, depth + 1)
        if child.tail:
            current.append(child.tail)
