"""The lookup result: what `workstation lookup` prints as JSON and the app's detail pane shows.

One shape for every code set. The keys every result has come first; the others belong to one
code set (ICD-10-CM: needs_seventh, children, book, provenance; ICD-10-PCS: axes, definitions;
HCPCS: short, section; CPT: short, licensed; PCS and HCPCS codes that are also ICD-10-CM: also).
"""

from typing import NotRequired, TypedDict  # (no `from __future__ import annotations`: TypedDict reads NotRequired at run time)


class NoteRef(TypedDict):
    start: int
    end: int
    text: str
    incomplete: bool


class LookupNote(TypedDict):
    kind: str          # includes, excludes1, code_first ... (codes/model.py NOTE_KINDS), or release, also, short
    label: str
    text: str
    origin: str        # the code (or book) the note is printed at
    origin_level: str
    refs: list[NoteRef]


class PathStep(TypedDict):
    code: str
    title: str
    level: str


class ChildCode(TypedDict):
    code: str
    title: str
    billable: bool


class SeventhTable(TypedDict):
    origin: str                      # the code whose 7th-character table applies
    chars: list[tuple[str, str]]     # (character, meaning)
    inclusions: dict[str, list[str]]


class BookInfo(TypedDict):
    name: str
    origin: str        # shipped, installed, provisional
    provisional: bool


class PcsAxis(TypedDict):
    position: int
    name: str
    value: str
    label: str


class PcsDefinition(TypedDict):
    axis: int
    name: str
    term: str
    definition: str
    explanation: str
    includes: list[str]


class AlsoCode(TypedDict):
    system: str
    code: str
    title: str


class LookupResult(TypedDict):
    code: str
    system: str        # icd10cm | icd10pcs | hcpcs | cpt
    release: str
    title: str
    billable: bool
    level: str
    path: list[PathStep]
    notes: list[LookupNote]
    seventh: SeventhTable | None
    # ICD-10-CM
    needs_seventh: NotRequired[bool]
    children: NotRequired[list[ChildCode]]
    book: NotRequired[BookInfo]
    provenance: NotRequired[dict[str, str] | None]
    # ICD-10-PCS
    axes: NotRequired[list[PcsAxis]]
    definitions: NotRequired[list[PcsDefinition]]
    # HCPCS and CPT
    short: NotRequired[str]
    short_release: NotRequired[str]
    section: NotRequired[str]
    licensed: NotRequired[bool]
    # a PCS or HCPCS code that is also an ICD-10-CM code (G0439 / G04.39)
    also: NotRequired[AlsoCode]
