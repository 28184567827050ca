"""HTML mail made safe (app/ui/html.py) and the browser that shows it loading nothing remote."""

from __future__ import annotations

import base64
from email.message import EmailMessage

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QUrl  # noqa: TID251 - window tests
from PySide6.QtGui import QColor, QImage, QTextDocument  # noqa: TID251 - window tests
from PySide6.QtWidgets import QApplication  # noqa: TID251 - window tests

from app.ui.html import (
    InlineImage,
    body_from_raw,
    highlight_html,
    highlight_spans,
    sanitize_html,
    search_terms,
    text_to_html,
)
from app.ui.widgets.reading_pane import SafeTextBrowser, prepare


def png_bytes() -> bytes:
    image = QImage(4, 4, QImage.Format.Format_ARGB32)
    image.fill(QColor("#0b7a5b"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert image.save(buffer, "PNG")
    return bytes(data.data())


def test_scripts_handlers_and_remote_resources_are_removed() -> None:
    dirty = (
        "<script>alert(1)</script><style>p{color:red}</style>"
        '<p onmouseover="x()" style="color: blue; background-image: url(https://t.example/b)">'
        "Bonjour</p>"
        '<img src="https://tracker.example/p.gif" width="1">'
        '<img src="//tracker.example/p.gif">'
        '<img src="cid:logo@hopital">'
        '<img src="data:image/png;base64,iVBORw0KGgo=">'
        '<img src="data:text/html;base64,PHNjcmlwdD4=">'
        '<a href="javascript:alert(1)">a</a><a href="https://www.ameli.fr/">b</a>'
        '<a href="mailto:secretariat@hopital.mssante.fr">c</a>'
        '<iframe src="https://x.example"></iframe><object data="x.swf"></object>'
        '<form action="https://x.example"><input name="q"></form>'
        '<table background="https://x.example/t.png"><tr><td>cellule</td></tr></table>'
        '<link rel="stylesheet" href="https://x.example/s.css"><meta http-equiv="refresh">'
    )
    clean = sanitize_html(dirty)
    for bad in (
        "script",
        "alert",
        "onmouseover",
        "tracker.example",
        "x.example",
        "javascript",
        "iframe",
        "object",
        "<form",
        "<input",
        "<link",
        "<meta",
        "url(",
        "data:text/html",
        "background=",
    ):
        assert bad not in clean.html, bad
    assert "Bonjour" in clean.html and "cellule" in clean.html
    assert 'src="cid:logo@hopital"' in clean.html
    assert 'src="data:image/png;base64,iVBORw0KGgo="' in clean.html
    assert 'href="https://www.ameli.fr/"' in clean.html
    assert 'href="mailto:secretariat@hopital.mssante.fr"' in clean.html
    # Two remote images, one data: image that is not an image, one CSS url(): four blocked.
    assert clean.blocked == 4


def test_body_from_raw_keeps_inline_images_by_content_id() -> None:
    msg = EmailMessage()
    msg["From"] = "a@b.mssante.fr"
    msg["Subject"] = "Logo"
    msg.set_content("Version texte.")
    msg.add_alternative(
        '<p>Voir le logo <img src="cid:logo@hopital"> et '
        '<img src="http://127.0.0.1:9/traceur.png"></p>',
        subtype="html",
    )
    msg.get_payload()[1].add_related(
        png_bytes(), maintype="image", subtype="png", cid="<logo@hopital>"
    )
    body = body_from_raw(msg.as_bytes())
    assert body.html is not None and "traceur" not in body.html
    assert body.text.strip() == "Version texte."
    assert set(body.images) == {"logo@hopital"}
    assert body.blocked == 1


def test_plain_text_message_and_fallback() -> None:
    msg = EmailMessage()
    msg["Subject"] = "Texte"
    msg.set_content("Ligne 1\nLigne <2>")
    body = body_from_raw(msg.as_bytes())
    assert body.html is None and body.text.startswith("Ligne 1\nLigne <2>")
    shown = text_to_html(body.text)
    assert "&lt;2&gt;" in shown and "pre-wrap" in shown
    assert body_from_raw(b"", fallback_text="archived text").text == "archived text"


def test_search_words_are_highlighted_accent_insensitively_in_text_only() -> None:
    terms = search_terms('"résultats" AND glyc* OR NOT')
    assert terms == ["résultats", "glyc*"]
    spans = highlight_spans("Resultats de glycémie : RÉSULTATS normaux", terms)
    assert [(a, b) for a, b in spans] == [(0, 9), (13, 21), (24, 33)]
    marked = highlight_html('<p title="resultats">Résultats</p>', ["resultats"])
    assert marked.count("background-color") == 1
    assert 'title="resultats"' in marked  # attributes are never touched
    assert highlight_spans("prérésultats", ["resultats"]) == []  # whole words only


def test_the_browser_loads_only_cid_and_data_images(qapp: QApplication) -> None:
    browser = SafeTextBrowser()
    png = png_bytes()
    prepared = prepare(None, "x")
    assert prepared.body.text == "x"
    browser.images = {"logo@hopital": InlineImage("image/png", png)}
    image = QTextDocument.ResourceType.ImageResource.value
    assert isinstance(browser.loadResource(image, QUrl("cid:logo@hopital")), QImage)
    data_url = "data:image/png;base64," + base64.b64encode(png).decode()
    assert isinstance(browser.loadResource(image, QUrl(data_url)), QImage)
    for remote in ("http://127.0.0.1:9/x.png", "https://example.org/x.png", "file:///etc/passwd"):
        assert browser.loadResource(image, QUrl(remote)) is None
    assert browser.loadResource(QTextDocument.ResourceType.StyleSheetResource.value, QUrl(
        "https://example.org/s.css")) is None  # fmt: skip
    assert browser.refused == ["http", "https", "file", "https"]
    # Shown through setHtml, a remote image is asked for and refused, never fetched.
    browser.refused.clear()
    browser.setHtml('<p>a</p><img src="http://127.0.0.1:9/pixel.png"><img src="cid:logo@hopital">')
    browser.resize(300, 200)
    browser.grab()  # lays out and paints: the images are asked for
    assert set(browser.refused) == {"http"}
    assert not browser.openLinks() and not browser.openExternalLinks()
    browser.deleteLater()
