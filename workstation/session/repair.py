"""Salvage a damaged session store: keep every record whose checksum holds, write them as a new store.

    report = repair(Path("sessions/monday.json.corrupt-20261201T101500"), Path("sessions/monday-repaired.json"))

The three files (document, journal, cases; see storage.py) are each read record by record: the
document and the cases file hold one record a line, each line carrying its own CRC-32, table,
key and case id (format 3; formats 1 and 2 are still salvaged), the journal one checksummed
record a line, read by its length. Nothing vouches for another record, so a flipped byte costs
only the record it hits, and that record is named in the report. A record whose checksum fails is dropped and counted; so is work whose
case is not among the cases recovered. Work and audit records are placed by the case id they
carry, never by their position, so a lost case never passes its work to its neighbour. The
result is written as a new store (the damaged files are left as they are) and opened once to
prove it reads. Nothing here prints patient details: the report names files, counts and case ids.
"""
from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from workstation.fileio import atomic_write_bytes
from workstation.session.storage import (
    CASES_FORMAT,
    FORMAT,
    VERSION,
    HEADER,
    cases_bytes,
    check_line,
    document_bytes,
)

_MOVED = re.compile(r"^(?P<stem>.+?)(?P<kind>\.journal|\.cases)?(?P<suffix>\.corrupt-[0-9T]+(?:-\d+)?)$")


@dataclass
class RepairReport:
    source: list[Path]
    out: Path
    cases: int = 0
    work: int = 0
    audit_entries: int = 0
    journal_records: int = 0
    dropped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"wrote {self.out}: {self.cases} case(s), {self.work} with work, "
                 f"{self.audit_entries} audit entries ({self.journal_records} journal record(s) replayed)"]
        if self.dropped:
            lines.append(f"dropped {len(self.dropped)} damaged or orphaned record(s):")
            lines.extend(f"  - {d}" for d in self.dropped)
        else:
            lines.append("nothing was dropped: every record's checksum held")
        lines.append(f"the files read are left as they were; open the repaired store with: workstation --session {self.out}")
        return "\n".join(lines)


def store_files(path: Path) -> tuple[Path, Path, Path]:
    """(document, journal, cases) for a store PATH or for any of its moved-aside files."""
    m = _MOVED.match(path.name)
    if m:
        stem, suffix = m["stem"], m["suffix"]
        return (path.with_name(stem + suffix), path.with_name(stem + ".journal" + suffix),
                path.with_name(stem + ".cases" + suffix))
    for kind in (".journal", ".cases"):
        if path.name.endswith(kind):
            path = path.with_name(path.name[: -len(kind)])
    return path, path.with_name(path.name + ".journal"), path.with_name(path.name + ".cases")


def _crc(line: bytes) -> str:
    return "%08x" % zlib.crc32(line)


def _lines(raw: bytes) -> list[bytes]:
    return [ln[:-1] if ln.endswith(b",") else ln for ln in raw.split(b"\n")]


