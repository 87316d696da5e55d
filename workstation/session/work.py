"""The coder's work on one case: what the session store keeps and the claim is built from.

The case documentation is not here: it is stored once, apart from the work, so saving a
change never rewrites it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STATUSES = ("new", "in_progress", "query", "coded", "exported")  # "query": on hold for a provider query


@dataclass
class ServiceLine:
    code: str  # HCPCS Level II or CPT
    modifiers: list[str] = field(default_factory=list)  # up to four
    units: float = 1
    charge: float | None = None  # None: take the fee schedule's default
    pointers: list[str] = field(default_factory=list)  # diagnosis letters A-L, up to four
    date: str = ""  # empty: the encounter's date of service
    # Drug lines (J codes ...): the National Drug Code given and its quantity (837P loop 2410 LIN/CTP).
    ndc: str = ""  # as entered: 11 digits (5-4-2) or a hyphenated 10-digit NDC
    ndc_quantity: float | None = None  # None: the line's units
    ndc_unit: str = ""  # UN unit, ML millilitre, GR gram, F2 international unit, ME milligram ("": UN)


@dataclass
class Query:
    """A provider query: the question, the clinical indicators, the options offered, the answer."""

    query_id: str
    question: str
    indicators: str = ""
    options: list[str] = field(default_factory=list)
    status: str = "open"  # open, answered, withdrawn
    answer: str = ""
    created: str = ""
    answered: str = ""


@dataclass
class CaseWork:
    case_id: str
    status: str = "new"
    diagnoses: list[str] = field(default_factory=list)  # ICD-10-CM, dotted, first-listed first
    procedures: list[str] = field(default_factory=list)  # ICD-10-PCS (inpatient)
    lines: list[ServiceLine] = field(default_factory=list)
    queries: list[Query] = field(default_factory=list)
    notes: str = ""
    export_batch: str = ""  # set when exported: the batch id (kept when the case is reopened)
    export_file: str = ""
    # Every billing export of the case, oldest first: {"batch", "file", "at"}. A case sent before
    # goes out again as a replacement claim (frequency 7), which names the payer's claim number.
    exports: list[dict[str, str]] = field(default_factory=list)
    payer_claim_number: str = ""  # the payer's claim control number of the original (REF*F8, box 22)

    def to_dict(self) -> dict[str, Any]:
        """The same as dataclasses.asdict, written out: it runs on every saved change, and asdict's
        generic deep copy was the largest cost of a save."""
        d = dict(self.__dict__)
        d["diagnoses"] = list(self.diagnoses)
        d["procedures"] = list(self.procedures)
        d["lines"] = [dict(l.__dict__, modifiers=list(l.modifiers), pointers=list(l.pointers)) for l in self.lines]
        d["queries"] = [dict(q.__dict__, options=list(q.options)) for q in self.queries]
        d["exports"] = [dict(e) for e in self.exports]
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "CaseWork":
        data = dict(data)
        data["lines"] = [ServiceLine(**l) for l in data.get("lines", [])]
        data["queries"] = [Query(**q) for q in data.get("queries", [])]
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})

    @property
    def open_queries(self) -> list[Query]:
        return [q for q in self.queries if q.status == "open"]

    @property
    def sent_before(self) -> bool:
        """True once a claim or statement for the case went out (its next claim replaces that one)."""
        return bool(self.export_batch or self.exports)
