"""atomic_write_bytes: whole files only, and private folders for private files."""
from __future__ import annotations

import stat
from pathlib import Path

from workstation.fileio import atomic_write_bytes


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_private_file_in_a_new_folder_gets_a_private_folder(tmp_path: Path) -> None:
    # QA regression: `export --out new/dir/x.837` left patient data in a 0755 folder.
    out = tmp_path / "exports" / "batch.837"
    atomic_write_bytes(out, b"ISA*", mode=0o600)
    assert out.read_bytes() == b"ISA*"
    assert _mode(out) == 0o600 and _mode(out.parent) == 0o700
    assert [p.name for p in out.parent.iterdir()] == ["batch.837"]  # no temporary file left


def test_public_file_keeps_an_ordinary_folder_and_existing_folders_are_untouched(tmp_path: Path) -> None:
    book = tmp_path / "codebooks" / "x.json.gz"
    atomic_write_bytes(book, b"x")  # compiled code books are public: 0644
    assert _mode(book) == 0o644 and _mode(book.parent) != 0o700
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    atomic_write_bytes(shared / "p.txt", b"x", mode=0o600)
    assert _mode(shared) == 0o755  # a folder the user chose is not re-moded behind their back
