"""Hostile zips: bombs, path traversal, links, absolute paths: refused, nothing written outside."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import docfactories as make
import pytest

from app.documents.safezip import ZipLimits, extract_zip, read_zip
from app.documents.xdm_reader import read_xdm
from app.domain.errors import DocumentError


def _bomb(megabytes: int = 64) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("IHE_XDM/SUBSET01/METADATA.XML", b"<a/>")
        archive.writestr("IHE_XDM/SUBSET01/DOC0001.XML", b"\0" * (megabytes * 1024 * 1024))
    return out.getvalue()


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def test_normal_zip_read_and_extracted(tmp_path: Path) -> None:
    data = make.zip_of({"a/b.txt": b"bonjour", "c.txt": b"salut"})
    assert read_zip(data) == {"a/b.txt": b"bonjour", "c.txt": b"salut"}
    written = extract_zip(data, tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in written) == ["a/b.txt", "c.txt"]
    assert (tmp_path / "a" / "b.txt").read_bytes() == b"bonjour"


def test_zip_bomb_refused_by_ratio(tmp_path: Path) -> None:
    bomb = _bomb()
    assert len(bomb) < 200_000  # 64 MiB of zeros compress a thousand to one
    with pytest.raises(DocumentError) as caught:
        read_zip(bomb)
    assert caught.value.code == "zip.ratio"
    target = tmp_path / "out"
    target.mkdir()
    with pytest.raises(DocumentError):
        extract_zip(bomb, target)
    assert _tree(target) == set()
    with pytest.raises(DocumentError):
        read_xdm(bomb)


def test_zip_bomb_refused_by_total_size() -> None:
    with pytest.raises(DocumentError) as caught:
        read_zip(_bomb(8), ZipLimits(max_total_bytes=4 * 1024 * 1024, max_ratio=10_000))
    assert caught.value.code == "zip.too_large"


def test_lying_declared_size_cannot_inflate_more() -> None:
    # Patch the central directory and local header to declare 10 bytes for a 1000-byte entry:
    # the reader stops at the declared size and the CRC check fails.
    data = bytearray(make.zip_of({"x.txt": b"A" * 1000}))
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = archive.infolist()[0]
    size_bytes = (1000).to_bytes(4, "little")
    patched = bytes(data).replace(size_bytes, (10).to_bytes(4, "little"))
    assert patched != bytes(data)
    assert info.file_size == 1000
    with pytest.raises(DocumentError) as caught:
        read_zip(patched)
    assert caught.value.code == "zip.broken"


def test_too_many_entries() -> None:
    data = make.zip_of({f"f{i}.txt": b"x" for i in range(20)})
    with pytest.raises(DocumentError) as caught:
        read_zip(data, ZipLimits(max_entries=10))
    assert caught.value.code == "zip.too_many_entries"


@pytest.mark.parametrize(
    "name",
    [
        "../evil.txt",
        "IHE_XDM/../../evil.txt",
        "/etc/evil.txt",
        "\\\\server\\share\\evil.txt",
        "..\\..\\evil.txt",
        "C:/evil.txt",
        "ok\x1b.txt",
    ],
)
def test_path_traversal_refused_nothing_written_outside(tmp_path: Path, name: str) -> None:
    data = make.zip_of({"IHE_XDM/SUBSET01/DOC0001.XML": b"<a/>", name: b"pwned"})
    target = tmp_path / "inside" / "deeper"
    target.mkdir(parents=True)
    with pytest.raises(DocumentError) as caught:
        extract_zip(data, target)
    assert caught.value.code == "zip.unsafe_name"
    with pytest.raises(DocumentError):
        read_zip(data)
    assert _tree(tmp_path) == {"inside", "inside/deeper"}  # nothing at all was written
    assert not Path("/etc/evil.txt").exists()


def test_symlink_refused(tmp_path: Path) -> None:
    data = make.zip_of({"a.txt": b"x"}, symlinks={"link": "/etc/passwd"})
    with pytest.raises(DocumentError) as caught:
        extract_zip(data, tmp_path)
    assert caught.value.code == "zip.symlink"
    assert _tree(tmp_path) == set()
    with pytest.raises(DocumentError):
        read_zip(data)


@pytest.mark.skipif(os.name != "posix", reason="POSIX symbolic links")
def test_planted_link_in_target_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    target = tmp_path / "target"
    target.mkdir()
    (target / "IHE_XDM").symlink_to(outside)
    with pytest.raises(DocumentError) as caught:
        extract_zip(make.zip_of({"IHE_XDM/x.txt": b"x"}), target)
    assert caught.value.code in ("zip.symlink", "zip.unsafe_name")
    assert list(outside.iterdir()) == []


def test_existing_file_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"mine")
    with pytest.raises(DocumentError) as caught:
        extract_zip(make.zip_of({"a.txt": b"theirs"}), tmp_path)
    assert caught.value.code == "zip.target_exists"
    assert (tmp_path / "a.txt").read_bytes() == b"mine"


def test_duplicate_names_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a.txt", b"1")
        with pytest.warns(UserWarning, match="Duplicate name"):
            archive.writestr("a.txt", b"2")
    with pytest.raises(DocumentError) as caught:
        read_zip(out.getvalue())
    assert caught.value.code == "zip.duplicate_name"


def test_names_differing_only_by_case_refused() -> None:
    # On Windows and macOS both land on the same file: one would silently replace the other.
    with pytest.raises(DocumentError) as caught:
        read_zip(make.zip_of({"DOC0001.XML": b"1", "doc0001.xml": b"2"}))
    assert caught.value.code == "zip.duplicate_name"


def test_encrypted_entry_refused() -> None:
    data = bytearray(make.zip_of({"a.txt": b"x"}))
    # Set the "encrypted" general-purpose flag in the local header and central directory.
    for signature in (b"PK\x03\x04", b"PK\x01\x02"):
        at = data.find(signature)
        offset = at + (6 if signature == b"PK\x03\x04" else 8)
        data[offset] |= 0x01
    with pytest.raises(DocumentError) as caught:
        read_zip(bytes(data))
    assert caught.value.code == "zip.encrypted"


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04garbage", make.text_pdf()])
def test_not_a_zip(data: bytes) -> None:
    with pytest.raises(DocumentError) as caught:
        read_zip(data)
    assert caught.value.code == "zip.broken"


def test_built_xdm_extracts_with_its_folders(tmp_path: Path) -> None:
    from app.documents.xdm_writer import build_xdm

    built = build_xdm(make.text_pdf(), patient=make.patient(), document=make.outgoing())
    written = extract_zip(built.zip_bytes, tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in written) == [
        "IHE_XDM/SUBSET01/DOC0001.XML",
        "IHE_XDM/SUBSET01/METADATA.XML",
        "INDEX.HTM",
        "README.TXT",
    ]
    assert (tmp_path / "IHE_XDM/SUBSET01/DOC0001.XML").read_bytes() == built.cda
