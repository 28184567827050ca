"""docs/conformance.md has a row for every requirement id of the MSSanté spec, and names only
code paths and tests that exist.

The spec is ``<repo>/../shared/spec/MSSANTE.md`` (CI has ``shared/`` beside the clone). Its ids
are written ``ECO.x.y.z`` and also as shorthand and ranges (``ECO.1.0.1/1.0.2``,
``ECO.1.1.5–1.1.7, 1.1.10``): each one is expanded to the ids it stands for.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO.parent / "shared" / "spec" / "MSSANTE.md"
DOC = REPO / "docs" / "conformance.md"

_MENTION = re.compile(r"ECO\.(\d+\.\d+\.\d+(?:\s*(?:[/,–-]|and)\s*\d+\.\d+\.\d+)*)")
_ID = re.compile(r"\d+\.\d+\.\d+")


def spec_ids(text: str) -> set[str]:
    """Every requirement id a text mentions, shorthand and ranges expanded."""
    ids: set[str] = set()
    for mention in _MENTION.finditer(text):
        body = mention.group(1)
        parts = re.split(r"\s*(?:[/,]|and)\s*", body)
        for part in parts:
            bounds = [b.strip() for b in re.split(r"[–-]", part)]
            if len(bounds) == 1:
                ids.add(f"ECO.{bounds[0]}")
                continue
            low, high = bounds
            prefix, first = low.rsplit(".", 1)
            high_prefix, last = high.rsplit(".", 1)
            assert prefix == high_prefix, f"a range across sections: {part}"
            ids.update(f"ECO.{prefix}.{n}" for n in range(int(first), int(last) + 1))
    return ids


def doc_rows(text: str) -> dict[str, str]:
    """The table rows of the conformance document, by id."""
    rows: dict[str, str] = {}
    for line in text.splitlines():
        found = re.match(r"\|\s*(ECO\.\d+\.\d+\.\d+)\s*\|", line)
        if found:
            assert found.group(1) not in rows, f"two rows for {found.group(1)}"
            rows[found.group(1)] = line
    return rows


def test_the_shorthand_and_the_ranges_of_the_spec_are_expanded() -> None:
    text = "(ECO.1.0.1/1.0.2) … (ECO.1.1.5–1.1.7, 1.1.10) … (ECO.2.2.6)."
    assert spec_ids(text) == {
        "ECO.1.0.1",
        "ECO.1.0.2",
        "ECO.1.1.5",
        "ECO.1.1.6",
        "ECO.1.1.7",
        "ECO.1.1.10",
        "ECO.2.2.6",
    }


@pytest.fixture(scope="module")
def spec() -> str:
    if not SPEC.exists():
        pytest.fail(f"the MSSanté spec is not at {SPEC} (shared/ beside the clone)")
    return SPEC.read_text(encoding="utf-8")


def test_every_requirement_of_the_spec_has_a_row(spec: str) -> None:
    ids = spec_ids(spec)
    assert len(ids) >= 30, sorted(ids)
    rows = doc_rows(DOC.read_text(encoding="utf-8"))
    missing = sorted(ids - rows.keys(), key=lambda i: [int(n) for n in i[4:].split(".")])
    assert missing == [], f"requirements of the spec without a row in {DOC.name}: {missing}"
    unknown = sorted(rows.keys() - ids)
    assert unknown == [], f"rows for ids the spec does not have: {unknown}"


def test_every_row_names_code_and_a_test_that_exist() -> None:
    problems: list[str] = []
    for requirement, row in doc_rows(DOC.read_text(encoding="utf-8")).items():
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        assert len(cells) == 4, f"{requirement}: expected 4 cells, got {len(cells)}"
        _id, _what, code, tests = cells
        paths = re.findall(r"`(app/[^`\s]+)`", code)
        if not paths:
            problems.append(f"{requirement}: no code path")
        for path in paths:
            if not (REPO / path).exists():
                problems.append(f"{requirement}: {path} does not exist")
        named = re.findall(r"`(tests/[^`\s:]+\.py)(?:::(\w+))?`", tests)
        if not any(name for _file, name in named):
            problems.append(f"{requirement}: no test function named")
        for file, name in named:
            source = REPO / file
            if not source.is_file():
                problems.append(f"{requirement}: {file} does not exist")
            elif name and not re.search(
                rf"^(?:async )?def {name}\(", source.read_text(encoding="utf-8"), re.M
            ):
                problems.append(f"{requirement}: {file} has no test {name}")
    assert problems == []
