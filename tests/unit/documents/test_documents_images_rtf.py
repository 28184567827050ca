"""Images (JPEG, PNG, multi-page TIFF), TIFF/RTF to PDF, decompression bombs."""

from __future__ import annotations

import docfactories as make
import pytest

from app.documents.images import ImageLimits, image_to_pdf, inspect_image, tiff_to_pdf
from app.documents.pdf import extract_text, inspect_pdf
from app.documents.rtf import rtf_text, rtf_to_pdf
from app.domain.documents import DocumentKind
from app.domain.errors import DocumentError


def test_multipage_tiff_inspected() -> None:
    info = inspect_image(make.tiff(6))
    assert (info.kind, info.frames, info.width, info.height) == (DocumentKind.TIFF, 6, 400, 560)


@pytest.mark.parametrize("mode", ["1", "L", "RGB"])
def test_multipage_tiff_to_multipage_pdf(mode: str) -> None:
    pdf = tiff_to_pdf(make.tiff(4, mode=mode))
    info = inspect_pdf(pdf)
    assert info.pages == 4
    assert info.readable


def test_tiff_page_size_follows_its_resolution() -> None:
    import io

    from pypdf import PdfReader

    pdf = tiff_to_pdf(make.tiff(1, size=(1700, 2200)))  # 200 dpi: 8.5 x 11 inches
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


def test_jpeg_and_png() -> None:
    assert inspect_image(make.jpeg()).kind is DocumentKind.JPEG
    assert inspect_image(make.png()).kind is DocumentKind.PNG
    assert inspect_pdf(image_to_pdf(make.png())).pages == 1


def test_rgba_png_converted() -> None:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (30, 30), (1, 2, 3, 100)).save(out, "PNG")
    assert inspect_pdf(image_to_pdf(out.getvalue())).pages == 1


def test_decompression_bomb_refused_from_header() -> None:
    bomb = make.png_header_only(9000, 9000)  # 81 million pixels, 100-odd bytes
    assert len(bomb) < 200
    with pytest.raises(DocumentError) as caught:
        inspect_image(bomb)
    assert caught.value.code == "image.too_large"
    with pytest.raises(DocumentError):
        image_to_pdf(bomb)


def test_huge_bomb_refused_before_pillow_decodes() -> None:
    # Above Pillow's own limit (it would warn, or raise beyond twice it).
    with pytest.raises(DocumentError) as caught:
        inspect_image(make.png_header_only(40000, 40000))
    assert caught.value.code == "image.too_large"


def test_too_many_frames_refused() -> None:
    with pytest.raises(DocumentError) as caught:
        inspect_image(make.tiff(5), ImageLimits(max_frames=4))
    assert caught.value.code == "image.too_many_frames"


def test_total_pixels_bounded() -> None:
    with pytest.raises(DocumentError) as caught:
        tiff_to_pdf(make.tiff(5), limits=ImageLimits(max_total_pixels=4 * 400 * 560))
    assert caught.value.code == "image.too_large"


@pytest.mark.parametrize("data", [b"", b"not an image", make.text_pdf(), b"GIF89a" + b"\0" * 20])
def test_unreadable_images(data: bytes) -> None:
    with pytest.raises(DocumentError) as caught:
        inspect_image(data)
    assert caught.value.code == "image.unreadable"


def test_rtf_text_keeps_french_accents() -> None:
    text = rtf_text(make.RTF_LETTER)
    assert text.splitlines()[0] == "Chère consoeur,"
    assert "échographie de contrôle œuvre €." in text
    assert "Lésion à surveiller : côté droit, « suivi »." in text
    assert "Dr Test" not in text  # the info group is metadata, not text


def test_rtf_to_readable_pdf() -> None:
    pdf = rtf_to_pdf(make.RTF_LETTER, title="Lettre à Mme Corse")
    info = inspect_pdf(pdf)
    assert info.pages == 1
    assert info.title == "Lettre à Mme Corse"
    text = extract_text(pdf).text
    for words in (
        "Chère consoeur",
        "échographie de contrôle",
        "œuvre €",
        "côté droit",
        "« suivi »",
    ):
        assert words in text


def test_long_rtf_spans_pages() -> None:
    body = rb"\par ".join(rb"Ligne num\'e9ro " + str(i).encode() for i in range(200))
    pdf = rtf_to_pdf(rb"{\rtf1\ansi " + body + rb"}")
    assert (inspect_pdf(pdf).pages or 0) >= 3
    assert "Ligne numéro 199" in extract_text(pdf).text


@pytest.mark.parametrize("data", [b"", b"hello", make.text_pdf()])
def test_not_rtf_refused(data: bytes) -> None:
    with pytest.raises(DocumentError) as caught:
        rtf_text(data)
    assert caught.value.code == "rtf.unreadable"


def test_patient_conversion() -> None:
    from app.documents.conversion import to_patient_pdf

    pdf, name = to_patient_pdf(make.tiff(3), "scan fax.tif")
    assert (name, inspect_pdf(pdf).pages) == ("scan fax.pdf", 3)
    pdf, name = to_patient_pdf(make.RTF_LETTER, "../lettre.rtf")
    assert name == "lettre.pdf"
    assert "Chère consoeur" in extract_text(pdf).text
    with pytest.raises(DocumentError) as caught:
        to_patient_pdf(make.png(), "photo.png")
    assert caught.value.code == "attachment.no_conversion"
