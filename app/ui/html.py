"""Message bodies made safe to show: HTML sanitised, inline images by Content-ID, highlights.

Pure Python (no Qt): the reading pane calls `body_from_raw` off the Qt thread, then shows
the result in a QTextBrowser that loads nothing itself (see `reading_pane.SafeTextBrowser`).

What a mail's HTML may keep (notes/UI.md: nh3 alone keeps remote ``<img src>``):
- formatting tags only (no script, style, form, iframe, object, embed, svg, math, link, meta);
- images only from ``cid:`` (an inline part of the same message) or a ``data:image/...`` URL;
  any other image source is dropped and counted (``blocked``), so the pane can say so;
- links only to ``http:``, ``https:`` and ``mailto:``; the pane asks before opening them;
- inline styles restricted to harmless properties, never a ``url(...)`` (no remote CSS).
"""

from __future__ import annotations

import email
import email.policy
import html
import re
import unicodedata
from dataclasses import dataclass, field
from email.message import EmailMessage
from html.parser import HTMLParser

import nh3

__all__ = [
    "InlineImage",
    "MessageBody",
    "SanitizedHtml",
    "body_from_raw",
    "highlight_html",
    "highlight_spans",
    "sanitize_html",
    "search_terms",
    "text_to_html",
]

#: Tags a mail may use for layout and emphasis. Everything else is removed (text kept).
ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "acronym", "address", "b", "bdi", "bdo", "big", "blockquote", "br",
        "caption", "center", "cite", "code", "col", "colgroup", "dd", "del", "dfn", "div",
        "dl", "dt", "em", "font", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins",
        "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strike",
        "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "tt",
        "u", "ul", "var",
    }
)  # fmt: skip
#: Tags removed together with their content.
DROPPED_WITH_CONTENT = frozenset(
    {"script", "style", "title", "noscript", "template", "iframe", "object", "svg", "math"}
)
_COMMON_ATTRIBUTES = {"align", "dir", "lang", "title", "style", "valign"}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": _COMMON_ATTRIBUTES,
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "border"},
    "font": {"color", "size", "face"},
    "table": {"border", "cellpadding", "cellspacing", "width", "bgcolor"},
    "td": {"colspan", "rowspan", "width", "height", "bgcolor", "nowrap"},
    "th": {"colspan", "rowspan", "width", "height", "bgcolor", "nowrap"},
    "tr": {"bgcolor"},
    "col": {"span", "width"},
    "colgroup": {"span", "width"},
    "ol": {"start", "type"},
    "li": {"value"},
}
#: CSS properties kept in ``style`` attributes (no background images, no positioning).
ALLOWED_STYLE_PROPERTIES = frozenset(
    {
        "color", "background-color", "font", "font-family", "font-size", "font-style",
        "font-weight", "text-align", "text-decoration", "text-indent", "line-height",
        "vertical-align", "white-space", "margin", "margin-top", "margin-bottom", "margin-left",
        "margin-right", "padding", "padding-top", "padding-bottom", "padding-left",
        "padding-right", "border", "border-collapse", "border-color", "border-style",
        "border-width", "width", "height",
    }
)  # fmt: skip
LINK_SCHEMES = ("http:", "https:", "mailto:")
_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|jpg|gif|webp|bmp);base64,[a-z0-9+/=\s]+$", re.I)
#: Inline images kept per message (bytes): a mail is not an image gallery.
MAX_INLINE_IMAGE = 5 * 1024 * 1024
MAX_INLINE_TOTAL = 20 * 1024 * 1024


@dataclass(frozen=True)
class SanitizedHtml:
    """HTML safe to show, and how many remote resources were removed from it."""

    html: str
    blocked: int


@dataclass(frozen=True)
class InlineImage:
    """An image part of the message, referenced by ``cid:``."""

    content_type: str
    data: bytes


@dataclass(frozen=True)
class MessageBody:
    """What the reading pane shows of a message's body.

    Attributes:
        html: the sanitised HTML part, None for a plain text message.
        text: the plain text part (or the HTML's text when there is none).
        images: inline images by Content-ID (without the angle brackets).
        blocked: remote images and other remote resources removed from the HTML.
    """

    html: str | None
    text: str
    images: dict[str, InlineImage] = field(default_factory=dict)
    blocked: int = 0


