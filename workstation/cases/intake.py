"""Bring encounters into the workstation: FHIR R4 bundles, the project's JSON case format,
folders of plain-text notes.

`import_paths(paths)` reads every file it is given (folders are walked), picks the format by
content, and returns an ImportReport: the cases it could build and a message for everything it
could not, each naming the file and the record. One bad file never stops the others, and
nothing here touches a session store: the caller adds `report.cases` to one
(`SessionStore.add_cases`, which skips a case whose `source_key` it already holds).

Messages never carry patient details: they name the file, a record id and the problem.
"""
from __future__ import annotations

import hashlib
import os
from datetime import date as date_type
from pathlib import Path
from typing import Any, Iterable

import orjson

from workstation.cases.fhir import parse_bundle
from workstation.cases.jsonfile import parse_cases
from workstation.cases.model import Case
from workstation.cases.report import ImportMessage, ImportReport, Messages
from workstation.cases.textnotes import parse_note

MAX_FILE_BYTES = 50 * 1024 * 1024  # a FHIR bundle for one patient's lifetime is a few MB
JSON_SUFFIXES = (".json",)
TEXT_SUFFIXES = (".txt", ".text", ".note")


def import_paths(
    paths: Iterable[str | Path],
    known_keys: set[str] | None = None,
    max_bytes: int = MAX_FILE_BYTES,
) -> ImportReport:
    """Read files and folders into cases; `known_keys` (e.g. the store's) count as duplicates."""
    report = ImportReport()
    seen: set[str] = set(known_keys or ())
    for path in _expand(paths, report):
        report.files += 1
        for case in _import_file(path, report, max_bytes):
            if case.source_key in seen:
                report.skipped_duplicates += 1
                continue
            seen.add(case.source_key)
            report.cases.append(case)
    return report


def import_into(store: Any, paths: Iterable[str | Path], extra: Iterable[Case] = ()) -> tuple[ImportReport, list[str]]:
    """Import files into an open SessionStore: (the report, the case ids added).

    Records the store already holds count as duplicates; `extra` cases (e.g. the demo worklist)
    are added with them. The store writes the cases in one atomic step, so a failure adds nothing.
    """
    known = {c.source_key for c in store.cases() if c.source_key}
    report = import_paths(paths, known_keys=known)
    new = [c for c in extra if c.source_key not in known]
    cases = report.cases + new
    added = store.add_cases(cases)
    report.skipped_duplicates += len(cases) - len(added)
    return report, added


def _expand(paths: Iterable[str | Path], report: ImportReport) -> list[Path]:
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(
                f
                for f in p.rglob("*")
                if f.is_file()
                and not any(part.startswith(".") for part in f.relative_to(p).parts)
                and f.suffix.lower() in JSON_SUFFIXES + TEXT_SUFFIXES
            )
            if not found:
                report.messages.append(ImportMessage(str(p), "", "warning", "folder holds no .json or .txt files"))
            out.extend(found)
        elif p.is_file():
            out.append(p)
        else:
            report.messages.append(ImportMessage(str(p), "", "error", _not_a_file(p)))
    return out


def _not_a_file(p: Path) -> str:
    """Why PATH cannot be imported when it is neither a file nor a folder."""
    import errno
    import stat

    try:
        st = os.stat(p)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a symbolic link loop (the link points back to itself); not read"
        if exc.errno == errno.EACCES:
            return "permission denied"
        if os.path.lexists(p):
            return "a symbolic link to a file that does not exist"
        return "no such file or folder"
    if stat.S_ISFIFO(st.st_mode):
        return "a named pipe (FIFO), not a file; not read (reading it could wait forever)"
    if stat.S_ISSOCK(st.st_mode):
        return "a socket, not a file; not read"
    if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
        return "a device, not a file; not read"
    return "not a regular file or folder; not read"


_FILE_IDS: dict[str, str] = {}  # path -> file_id of the bytes last read from it


def file_id(data: bytes) -> str:
    """How the audit trail names an imported file: its content, not its name (Synthea names files
    after their patients)."""
    return f"sha256:{hashlib.sha256(data).hexdigest()} ({len(data)} bytes)"


