"""The files behind a session store, and the TinyDB storage that holds the document in memory.

A store at PATH is three files side by side:

- PATH           the TinyDB document (tables meta, settings, work, audit, store_audit) as orjson,
                 one self-checking record a line (format 3, see record_line), only ever replaced
                 atomically (temporary file, fsync, rename) by a compaction;
- PATH.journal   every change since that compaction, appended and fsync'd before the change is
                 reported saved: one record per change, `LLLLLLLL CCCCCCCC {json}\\n` where L is the
                 payload length and C its CRC-32 (hex), so a torn last record is recognised and
                 dropped; a record numbered at or below the document's `seq` is already in it;
- PATH.cases     the cases' intake data (demographics, documentation), one self-checking case a
                 line, replaced only on import (or once by a compaction, to migrate an older
                 format), so saving a change never rewrites it.

Stock TinyDB storages rewrite the whole file on every update; here TinyDB works on the
in-memory document and the store journals each change itself, which keeps a save to one
small append and one fsync however large the session grows.
"""
from __future__ import annotations

import errno
import os
import re
import zlib
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

from workstation import faults

FORMAT = "workstation-session"
CASES_FORMAT = "workstation-cases"
VERSION = 3  # 2: the files end with a CRC-32 checksum; 3: and every record line carries its own
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


# Format 3: every record is one self-checking line, `["cccccccc",TABLE,KEY,CASE_ID,RECORD]`, where
# cccccccc is the CRC-32 of the bytes after its comma up to (not including) the closing bracket. A
# line needs nothing else in the file to be checked and placed: no checksum table, no table
# heading. A flipped byte therefore costs the one record whose line it hits (see repair.py), and
# the meta record (sequence number, control-number counters, pending exports) is written both
# first and last, so one flip never loses it.

def record_line(table: str, key: str, case_id: str | None, rec: Any) -> bytes:
    body = dumps([table, key, case_id, rec])[1:-1]
    return b'["%08x",' % zlib.crc32(body) + body + b"]"


_LINE = re.compile(rb'^\["([0-9a-f]{8})",(.*)\]$', re.S)


def check_line(line: bytes) -> tuple[str, str, str | None, Any] | None:
    """(table, key, case id, record) of a record line whose own checksum holds, else None."""
    m = _LINE.match(line)
    if not m or "%08x" % zlib.crc32(m.group(2)) != m.group(1).decode():
        return None
    try:
        item = orjson.loads(b"[" + m.group(2) + b"]")
    except orjson.JSONDecodeError:
        return None
    if len(item) != 4 or not isinstance(item[0], str) or not isinstance(item[1], str) \
            or not (item[2] is None or isinstance(item[2], str)):
        return None
    return item[0], item[1], item[2], item[3]


def _case_of(rec: Any) -> str | None:
    cid = rec.get("case_id") if isinstance(rec, dict) else None
    return cid if isinstance(cid, str) else None


def document_lines(doc: dict[str, dict[str, Any]]) -> list[bytes]:
    meta = [record_line("meta", str(k), None, r) for k, r in doc.get("meta", {}).items()]
    lines = list(meta)
    for name, table in doc.items():
        if name != "meta":
            lines.extend(record_line(name, str(k), _case_of(r), r) for k, r in table.items())
    return lines + meta  # the meta record first and last: one flip never costs it


def document_bytes(doc: dict[str, dict[str, Any]]) -> bytes:
    """The document as JSON, one self-checking record a line (see record_line), with a checksum
    of the whole file last so that a normal open checks everything in one pass."""
    return lines_bytes(FORMAT, "records", document_lines(doc))


def lines_bytes(fmt: str, member: str, lines: list[bytes]) -> bytes:
    head = b'{"format":"%s","version":%d,"%s":[\n' % (fmt.encode(), VERSION, member.encode())
    return with_checksum(head + b",\n".join(lines) + (b"\n]}" if lines else b"]}"))


TABLES = ("meta", "settings", "work", "audit", "store_audit")


def _meta_line_version(raw: bytes) -> int | None:
    """The format version in the first intact meta record line, if any."""
    for line in raw.split(b"\n")[:3] + raw.split(b"\n")[-4:]:
        item = check_line(line[:-1] if line.endswith(b",") else line)
        if item is not None and item[0] == "meta" and isinstance(item[3], dict):
            v = item[3].get("version")
            return v if isinstance(v, int) else None
    return None


def _looks_like_ours(raw: bytes, fmt: str) -> bool:
    """A file of our line layout with at least one intact record line: a damaged store of ours
    (refused as damage and salvaged), never "some other JSON file" left alone."""
    if b'\n["' not in raw:
        return False
    for line in raw.split(b"\n"):
        item = check_line(line[:-1] if line.endswith(b",") else line)
        if item is not None:
            return True
    return False


