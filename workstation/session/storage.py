"""The files behind a session store, and the TinyDB storage that holds the document in memory.

A store at PATH is three files side by side:

- PATH           the TinyDB document (tables meta, settings, work, audit, store_audit) as orjson,
                 only ever replaced atomically (temporary file, fsync, rename) by a compaction;
- PATH.journal   every change since that compaction, appended and fsync'd before the change is
                 reported saved: one record per change, `LLLLLLLL CCCCCCCC {json}\\n` where L is the
                 payload length and C its CRC-32 (hex), so a torn last record is recognised and
                 dropped; a record numbered at or below the document's `seq` is already in it;
- PATH.cases     the cases' intake data (demographics, documentation), replaced only on import,
                 so saving a change never rewrites it.

Stock TinyDB storages rewrite the whole file on every update; here TinyDB works on the
in-memory document and the store journals each change itself, which keeps a save to one
small append and one fsync however large the session grows.
"""
from __future__ import annotations

import errno
import os
import zlib
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

from workstation import faults

FORMAT = "workstation-session"
CASES_FORMAT = "workstation-cases"
VERSION = 2  # 2: the document and the cases file end with a CRC-32 checksum
HEADER = 18  # "%08x %08x " before each journal payload


# ---------------------------------------------------------------- errors

class StoreError(Exception):
    """A session store problem; the message says what happened and what to do, never patient details."""


class StoreCorrupt(StoreError):
    """A store file does not parse; it has been moved aside (see `moved`) unless opened read-only."""

    def __init__(self, message: str, moved: list[Path] | None = None) -> None:
        super().__init__(message)
        self.moved = moved or []


class StoreLocked(StoreError):
    """Another live process has the store open."""

    def __init__(self, message: str, holder: str) -> None:
        super().__init__(message)
        self.holder = holder


class StorePermissionError(StoreError):
    """A store or its folder other users can write, or that cannot be read."""


class StoreWriteError(StoreError):
    """A change could not be saved (disk full, read-only folder...): it is kept pending in memory."""

    def __init__(self, message: str, errno_: int | None = None) -> None:
        super().__init__(message)
        self.errno = errno_

    @property
    def reason(self) -> str:
        """What went wrong in a few words ("the disk is full"), for a caller's own message."""
        if self.errno is None:
            return "a write error"
        return describe_oserror(OSError(self.errno, os.strerror(self.errno)))


class StoreNotFound(StoreError):
    """No store at the path and `create=False`."""


