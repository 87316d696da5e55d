"""What an import says: a message per problem (naming the file and record, never the patient),
the report of a whole import, and the key that makes importing the same record twice a no-op.

A leaf module: the parsers (fhir, jsonfile, textnotes) and the dispatcher (intake) all use it.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import orjson

from workstation.cases.model import Case

SEVERITIES = ("error", "warning", "info")


@dataclass
class ImportMessage:
    file: str
    record: str  # "" for the whole file; else a record id ("Encounter/1f2e...", "cases[3]", "line 4")
    severity: str  # error: the record or file was not imported; warning: imported with a gap; info
    text: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.record}" if self.record else self.file
        return f"{where}: {self.severity}: {self.text}"


@dataclass
class ImportReport:
    cases: list[Case] = field(default_factory=list)
    messages: list[ImportMessage] = field(default_factory=list)
    skipped_duplicates: int = 0  # records already seen (earlier in this import, or in known_keys)
    files: int = 0  # files read (or tried)

    @property
    def errors(self) -> list[ImportMessage]:
        return [m for m in self.messages if m.severity == "error"]

    @property
    def warnings(self) -> list[ImportMessage]:
        return [m for m in self.messages if m.severity == "warning"]


class Messages:
    """Collects the messages of one file so parsers need not repeat its name."""

    def __init__(self, file: str, sink: list[ImportMessage]):
        self.file = file
        self.sink = sink

    def error(self, record: str, text: str) -> None:
        self.sink.append(ImportMessage(self.file, record, "error", text))

    def warning(self, record: str, text: str) -> None:
        self.sink.append(ImportMessage(self.file, record, "warning", text))

    def info(self, record: str, text: str) -> None:
        self.sink.append(ImportMessage(self.file, record, "info", text))


def source_key(kind: str, *identity: object) -> str:
    """sha256 of a record's normalized identity: the same record always gives the same key."""
    norm = [" ".join(str(p).split()).casefold() if isinstance(p, str) else p for p in identity]
    return hashlib.sha256(orjson.dumps([kind, *norm])).hexdigest()
