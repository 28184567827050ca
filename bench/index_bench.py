"""Document text indexing (issue 15, item 1): where a PDF's indexing time goes, same run.

    .venv/bin/python -m bench.index_bench [--pdfs 60] [--rounds 3] [--no-doc]

On messages of the bench corpus (bench/corpus.py, seed 2025) that carry a PDF, each step of
the indexing path is timed in this process, per PDF, in CPU time (``time.process_time``,
what the shared machine's load disturbs least), medians of `--rounds` rounds, every step over
the same messages in the same round:

1. the bare text extraction of the PDF's bytes (``app.documents.pdf.extract_text``, pypdf):
   the floor the target is measured against;
2. parsing the message and decoding its attachments (``attachments_with_payloads``,
   ``inspect=False``): the stdlib ``email`` parser and base64;
3. the same with each attachment inspected (``inspect=True``: sniffing, ``inspect_pdf``);
4. the whole per-message job of ``DocumentService.index_attachments`` (``_index_one``:
   parse, inspect, extract, join the text).

What the archive adds around step 4 (reading and decrypting the raw message, writing the
FTS row) is not in this table: ``bench/sync_bench.py`` times the whole pass.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

from bench.common import WORK, machine, machine_lines
from bench.corpus import MailboxGenerator

RESULTS = WORK / "results" / "index.json"


def _corpus(pdfs: int, seed: int) -> tuple[list[bytes], list[bytes]]:
    """(raw messages with a PDF, the PDFs' bytes)."""
    from app.documents.attachments import attachments_with_payloads

    generator = MailboxGenerator(pdfs * 6, seed, pdf_ratio=1.0, spread_folders=False)
    messages: list[bytes] = []
    documents: list[bytes] = []
    for i in range(pdfs * 6):
        message = generator.message(i)
        if not message.has_pdf:
            continue
        found = [
            p.data
            for _info, p in attachments_with_payloads(message.raw, inspect=False)
            if p.data[:5] == b"%PDF-"
        ]
        if found:
            messages.append(message.raw)
            documents.extend(found)
        if len(messages) >= pdfs:
            break
    return messages, documents


def _cpu_per_item(work: Callable[[bytes], Any], items: list[bytes], per: int) -> float:
    started = time.process_time()
    for item in items:
        work(item)
    return (time.process_time() - started) / per


def measure(pdfs: int, rounds: int, seed: int) -> dict[str, Any]:
    """Time each step per PDF, `rounds` times over the same messages."""
    from app.documents.attachments import attachments_with_payloads
    from app.documents.pdf import extract_text
    from app.services.document_service import INDEX_LIMITS, _index_one

    messages, documents = _corpus(pdfs, seed)
    steps: dict[str, Callable[[bytes], Any]] = {
        "extract": lambda d: extract_text(d, limits=INDEX_LIMITS),
        "parse": lambda r: attachments_with_payloads(r, inspect=False),
        "parse_inspect": lambda r: attachments_with_payloads(r, inspect=True),
        "index_one": _index_one,
    }
    samples: dict[str, list[float]] = {name: [] for name in steps}
    for name, work in steps.items():  # warm-up: imports, caches, first-call costs
        for item in (documents if name == "extract" else messages)[:3]:
            work(item)
    load_start = os.getloadavg()
    for _ in range(rounds):
        for name, work in steps.items():
            items = documents if name == "extract" else messages
            samples[name].append(_cpu_per_item(work, items, len(documents)))
    return {
        "machine": machine(),
        "messages": len(messages),
        "pdfs": len(documents),
        "pdf_bytes": sum(len(d) for d in documents),
        "rounds": rounds,
        "seed": seed,
        "load": [list(load_start), list(os.getloadavg())],
        "samples": samples,
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def markdown(result: dict[str, Any]) -> str:
    """The "Document indexing" section of docs/benchmarks.md."""
    med = {k: statistics.median(v) for k, v in result["samples"].items()}
    load0, load1 = result["load"]
    floor = med["extract"]

    def row(label: str, key: str) -> str:
        spread = result["samples"][key]
        return (
            f"| {label} | {med[key] * 1000:.1f} ms | {min(spread) * 1000:.1f}–"
            f"{max(spread) * 1000:.1f} ms | {med[key] / floor:.1f}× |"
        )

    return (
        "\n".join(
            [
                "## Document indexing",
                "",
                f"Measured {result['when']} with `.venv/bin/python -m bench.index_bench --pdfs "
                f"{result['pdfs']} --rounds {result['rounds']}` (`bench/index_bench.py`; raw "
                "numbers in `bench/work/results/index.json`), in one process, CPU time per PDF.",
                "",
                *machine_lines(result["machine"])[:2],
                f"- Load average at start {load0[0]:.2f}, at the end {load1[0]:.2f}.",
                f"- Corpus: {result['messages']} messages of the bench corpus (seed "
                f"{result['seed']}) with {result['pdfs']} PDFs, "
                f"{result['pdf_bytes'] / result['pdfs'] / 1024:.0f} KB each on average.",
                "",
                "| step (per PDF) | CPU median | spread of the rounds | ÷ bare extraction |",
                "|---|---:|---:|---:|",
                row("bare text extraction (pypdf), the floor", "extract"),
                row("parse the message, decode attachments (email, base64)", "parse"),
                row("the same, each attachment inspected (inspect_pdf)", "parse_inspect"),
                row("the indexing job of one message (`_index_one`)", "index_one"),
                "",
                "Target (issue 15, item 1): indexing at most 1/5 of today's time per PDF, measured "
                "beside the bare extraction. Before the work on it, most of a PDF's indexing is "
                "around the extraction: parsing the whole message with the stdlib `email` parser "
                "(policy `default`: header objects, a line-by-line feed of the base64 body) and "
                "inspecting each PDF a second time; reading the archive and writing the index come "
                "on top (in `pli sync`, about 40 ms a PDF in an outside run).",
            ]
        )
        + "\n"
    )


def main(argv: list[str] | None = None) -> int:
    """Measure, print, and update docs/benchmarks.md."""
    parser = argparse.ArgumentParser(prog="python -m bench.index_bench", description=__doc__)
    parser.add_argument("--pdfs", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--no-doc", action="store_true")
    args = parser.parse_args(argv)
    result = measure(args.pdfs, args.rounds, args.seed)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1), "utf-8")
    text = markdown(result)
    print(text)
    if not args.no_doc:
        from bench.run import write_sections

        write_sections({"index": text})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