class UnknownCase(StoreError, KeyError):
    """No case with that id in the store."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


def describe_oserror(exc: OSError) -> str:
    names = {errno.ENOSPC: "the disk is full", errno.EROFS: "the folder is read-only",
             errno.EACCES: "permission denied", errno.EDQUOT: "the disk quota is exceeded",
             errno.EIO: "an input/output error"}
    return names.get(exc.errno or 0, exc.strerror or str(exc))


# ---------------------------------------------------------------- TinyDB storage

class MemoryDocumentStorage(Storage):
    """TinyDB storage over a document held in memory; the store persists it (journal + compaction)."""

    def __init__(self, data: dict[str, dict[str, Any]] | None = None) -> None:
        self.data: dict[str, dict[str, Any]] = data if data is not None else {}

    def read(self) -> dict[str, dict[str, Any]] | None:
        return self.data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        self.data = data


# ---------------------------------------------------------------- document and cases files

def dumps(doc: Any) -> bytes:
    return orjson.dumps(doc, option=orjson.OPT_NON_STR_KEYS)


class NotAStore(Exception):
    """A file that parses but is not a session store (or is from a newer version): left alone."""


def with_checksum(payload: bytes) -> bytes:
    """A JSON object's bytes with its CRC-32 as a last member, `"checksum":"cccccccc"`: still JSON,
    and checked byte for byte (no re-serialising) by `check_checksum`."""
    if not payload.startswith(b"{") or not payload.endswith(b"}"):
        raise ValueError("not a JSON object")
    sep = b"," if payload != b"{}" else b""
    return payload[:-1] + sep + b'"checksum":"%08x"}' % zlib.crc32(payload)


_CHECK = b'"checksum":"'


def check_checksum(raw: bytes, doc: dict[str, Any], required: bool) -> None:
    """ValueError unless RAW ends with the checksum `with_checksum` wrote and it holds; a file of
    the first format version (no checksum) passes unless `required`."""
    if "checksum" not in doc:
        if required:
            raise ValueError("its checksum is missing")
        return
    tail = raw if raw.endswith(b"}") else raw.rstrip()
    at = tail.rfind(_CHECK)
    if at < 0 or len(tail) - at != len(_CHECK) + 10 or not tail.endswith(b'"}'):
        raise ValueError("its checksum is misplaced")
    view = memoryview(tail)[:at]
    if tail[at - 1:at] == b",":
        view = view[:-1]
    crc = zlib.crc32(b"}", zlib.crc32(view))  # the payload as written, without copying it
    if b"%08x" % crc != tail[at + len(_CHECK):at + len(_CHECK) + 8]:
        raise ValueError("checksum mismatch (the file was damaged after it was written)")
    del doc["checksum"]


def _line_crc(line: bytes) -> str:
    return "%08x" % zlib.crc32(line)


def document_bytes(doc: dict[str, Any]) -> bytes:
    """The document as JSON with one record per line and each line's CRC-32 in `crcs`, so that
    `sessions repair` can keep every record whose line is intact if the file is damaged."""
    out: list[bytes] = []
    crcs: dict[str, str] = {}
    for name, table in doc.items():
        rows = []
        for key, rec in table.items():
            line = dumps(str(key)) + b":" + dumps(rec)
            crcs[f"{name}/{key}"] = _line_crc(line)
            rows.append(line)
        out.append(dumps(name) + b":{\n" + b",\n".join(rows) + b"\n}")
    out.append(b'"crcs":' + dumps(crcs))
    return with_checksum(b"{" + b",\n".join(out) + b"}")


TABLES = ("meta", "settings", "work", "audit", "store_audit")


def read_document(path: Path) -> dict[str, dict[str, Any]]:
    """The TinyDB document at PATH. ValueError if it does not parse or its checksum fails (damage);
    NotAStore if it parses but is some other JSON file, or a store written by a newer version."""
    raw = path.read_bytes()
    doc = orjson.loads(raw)
    meta = doc.get("meta", {}).get("1") if isinstance(doc, dict) and isinstance(doc.get("meta"), dict) else None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        if b'\n"crcs":{' in raw and raw.rstrip().endswith(b'"}'):  # our layout: a damaged store, not another file
            raise ValueError("its session meta record is damaged")
        raise NotAStore("it is not a workstation session store (no session meta record)")
    version = meta.get("version", 0)
    if not isinstance(version, int):
        raise ValueError("its format version is not a number")
    if version > VERSION:
        raise NotAStore(f"it was written by a newer version of the workstation (store format {version})")
    check_checksum(raw, doc, required=version >= 2)
    doc.pop("crcs", None)
    check_document_shape(doc)
    return doc


def check_document_shape(doc: dict[str, Any]) -> None:
    """ValueError when valid JSON is not the shape the store writes (so it is never loaded, then saved over)."""
    for name, table in doc.items():  # tables beyond TABLES (added by later features) pass if well formed
        if not isinstance(table, dict) or not all(isinstance(d, dict) and k.isdigit() for k, d in table.items()):
            raise ValueError(f"table {name} is not a set of numbered records")
    meta = doc["meta"]["1"]
    if not isinstance(meta.get("seq", 0), int) or not isinstance(meta.get("counters", {}), dict) \
            or not isinstance(meta.get("batches", {}), dict):
        raise ValueError("the meta record is not of the right shape")
    for k, w in doc.get("work", {}).items():
        if not isinstance(w.get("case_id"), str):
            raise ValueError(f"work record {k} has no case id")
    for name in ("audit", "store_audit"):
        for k, a in doc.get(name, {}).items():
            if not isinstance(a.get("entries"), list) or not all(isinstance(e, dict) for e in a["entries"]):
                raise ValueError(f"{name} record {k} is not a list of entries")


def read_cases(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    raw = path.read_bytes()
    doc = orjson.loads(raw)
    if not isinstance(doc, dict) or doc.get("format") != CASES_FORMAT or not isinstance(doc.get("cases"), list):
        raise ValueError("not a workstation cases file")
    version = doc.get("version", 0)
    if not isinstance(version, int):
        raise ValueError("its format version is not a number")
    check_checksum(raw, doc, required=version >= 2)
    doc.pop("crcs", None)
    if not all(isinstance(c, dict) and isinstance(c.get("case_id"), str) for c in doc["cases"]):
        raise ValueError("a case without a case id")
    return doc["cases"]


def cases_bytes(cases: list[dict[str, Any]]) -> bytes:
    """The cases file: one case a line, each line's CRC-32 in `crcs` (see document_bytes)."""
    lines = [dumps(c) for c in cases]
    head = b'{"format":"%s","version":%d,"cases":[\n' % (CASES_FORMAT.encode(), VERSION)
    body = b",\n".join(lines) + (b"\n" if lines else b"")
    return with_checksum(head + body + b'],\n"crcs":' + dumps([_line_crc(l) for l in lines]) + b"}")


