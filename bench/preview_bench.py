"""Preview benchmark: the first page of a 2,500-page PDF on screen (issue 12).

    .venv/bin/python -m bench.preview_bench [--pages 2500] [--runs 5] [--no-doc]

In a Qt process of its own (offscreen platform, 1366×768 screen): the window's `PdfPreview`
(QtPdf's QPdfView in Pli's wrapper) is shown at the reading pane's size, then, `--runs` times
each, a PDF held in memory is loaded and timed:

* **call**: how long `load_bytes` holds the Qt thread (QPdfDocument reads the file's
  structure synchronously; nothing is rendered then);
* **ready**: until QtPdf reports the document ready (its page count known);
* **on screen**: until the first page's text is painted in the view (the view is grabbed
  every few milliseconds until dark pixels appear where the page is: what a user sees).

Side by side: the same file in QPdfView's continuous mode (every page laid out on the Qt
thread, which Pli avoids above 300 pages), and a 3-page report. The PDFs are made with pypdf
(one page of text repeated). Results: the "Preview" section of docs/benchmarks.md (between its
markers, other sections untouched) and raw numbers in bench/work/results/preview.json.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "work" / "results" / "preview.json"
SIZE = (900, 640)  # about the reading pane's preview at 1920×1080


def _configure_qt() -> None:
    config = Path(tempfile.gettempdir()) / f"pli-preview-bench-{os.getuid()}.json"
    config.write_text(
        '{"screens": [{"name": "bench", "x": 0, "y": 0, "width": 1366, "height": 768, '
        '"logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}',
        encoding="utf-8",
    )
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"


def make_pdf(pages: int) -> bytes:
    """`pages` pages of a text report (pypdf repeats one fpdf2 page)."""
    from pypdf import PdfReader, PdfWriter

    sys.path.insert(0, str(REPO))
    from tests.unit.documents.docfactories import text_pdf

    source = PdfReader(io.BytesIO(text_pdf(1, marker="Compte rendu")))
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_page(source.pages[0])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _page_painted(view: Any) -> bool:
    """Dark pixels (text) in the top part of the view: the first page is on screen."""
    image = view.viewport().grab().toImage()
    width, height = image.width(), image.height()
    for y in range(height // 10, height // 2, 6):
        for x in range(width // 10, width * 9 // 10, 6):
            if image.pixelColor(x, y).lightness() < 80:
                return True
    return False


def measure_one(preview: Any, data: bytes, app: Any, *, continuous: bool) -> dict[str, float]:
    """One load: call, ready and on-screen times (seconds)."""
    from PySide6.QtPdfWidgets import QPdfView  # noqa: TID251 - a window benchmark

    preview.clear()
    app.processEvents()
    ready: list[float] = []
    preview.loaded.connect(lambda _count: ready.append(time.perf_counter()))
    started = time.perf_counter()
    preview.load_bytes(data)
    if continuous:
        preview.view.setPageMode(QPdfView.PageMode.MultiPage)
    called = time.perf_counter()
    longest_wait = 0.0
    while True:
        before = time.perf_counter()
        app.processEvents()
        longest_wait = max(longest_wait, time.perf_counter() - before)
        if ready and _page_painted(preview.view):
            break
        if time.perf_counter() - started > 30:
            raise TimeoutError("the first page never showed")
        time.sleep(0.002)
    shown = time.perf_counter()
    preview.loaded.disconnect()
    return {
        "call": called - started,
        "ready": (ready[0] if ready else called) - started,
        "on_screen": shown - started,
        "longest_event_pass": longest_wait,
    }


def measure(pages: int, runs: int) -> dict[str, Any]:
    """Every case, `runs` times each."""
    _configure_qt()
    from PySide6.QtWidgets import QApplication  # noqa: TID251 - a window benchmark

    app = QApplication.instance() or QApplication([])
    sys.path.insert(0, str(REPO))
    from app.ui.documents.pdf_view import PdfPreview

    long_pdf = make_pdf(pages)
    short_pdf = make_pdf(3)
    preview = PdfPreview()
    preview.resize(*SIZE)
    preview.show()
    app.processEvents()
    cases = {
        f"{pages} pages, Pli (one page at a time)": (long_pdf, False),
        f"{pages} pages, continuous view (not used above 300 pages)": (long_pdf, True),
        "3 pages, Pli (continuous)": (short_pdf, False),
    }
    results: dict[str, Any] = {
        "pages": pages,
        "runs": runs,
        "bytes": len(long_pdf),
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        ),
        "cases": {},
    }
    for name, (data, continuous) in cases.items():
        measure_one(preview, data, app, continuous=continuous)  # warm-up
        samples = [measure_one(preview, data, app, continuous=continuous) for _ in range(runs)]
        results["cases"][name] = {
            key: {
                "median_ms": statistics.median(s[key] for s in samples) * 1000,
                "max_ms": max(s[key] for s in samples) * 1000,
            }
            for key in samples[0]
        }
        print(name, json.dumps(results["cases"][name]), flush=True)
    return results


def markdown(results: dict[str, Any]) -> str:
    """The "Preview" section of docs/benchmarks.md."""
    lines = [
        "## Preview",
        "",
        "`python -m bench.preview_bench` (issue 12): a PDF held in memory shown by the window's "
        f"`PdfPreview` (QtPdf), offscreen, view {SIZE[0]}×{SIZE[1]}; {results['runs']} runs per "
        f"case after a warm-up, median (max). The long file: {results['pages']} pages, "
        f"{results['bytes'] // 1024} KiB. {results['machine']}.",
        "",
        "| Case | `load_bytes` holds the Qt thread | document ready | first page on screen "
        "| longest event pass |",
        "|---|---|---|---|---|",
    ]
    for name, case in results["cases"].items():
        cells = [
            f"{case[key]['median_ms']:.0f} ms ({case[key]['max_ms']:.0f})"
            for key in ("call", "ready", "on_screen", "longest_event_pass")
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += [
        "",
        '"On screen" is measured by grabbing the view until the page\'s text shows. QtPdf '
        "renders pages on its own threads; what holds the Qt thread is the document's "
        "structure read by `load` and, in a continuous view, the layout of every page: Pli "
        "shows documents above 300 pages one page at a time for that reason.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Measure, print, and write the section."""
    parser = argparse.ArgumentParser(prog="python -m bench.preview_bench", description=__doc__)
    parser.add_argument("--pages", type=int, default=2500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-doc", action="store_true", help="do not touch docs/benchmarks.md")
    args = parser.parse_args(argv)
    results = measure(args.pages, args.runs)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2), encoding="utf-8")
    text = markdown(results)
    print(text)
    if not args.no_doc:
        from bench.run import write_sections

        write_sections({"preview": text})
        print("docs/benchmarks.md: preview section updated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
