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
            report.messages.append(ImportMessage(str(p), "", "error", "no such file or folder"))
    return out


def read_text(path: Path, msgs: Messages, max_bytes: int = MAX_FILE_BYTES) -> str | None:
    """The file as UTF-8 text, or None with a message (too large, unreadable, not UTF-8)."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            mib = 1 << 20  # MB here as a file manager shows it (2**20 bytes)
            msgs.error("", f"file is {size / mib:.1f} MB, over the import limit of {max_bytes / mib:.0f} MB; not read")
            return None
        data = path.read_bytes()
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
    try:
        if path.suffix.lower() in JSON_SUFFIXES or text.lstrip().startswith(("{", "[")):
            return _import_json(text, path, msgs)
        return parse_note(text, path, msgs)
    except Exception as exc:  # a parser bug must not stop the other files
        msgs.error("", f"could not be imported ({type(exc).__name__}); the file was skipped")
        return []


def _import_json(text: str, path: Path, msgs: Messages) -> list[Case]:
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        msgs.error("", f"malformed JSON: {exc}")
        return []
    if isinstance(data, dict) and "resourceType" in data:
        return parse_bundle(data, path, msgs)
    return parse_cases(data, path, msgs)