def read_document(path: Path) -> dict[str, dict[str, Any]]:
    """The TinyDB document at PATH. ValueError if it does not parse or its checksum fails (damage);
    NotAStore if it parses but is some other JSON file, or a store written by a newer version.
    Reads every format version (1 and 2 are rewritten as 3 by the next compaction)."""
    raw = path.read_bytes()
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError:
        if _looks_like_ours(raw, FORMAT):
            raise ValueError("it does not parse (damaged)") from None
        raise
    if isinstance(doc, dict) and "records" in doc and "meta" not in doc:
        return _read_document_v3(raw, doc)
    meta = doc.get("meta", {}).get("1") if isinstance(doc, dict) and isinstance(doc.get("meta"), dict) else None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        if b'\n"crcs":{' in raw and raw.rstrip().endswith(b'"}'):  # our layout: a damaged store, not another file
            raise ValueError("its session meta record is damaged")
        if _looks_like_ours(raw, FORMAT):
            raise ValueError("its header is damaged")
        raise NotAStore("it is not a workstation session store (no session meta record)")
    version = meta.get("version", 0)
    if not isinstance(version, int):
        raise ValueError("its format version is not a number")
    if version > VERSION:
        raise NotAStore(f"it was written by a newer version of the workstation (store format {version})")
    if version > 2:
        raise ValueError(f"a format {version} meta record in a format 2 layout")
    check_checksum(raw, doc, required=version >= 2)
    doc.pop("crcs", None)
    check_document_shape(doc)
    return doc


def _version(doc: dict[str, Any], fmt: str, raw: bytes) -> int:
    if doc.get("format") != fmt:
        if _looks_like_ours(raw, fmt):
            raise ValueError("its header is damaged")
        raise NotAStore("it is not a workstation session store (no session meta record)")
    version = doc.get("version")
    if not isinstance(version, int):
        raise ValueError("its format version is not a number")
    if version > VERSION:
        raise NotAStore(f"it was written by a newer version of the workstation (store format {version})")
    return version


def _read_document_v3(raw: bytes, top: dict[str, Any]) -> dict[str, dict[str, Any]]:
    try:
        _version(top, FORMAT, raw)
    except NotAStore:
        # "A newer version" read from a damaged header is damage: the meta record's own line
        # (which checks itself) still says which version wrote the file.
        if _meta_line_version(raw) in range(1, VERSION + 1):
            raise ValueError("its header is damaged (its meta record says format "
                             f"{_meta_line_version(raw)})") from None
        raise
    check_checksum(raw, top, required=True)
    rows = top["records"]
    if not isinstance(rows, list):
        raise ValueError("its records are not a list")
    doc: dict[str, dict[str, Any]] = {}
    for row in rows:
        if not isinstance(row, list) or len(row) != 5 or not isinstance(row[1], str) or not isinstance(row[2], str):
            raise ValueError("a record line is not of the right shape")
        if row[3] != _case_of(row[4]):
            raise ValueError(f"{row[1]} record {row[2]:.20} names case {row[3]!s:.40} but holds another")
        doc.setdefault(row[1], {})[row[2]] = row[4]
    meta = doc.get("meta", {}).get("1")
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ValueError("its session meta record is missing")
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


def read_cases(path: Path) -> tuple[list[dict[str, Any]], int]:
    """(the cases, the file's format version); ([], VERSION) when there is no cases file."""
    if not path.exists():
        return [], VERSION
    raw = path.read_bytes()
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError:
        if _looks_like_ours(raw, CASES_FORMAT):
            raise ValueError("it does not parse (damaged)") from None
        raise
    if not isinstance(doc, dict) or doc.get("format") != CASES_FORMAT or not isinstance(doc.get("cases"), list):
        if _looks_like_ours(raw, CASES_FORMAT):
            raise ValueError("its header is damaged")
        raise ValueError("not a workstation cases file")
    version = doc.get("version", 0)
    if not isinstance(version, int):
        raise ValueError("its format version is not a number")
    check_checksum(raw, doc, required=version >= 2)
    doc.pop("crcs", None)
    cases = doc["cases"]
    if version >= 3:
        if not all(isinstance(r, list) and len(r) == 5 and r[1] == "cases" and isinstance(r[4], dict)
                   and r[3] == r[4].get("case_id") for r in cases):
            raise ValueError("a case line is not of the right shape")
        cases = [r[4] for r in cases]
    if not all(isinstance(c, dict) and isinstance(c.get("case_id"), str) for c in cases):
        raise ValueError("a case without a case id")
    return cases, version


def cases_bytes(cases: list[dict[str, Any]]) -> bytes:
    """The cases file: one self-checking case a line (see record_line; KEY is its place, from 1)."""
    return lines_bytes(CASES_FORMAT, "cases",
                       [record_line("cases", str(i), c["case_id"], c) for i, c in enumerate(cases, 1)])


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
                    # The record is its length and checksum: a damaged byte where its newline
                    # should be costs nothing (a tear never leaves a complete, checked payload
                    # followed by a wrong byte; at worst the change was complete but not yet
                    # acknowledged, and keeping it is what the coder did).
                    if zlib.crc32(payload) != crc:
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


_ZEROS = bytes(16)  # a block the disk never wrote reads as a run of zeros; a flipped byte makes one


def _is_tail(data: bytes, pos: int, bad: str | None) -> bool:
    # A torn append is one record cut short: no complete line may follow it (payloads hold no
    # raw newline), so more than its own final newline after `pos` means damage, not a tear.
    rest = data[pos:]
    nl = rest.find(b"\n")
    if not (nl == -1 or nl == len(rest) - 1):
        return False
    if rest.endswith(b"\n") and _ZEROS not in rest:
        # Complete to its final newline and free of the zero runs an unwritten block reads as, yet
        # it fails (checksum, header or length): a record damaged after it was written (and
        # acknowledged), not a tear, since an append writes its newline last. Dropping it
        # quietly would lose a saved change without a word.
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