def read_text(path: Path, msgs: Messages, max_bytes: int = MAX_FILE_BYTES) -> str | None:
    """The file as UTF-8 text, or None with a message (too large, unreadable, not UTF-8)."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            mib = 1 << 20  # MB here as a file manager shows it (2**20 bytes)
            msgs.error("", f"file is {size / mib:.1f} MB, over the import limit of {max_bytes / mib:.0f} MB; not read")
            return None
        data = path.read_bytes()
        _FILE_IDS[str(path)] = file_id(data)
    except OSError as exc:
        msgs.error("", f"cannot read the file ({exc.strerror or exc})")
        return None
    try:
        return data.decode("utf-8-sig")  # a BOM from Windows editors is harmless
    except UnicodeDecodeError as exc:
        msgs.error("", f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); save it as UTF-8 and import again")
        return None


def _import_file(path: Path, report: ImportReport, max_bytes: int) -> list[Case]:
    msgs = Messages(str(path), report.messages)
    text = read_text(path, msgs, max_bytes)
    if text is None:
        return []
    head = text.lstrip()[:200].lower()
    if path.suffix.lower() == ".xml" or head.startswith(("<?xml", "<clinicaldocument", "<bundle", "<!doctype", "<html")):
        msgs.error("", "an XML (or HTML) file: not an import format. Import FHIR R4 bundles as JSON, "
                       "the workstation's JSON case format, or plain-text notes")
        return []
    try:
        if path.suffix.lower() in JSON_SUFFIXES or text.lstrip().startswith(("{", "[")):
            cases = _import_json(text, path, msgs)
        else:
            cases = parse_note(text, path, msgs)
    except Exception as exc:  # a parser bug must not stop the other files
        msgs.error("", f"could not be imported ({type(exc).__name__}); the file was skipped")
        return []
    kept = []
    ident = _FILE_IDS.pop(str(path), "")
    for case in cases:
        if ident and case.source in ("", path.name):  # a source the record states itself is kept
            case.source = ident  # stored with the case and in its add_case audit entry
        problems = date_problems(case)
        if problems:
            msgs.error(case.case_id or "", "not imported: " + "; ".join(problems))
        else:
            kept.append(case)
    return kept


def _calendar(value: str) -> date_type | None:
    try:
        return date_type.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def date_problems(case: Case, today: date_type | None = None) -> list[str]:
    """Dates no record can have, whatever the format it came in: not on the calendar (2026-02-30,
    month 13), a birth in the future or after the service. Messages name the field, not its value
    (a birth date is a patient detail)."""
    today = today or date_type.today()
    e = case.encounter
    fields = [("patient birth date", case.patient.dob), ("date of service", e.date_of_service),
              ("admit date", e.admit_date), ("discharge date", e.discharge_date),
              ("accident date", getattr(e, "accident_date", ""))]
    sub = case.coverage.subscriber
    if sub is not None:
        fields.append(("subscriber birth date", sub.dob))
    fields += [(f"document {i + 1} date", d.date[:10]) for i, d in enumerate(case.documents) if d.date]
    out: list[str] = []
    dates: dict[str, date_type] = {}
    for label, value in fields:
        if not value:
            continue
        d = _calendar(str(value))
        if d is None:
            out.append(f"{label} is not a calendar date (YYYY-MM-DD)")
        else:
            dates[label] = d
    dob, dos = dates.get("patient birth date"), dates.get("date of service")
    if dob and dob > today:
        out.append("patient birth date is in the future")
    if dob and dos and dob > dos:
        out.append("patient birth date is after the date of service")
    sdob = dates.get("subscriber birth date")
    if sdob and sdob > today:
        out.append("subscriber birth date is in the future")
    return out


def _import_json(text: str, path: Path, msgs: Messages) -> list[Case]:
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        msgs.error("", f"malformed JSON: {exc}")
        return []
    if isinstance(data, dict) and "resourceType" in data:
        return parse_bundle(data, path, msgs)
    return parse_cases(data, path, msgs)