def _safe_url_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Whether an attribute carrying a URL may stay (None: dropped)."""
    compact = re.sub(r"[\s\x00-\x1f]", "", value).lower()
    if tag == "img" and attribute == "src":
        if compact.startswith("cid:") or _DATA_IMAGE.match(value.strip()):
            return value.strip()
        return None
    if tag == "a" and attribute == "href":
        return value.strip() if compact.startswith(LINK_SCHEMES) else None
    return value


class _Sanitizer:
    """One sanitising pass (counts what it blocked)."""

    def __init__(self) -> None:
        self.blocked = 0

    def attribute(self, tag: str, attribute: str, value: str) -> str | None:
        if attribute == "style":
            # No url() in any property (remote CSS images), no expressions (old IE).
            lowered = value.lower()
            if "url(" in lowered or "expression(" in lowered or "@import" in lowered:
                self.blocked += "url(" in lowered
                return None
            return value
        if attribute in ("src", "href"):
            kept = _safe_url_attribute(tag, attribute, value)
            if kept is None and attribute == "src":
                self.blocked += 1
            return kept
        if attribute == "bgcolor" or attribute == "color":
            return value if re.fullmatch(r"#?[0-9a-zA-Z]{1,20}", value.strip()) else None
        return value


def sanitize_html(markup: str) -> SanitizedHtml:
    """Keep the formatting of a mail's HTML and nothing that runs or loads.

    Pure; safe to call on any thread.
    """
    sanitizer = _Sanitizer()
    cleaned = nh3.clean(
        markup,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=sanitizer.attribute,
        strip_comments=True,
        link_rel="noopener noreferrer",
        url_schemes={"http", "https", "mailto", "cid", "data"},
        filter_style_properties=set(ALLOWED_STYLE_PROPERTIES),
    )
    return SanitizedHtml(cleaned, sanitizer.blocked)


def body_from_raw(raw: bytes, *, fallback_text: str = "") -> MessageBody:
    """The displayable body of an RFC 5322 message: sanitised HTML, text, inline images.

    Blocking (parses the whole message): call it off the Qt thread. Never raises on a
    malformed message: what cannot be read is left out.
    """
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
    except (ValueError, LookupError, IndexError):  # pragma: no cover - the parser is lenient
        return MessageBody(html=None, text=fallback_text)
    assert isinstance(message, EmailMessage)
    html_part = _body_part(message, "html")
    text_part = _body_part(message, "plain")
    text = _content(text_part) if text_part is not None else ""
    if html_part is None:
        return MessageBody(html=None, text=text or fallback_text)
    cleaned = sanitize_html(_content(html_part))
    images: dict[str, InlineImage] = {}
    total = 0
    for part in message.walk():
        content_id = part.get("Content-ID")
        if not content_id or part.get_content_maintype() != "image":
            continue
        try:
            data = part.get_payload(decode=True)
        except (ValueError, LookupError):
            continue
        if not isinstance(data, bytes) or len(data) > MAX_INLINE_IMAGE:
            continue
        if total + len(data) > MAX_INLINE_TOTAL:
            break
        total += len(data)
        key = str(content_id).strip().strip("<>").strip()
        images[key] = InlineImage(part.get_content_type(), data)
    return MessageBody(
        html=cleaned.html,
        text=text or fallback_text,
        images=images,
        blocked=cleaned.blocked,
    )


def _body_part(message: EmailMessage, kind: str) -> EmailMessage | None:
    try:
        part = message.get_body(preferencelist=(kind,))
    except (KeyError, ValueError, LookupError):
        return None
    if part is None or part.get_content_subtype() != kind:
        return None
    return part  # type: ignore[return-value]  # get_body returns the policy's message class


def _content(part: EmailMessage) -> str:
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""
    return content if isinstance(content, str) else ""


# -- highlighting search words ------------------------------------------------------------------

_OPERATORS = frozenset({"and", "or", "not", "near"})
_VARIANTS = {
    "a": "aàâäáãå",
    "c": "cç",
    "e": "eéèêë",
    "i": "iîïíì",
    "o": "oôöóòõ",
    "u": "uùûüú",
    "y": "yÿý",
    "n": "nñ",
    "œ": "œ",
    "æ": "æ",
}


def _fold(text: str) -> str:
    """Lower case without accents (what the full-text index compares)."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search_terms(query: str) -> list[str]:
    """The words of a search query worth highlighting (``word*`` kept as a prefix)."""
    terms: list[str] = []
    for token in re.findall(r"[\w*]+", query):
        if token.lower() in _OPERATORS or not token.strip("*"):
            continue
        terms.append(token)
    return terms


def _pattern(terms: list[str]) -> re.Pattern[str] | None:
    alternatives = []
    for term in terms:
        prefix = term.endswith("*")
        word = _fold(term.rstrip("*").replace("*", ""))
        if not word:
            continue
        chars = "".join(
            f"[{re.escape(_VARIANTS[c])}]" if c in _VARIANTS else re.escape(c) for c in word
        )
        alternatives.append(chars + (r"\w*" if prefix else r"(?!\w)"))
    if not alternatives:
        return None
    alternatives.sort(key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + ")", re.IGNORECASE)


def highlight_spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """(start, end) of each occurrence of the search words in `text`, accent-insensitive."""
    pattern = _pattern(terms)
    if pattern is None or not text:
        return []
    return [m.span() for m in pattern.finditer(text)]


#: How a highlighted word is marked in the reading pane.
MARK_OPEN = '<span style="background-color:#ffe58a; color:#000000;">'
MARK_CLOSE = "</span>"


class _Highlighter(HTMLParser):
    """Re-emits sanitised HTML with the search words marked in text nodes only."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        super().__init__(convert_charrefs=True)
        self._pattern = pattern
        self.out: list[str] = []
        self.count = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        at = 0
        for match in self._pattern.finditer(data):
            self.out.append(html.escape(data[at : match.start()], quote=False))
            self.out.append(MARK_OPEN + html.escape(match.group(0), quote=False) + MARK_CLOSE)
            self.count += 1
            at = match.end()
        self.out.append(html.escape(data[at:], quote=False))


def highlight_html(markup: str, terms: list[str]) -> str:
    """Sanitised HTML with the search words marked (text only, never inside tags)."""
    pattern = _pattern(terms)
    if pattern is None:
        return markup
    parser = _Highlighter(pattern)
    parser.feed(markup)
    parser.close()
    return "".join(parser.out)


def text_to_html(text: str, terms: list[str] | None = None) -> str:
    """Plain text as HTML that keeps its lines, with the search words marked."""
    escaped = html.escape(text, quote=False)
    body = highlight_html(escaped, terms) if terms else escaped
    return f'<div style="white-space: pre-wrap;">{body}</div>'