# ---------------------------------------------------------------- journal

def encode_record(record: dict[str, Any]) -> bytes:
    payload = dumps(record)
    return b"%08x %08x " % (len(payload), zlib.crc32(payload)) + payload + b"\n"


class JournalCorrupt(ValueError):
    pass


def scan_journal(data: bytes) -> tuple[list[dict[str, Any]], int]:
    """(records, length of the good prefix). A bad record at the very end is a torn write and is
    left out; a bad record followed by more data is corruption (JournalCorrupt)."""
    records: list[dict[str, Any]] = []
    pos = 0
    n = len(data)
    while pos < n:
        bad = None
        if n - pos < HEADER:
            bad = "short header"
        else:
            try:
                length = int(data[pos:pos + 8], 16)
                crc = int(data[pos + 9:pos + 17], 16)
                if data[pos + 8:pos + 9] != b" " or data[pos + 17:pos + 18] != b" ":
                    raise ValueError
            except ValueError:
                bad = "bad header"
            else:
                end = pos + HEADER + length
                if end + 1 > n:
                    bad = "short record"
                else:
                    payload = data[pos + HEADER:end]
                    if zlib.crc32(payload) != crc or data[end:end + 1] != b"\n":
                        bad = "checksum mismatch"
                    else:
                        try:
                            records.append(orjson.loads(payload))
                        except orjson.JSONDecodeError:
                            bad = "unparsable record"
                        else:
                            pos = end + 1
                            continue
        # A torn append can only be the last thing in the file; anything after it means damage.
        if _is_tail(data, pos, bad):
            return records, pos
        raise JournalCorrupt(f"{bad} at byte {pos}")
    return records, pos


def _is_tail(data: bytes, pos: int, bad: str | None) -> bool:
    # A torn append is one record cut short: no complete line may follow it (payloads hold no
    # raw newline), so more than its own final newline after `pos` means damage, not a tear.
    rest = data[pos:]
    nl = rest.find(b"\n")
    if not (nl == -1 or nl == len(rest) - 1):
        return False
    if bad in ("checksum mismatch", "unparsable record") and b"\x00" not in rest:
        # Complete to its final newline and free of the zeros an unwritten block reads as, yet
        # its checksum fails: a record damaged after it was written (and acknowledged), not a
        # tear. Dropping it quietly would lose a saved change without a word.
        return False
    return True


class Journal:
    """An append-only journal file opened for writing; each append is fsync'd before it returns."""

    def __init__(self, path: Path, good_size: int) -> None:
        self.path = path
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        self.size = good_size  # bytes known to be complete and durable
        self.dirty = False  # a failed append may have left bytes past `size`
        if os.fstat(self.fd).st_size != good_size:
            self.dirty = True

    def append(self, data: bytes) -> None:
        if self.dirty:
            os.ftruncate(self.fd, self.size)
            self.dirty = False
        self.dirty = True
        faults.point("journal.append")
        view = memoryview(data)
        off = self.size
        while view:
            written = os.pwrite(self.fd, view, off)
            view = view[written:]
            off += written
        faults.point("journal.written")
        _datasync(self.fd)
        self.size = off
        self.dirty = False
        faults.point("journal.synced")

    def reset(self) -> None:
        """Empty the journal after a compaction has put everything in the document."""
        os.ftruncate(self.fd, 0)
        _datasync(self.fd)
        self.size = 0
        self.dirty = False

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def _datasync(fd: int) -> None:
    (getattr(os, "fdatasync", None) or os.fsync)(fd)


def private_mkdir(folder: Path) -> None:
    """Create FOLDER and any missing parents mode 0700, whatever the umask (mkdir's own mode is
    filtered by it, and `parents=True` gives the parents the umask's default)."""
    missing = []
    p = folder
    while not p.exists():
        missing.append(p)
        if p.parent == p:
            break
        p = p.parent
    for d in reversed(missing):
        try:
            d.mkdir(mode=0o700)
        except FileExistsError:
            continue
        os.chmod(d, 0o700)
