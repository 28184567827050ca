"""JPEG, PNG and (multi-page) TIFF attachments with Pillow; images to PDF for patients.

Blocking, CPU-bound. Only the three accepted formats are ever decoded (Pillow is told so),
and every frame's size is checked from its header before any pixel is decoded: a 20-kilobyte
PNG can claim 400 million pixels (a decompression bomb).

Spec §5: patients view PDF/JPG/PNG in place; a TIFF (often a scanned or faxed letter, many
pages) is converted to a PDF, one page per frame, before it is sent to a patient.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Pillow is imported on first use: most commands never convert an image
    from PIL import Image

from app.domain.documents import DocumentKind, ImageInfo
from app.domain.errors import DocumentError


@dataclass(frozen=True)
class ImageLimits:
    """How big an image Pli agrees to decode.

    Attributes:
        max_pixels: pixels of one frame (a 600-dpi A4 colour scan is about 35 million).
        max_frames: frames (pages) of a TIFF.
        max_total_pixels: pixels of all frames together (bounds a conversion's work).
    """

    max_pixels: int = 60_000_000
    max_frames: int = 500
    max_total_pixels: int = 1_500_000_000


DEFAULT_IMAGE_LIMITS = ImageLimits()
_FORMATS = ("JPEG", "PNG", "TIFF")
_KINDS = {"JPEG": DocumentKind.JPEG, "PNG": DocumentKind.PNG, "TIFF": DocumentKind.TIFF}
#: Modes Pillow's PDF writer takes as they are (others are converted to RGB or L).
_PDF_MODES = frozenset({"1", "L", "RGB", "CMYK"})
_DEFAULT_DPI = 200.0  # fax and office scans; used when the file says nothing


def inspect_image(data: bytes, limits: ImageLimits = DEFAULT_IMAGE_LIMITS) -> ImageInfo:
    """Format, size, mode and frame count, read from the headers (no pixel decoded).

    Blocking.

    Raises:
        DocumentError: ``image.unreadable``, ``image.too_large`` (a frame, or the sum of the
            frames, exceeds `limits`), ``image.too_many_frames``.
    """
    with _open(data, limits) as image:
        frames, _ = _check_frames(image, limits)
        return ImageInfo(
            kind=_KINDS[str(image.format)],
            width=image.width,
            height=image.height,
            frames=frames,
            mode=image.mode,
        )


def image_to_pdf(
    data: bytes, *, title: str = "", limits: ImageLimits = DEFAULT_IMAGE_LIMITS
) -> bytes:
    """A PDF with one page per frame of a JPEG, PNG or TIFF, at the image's resolution.

    Blocking, CPU-bound. Frames are decoded one at a time (a 100-page fax does not sit in
    memory as 100 decoded pages).

    Raises:
        DocumentError: as `inspect_image`, and ``image.unreadable`` for a frame that fails to
            decode.
    """
    with _open(data, limits) as image:
        _, all_pdf_ready = _check_frames(image, limits)
        resolution = _resolution(image)
        out = io.BytesIO()
        try:
            if all_pdf_ready:
                image.seek(0)
                image.save(out, "PDF", save_all=True, resolution=resolution, title=title)
            else:
                first, *rest = list(_converted_frames(image))
                first.save(
                    out,
                    "PDF",
                    save_all=True,
                    append_images=rest,
                    resolution=resolution,
                    title=title,
                )
        except (OSError, ValueError, SyntaxError) as error:
            raise DocumentError("image.unreadable") from error
        return out.getvalue()


#: A TIFF's conversion is the general one (kept under this name for the sending side).
tiff_to_pdf = image_to_pdf


def _open(data: bytes, limits: ImageLimits) -> Image.Image:
    # Pillow's own bomb check warns (or raises above twice its global limit); make it an
    # error here so that nothing is decoded, whatever the global warning filters are.
    from PIL import Image, UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=list(_FORMATS))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise DocumentError("image.too_large", limit=limits.max_pixels) from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            raise DocumentError("image.unreadable") from None
    if image.width * image.height > limits.max_pixels:
        image.close()
        raise DocumentError("image.too_large", limit=limits.max_pixels)
    return image


def _check_frames(image: Image.Image, limits: ImageLimits) -> tuple[int, bool]:
    """Walk the frames' headers: count, sizes, modes. Returns (frames, all PDF-ready)."""
    from PIL import ImageSequence

    frames = 0
    total = 0
    pdf_ready = True
    try:
        for frame in ImageSequence.Iterator(image):
            frames += 1
            pixels = frame.width * frame.height
            total += pixels
            _within(limits, frames, pixels, total)
            pdf_ready = pdf_ready and frame.mode in _PDF_MODES
    except DocumentError:
        raise
    except (OSError, ValueError, SyntaxError, EOFError):
        raise DocumentError("image.unreadable") from None
    finally:
        image.seek(0)
    return frames, pdf_ready


def _within(limits: ImageLimits, frames: int, pixels: int, total: int) -> None:
    if frames > limits.max_frames:
        raise DocumentError("image.too_many_frames", limit=limits.max_frames)
    if pixels > limits.max_pixels or total > limits.max_total_pixels:
        raise DocumentError("image.too_large", limit=limits.max_pixels)


def _converted_frames(image: Image.Image) -> Iterator[Image.Image]:
    from PIL import ImageSequence

    for frame in ImageSequence.Iterator(image):
        if frame.mode in _PDF_MODES:
            yield frame.copy()
        elif frame.mode in ("LA", "I", "I;16", "I;16B", "I;16L", "F"):
            yield frame.convert("L")
        else:
            yield frame.convert("RGB")


def _resolution(image: Image.Image) -> float:
    dpi = image.info.get("dpi")
    try:
        value = float(dpi[0]) if isinstance(dpi, tuple) else float(dpi or 0)
    except (TypeError, ValueError):
        value = 0.0
    return value if 36.0 <= value <= 2400.0 else _DEFAULT_DPI