def _whole(raw: bytes) -> Any:
    """The parsed file when it parses, else None."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None


def _record_lines(raw: bytes) -> tuple[list[tuple[str, str, str | None, Any]], list[str]]:
    """Every self-checking record line of a format-3 file whose own checksum holds, and a name for
    each record line that failed. A flip that turned a newline into another byte joins two lines
    (or a record and the file's head or tail): they are found again by their openings
    `["cccccccc",` and their own checksums."""
    good: list[tuple[str, str, str | None, Any]] = []
    bad: list[str] = []
    lines = _lines(raw)
    for i, line in enumerate(lines):
        item = check_line(line) if line.startswith(b'["') else None
        if item is not None:
            good.append(item)
            continue
        found = _find_records(line)
        good.extend(found)
        if not found and 0 < i < len(lines) - 1 and line.strip():
            bad.append(_name_damaged(line))
    return good, bad


_START = re.compile(rb'\["[0-9a-f]{8}",')
_NAMED = re.compile(rb'"(\w+)","(\d+)",(?:"([\w.-]{1,40})"|null),')


def _find_records(line: bytes) -> list[tuple[str, str, str | None, Any]]:
    out = []
    covered = 0
    for m in _START.finditer(line):
        if m.start() < covered:
            continue
        for j in (k for k in range(m.end(), len(line)) if line[k] == 0x5D):  # each "]" after it
            item = check_line(line[m.start():j + 1])
            if item is not None:
                out.append(item)
                covered = j + 1
                break
    return out


def _name_damaged(line: bytes) -> str:
    """What a damaged record line was, as far as its (unverified) opening still says."""
    m = _NAMED.search(line[:120])
    if not m:
        return "a record whose line is too damaged to name"
    what = f"{m.group(1).decode()} record {m.group(2).decode()}"
    return what + (f" (apparently of case {m.group(3).decode()})" if m.group(3) else "")


def salvage_cases(raw: bytes, dropped: list[str]) -> list[dict[str, Any]]:
    if b'\n["' in raw or raw.startswith(b'{"format":"%s","version":3' % CASES_FORMAT.encode()):
        return _salvage_cases_v3(raw, dropped)
    return _salvage_cases_v2(raw, dropped)


def _salvage_cases_v3(raw: bytes, dropped: list[str]) -> list[dict[str, Any]]:
    items, bad = _record_lines(raw)
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for table, key, cid, rec in items:
        if table != "cases" or not isinstance(rec, dict) or cid is None or rec.get("case_id") != cid:
            bad.append(f"{table} record {key} in the cases file")
            continue
        if cid in seen:
            dropped.append(f"case {cid}: a second copy")
            continue
        seen.add(cid)
        out.append(rec)
    dropped.extend(f"{b.replace('cases record', 'case record')} of the cases file (checksum failed)" for b in bad)
    return out


def _salvage_cases_v2(raw: bytes, dropped: list[str]) -> list[dict[str, Any]]:
    doc = _whole(raw)
    crcs = doc.get("crcs") if isinstance(doc, dict) else None
    if not isinstance(crcs, list):  # the crcs line itself is damaged: look for it by hand
        tail = [ln for ln in _lines(raw) if ln.startswith(b'"crcs":[')]
        try:
            crcs = orjson.loads(tail[-1][len(b'"crcs":'):].split(b"]")[0] + b"]") if tail else None
        except orjson.JSONDecodeError:
            crcs = None
    lines = [ln for ln in _lines(raw) if ln.startswith(b"{") and not ln.startswith(b'{"format"')]
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, line in enumerate(lines):
        ok = isinstance(crcs, list) and i < len(crcs) and crcs[i] == _crc(line)
        if not ok and isinstance(crcs, list):
            ok = _crc(line) in set(crcs)  # a line lost before it shifts the others
        rec = None
        if ok:
            try:
                rec = orjson.loads(line)
            except orjson.JSONDecodeError:
                rec = None
        if not isinstance(rec, dict) or not isinstance(rec.get("case_id"), str):
            dropped.append(f"case record {i + 1} of the cases file (checksum failed)")
            continue
        if rec["case_id"] in seen:
            dropped.append(f"case {rec['case_id']}: a second copy")
            continue
        seen.add(rec["case_id"])
        out.append(rec)
    if isinstance(doc, dict) and doc.get("format") == CASES_FORMAT and "crcs" not in doc \
            and isinstance(doc.get("cases"), list):  # first format: one line, no per-case checksums
        dropped.clear()
        out = [c for c in doc["cases"] if isinstance(c, dict) and isinstance(c.get("case_id"), str)]
    return out


def salvage_document(raw: bytes, dropped: list[str]) -> dict[str, dict[str, Any]]:
    """{table: {key: record}} of every document line whose CRC-32 holds."""
    if b'\n["' in raw or raw.startswith(b'{"format":"%s","version":3' % FORMAT.encode()):
        return _salvage_document_v3(raw, dropped)
    return _salvage_document_v2(raw, dropped)


def _salvage_document_v3(raw: bytes, dropped: list[str]) -> dict[str, dict[str, Any]]:
    items, bad = _record_lines(raw)
    out: dict[str, dict[str, Any]] = {}
    for table, key, cid, rec in items:
        if not isinstance(rec, dict) or (rec.get("case_id") if table != "meta" else None) != cid:
            bad.append(f"{table} record {key} (it names another case than it holds)")
            continue
        if table == "meta" and key in out.get("meta", {}):
            continue  # the meta record is written twice, first and last
        out.setdefault(table, {})[key] = rec
    if "1" in out.get("meta", {}):  # a lost copy of the meta record costs nothing: its twin holds it
        twin = [b for b in bad if b.startswith("meta record")]
        bad = [b for b in bad if b not in twin[:1]]
    dropped.extend(f"{b} of the document (checksum failed)" for b in bad)
    return out


def _salvage_document_v2(raw: bytes, dropped: list[str]) -> dict[str, dict[str, Any]]:
    doc = _whole(raw)
    crcs = doc.get("crcs") if isinstance(doc, dict) else None
    if not isinstance(crcs, dict):
        crcs = None
        for ln in _lines(raw):
            if ln.startswith(b'"crcs":{'):
                try:
                    crcs = orjson.loads(ln[len(b'"crcs":'):].split(b"}")[0] + b"}")
                except orjson.JSONDecodeError:
                    pass
    if isinstance(doc, dict) and crcs is None and isinstance(doc.get("meta"), dict):
        # First format (no per-record checksums): it parsed, so take it as it is.
        return {k: v for k, v in doc.items() if isinstance(v, dict) and k not in ("checksum", "crcs")}
    good = set((crcs or {}).items())
    out: dict[str, dict[str, Any]] = {}
    table = None
    for line in _lines(raw):
        m = re.match(rb'^\{?"(\w+)":\{$', line)
        if m:
            table = m.group(1).decode()
            continue
        m = re.match(rb'^"(\d+)":(\{.*\})$', line)
        if not m or table is None:
            continue
        name = f"{table}/{m.group(1).decode()}"
        if (name, _crc(line)) not in good:
            dropped.append(f"{name.replace('/', ' record ')} of the document (checksum failed)")
            continue
        try:
            out.setdefault(table, {})[m.group(1).decode()] = orjson.loads(m.group(2))
        except orjson.JSONDecodeError:
            dropped.append(f"{name} of the document (does not parse)")
    return out


def repair(path: Path, out: Path) -> RepairReport:
    """Salvage the store at PATH (or its moved-aside files) into a new store at OUT."""
    doc_path, journal_path, cases_path = store_files(path)
    if out.exists() or Path(str(out) + ".cases").exists():
        raise FileExistsError(f"{out} already exists; choose another name for the repaired store")
    present = [p for p in (doc_path, journal_path, cases_path) if p.exists()]
    if not present:
        raise FileNotFoundError(f"no session store files at {doc_path} (nor its .journal or .cases)")
    report = RepairReport(present, out)
    dropped = report.dropped
    cases = salvage_cases(cases_path.read_bytes(), dropped) if cases_path.exists() else []
    tables = salvage_document(doc_path.read_bytes(), dropped) if doc_path.exists() else {}
    position = {c["case_id"]: i + 1 for i, c in enumerate(cases)}

    meta_old = (tables.get("meta") or {}).get("1") or {}
    base_seq = int(meta_old.get("seq", 0)) if isinstance(meta_old.get("seq", 0), int) else 0
    work: dict[str, dict[str, Any]] = {}
    audit: dict[str, list[dict[str, Any]]] = {}
    store_audit: list[dict[str, Any]] = []
    for rec in (tables.get("work") or {}).values():
        if isinstance(rec, dict) and isinstance(rec.get("case_id"), str):
            work[rec["case_id"]] = rec
    for name in ("audit", "store_audit"):
        for rec in (tables.get(name) or {}).values():
            entries = [e for e in rec.get("entries", []) if isinstance(e, dict)] if isinstance(rec, dict) else []
            if name == "store_audit":
                store_audit.extend(entries)
            elif isinstance(rec.get("case_id"), str):
                audit.setdefault(rec["case_id"], []).extend(entries)
    settings = dict((tables.get("settings") or {}).get("1") or {})
    counters = dict(meta_old.get("counters") or {})
    batches = dict(meta_old.get("batches") or {})
    current = meta_old.get("current_case")

    seq = base_seq
    if journal_path.exists():
        records, bad = _scan_resync(journal_path.read_bytes())
        if bad:
            dropped.append(f"{bad} journal record(s) (checksum failed)")
        for rec in sorted(records, key=lambda r: int(r.get("seq", 0)) if isinstance(r, dict) else 0):
            try:
                if int(rec["seq"]) <= base_seq:
                    continue
                for op in rec["ops"]:
                    kind = op[0]
                    if kind == "work" and isinstance(op[2], dict):
                        work[op[2]["case_id"]] = op[2]
                    elif kind == "audit":
                        e = op[1]
                        (store_audit if e.get("case_id") is None else audit.setdefault(e["case_id"], [])).append(e)
                    elif kind == "setting":
                        settings[op[1]] = op[2]
                    elif kind == "current":
                        current = op[1]
                    elif kind == "counter":
                        counters[op[1]] = max(int(op[2]), int(counters.get(op[1], 0)))
                    elif kind == "batch":
                        if op[2] is None:
                            batches.pop(op[1], None)
                        else:
                            batches[op[1]] = op[2]
                seq = max(seq, int(rec["seq"]))
                report.journal_records += 1
            except (KeyError, TypeError, ValueError, IndexError, AttributeError):
                dropped.append(f"journal record {rec.get('seq', '?') if isinstance(rec, dict) else '?'} (wrong shape)")

    for cid in sorted(set(work) - set(position)):
        dropped.append(f"work of case {cid}: its case record was not recovered")
    for cid in sorted(set(audit) - set(position)):
        dropped.append(f"audit of case {cid}: its case record was not recovered")
    for e in store_audit:
        seq = max(seq, int(e.get("seq", 0) or 0))
    new_doc: dict[str, dict[str, Any]] = {
        "meta": {"1": {"format": FORMAT, "version": VERSION, "seq": seq, "created": meta_old.get("created", ""),
                       "current_case": current if current in position else None, "counters": counters,
                       "batches": batches, "cases": len(cases), "repaired_from": str(doc_path)}},
        "settings": {"1": settings},
        "work": {str(position[c]): w for c, w in work.items() if c in position},
        "audit": {str(position[c]): {"case_id": c, "entries": sorted(es, key=lambda e: e.get("seq", 0))}
                  for c, es in audit.items() if c in position},
        "store_audit": {"1": {"case_id": None, "entries": store_audit}} if store_audit else {},
    }
    for name, table in tables.items():  # tables of later features: kept as salvaged, record by record
        if name not in new_doc and isinstance(table, dict):
            new_doc[name] = table
    report.cases = len(cases)
    report.work = len(new_doc["work"])
    report.audit_entries = sum(len(a["entries"]) for a in new_doc["audit"].values()) + len(store_audit)
    atomic_write_bytes(Path(str(out) + ".cases"), cases_bytes(cases), mode=0o600)
    atomic_write_bytes(out, document_bytes(new_doc), mode=0o600)
    return report  # the caller opens it (the store's own salvage, or `sessions repair`'s check)


def _scan_resync(data: bytes) -> tuple[list[dict[str, Any]], int]:
    """Every journal record whose checksum holds, skipping damaged ones at any place (a normal open
    stops at the first); and how many were dropped. A record is read by the length in its header
    and its checksum, so a flipped newline after it costs nothing; after a damaged record the scan
    picks up at the next line that starts a record whose checksum holds."""
    records: list[dict[str, Any]] = []
    bad = 0
    pos, n = 0, len(data)
    while pos < n:
        rec, end = _record_at(data, pos)
        if rec is not None:
            records.append(rec)
            pos = end
            continue
        if data[pos:].strip(b"\x00\n"):
            bad += 1
        nxt = pos
        while True:  # the next place after a newline where a whole record checks
            nxt = data.find(b"\n", nxt + 1)
            if nxt < 0:
                nxt = n
                break
            if _record_at(data, nxt + 1)[0] is not None:
                nxt += 1
                break
        pos = nxt
    return records, bad


def _record_at(data: bytes, pos: int) -> tuple[dict[str, Any] | None, int]:
    try:
        length = int(data[pos:pos + 8], 16)
        crc = int(data[pos + 9:pos + 17], 16)
    except ValueError:
        return None, pos
    if data[pos + 8:pos + 9] != b" " or data[pos + 17:pos + 18] != b" ":
        return None, pos
    end = pos + HEADER + length
    payload = data[pos + HEADER:end]
    if len(payload) != length or zlib.crc32(payload) != crc:
        return None, pos
    try:
        rec = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return None, pos
    return (rec, end + 1) if isinstance(rec, dict) else (None, pos)
