"""The patient case as it arrives for coding: who, when, where, who pays, and the documentation.

Plain dataclasses; `to_dict`/`from_dict` give the JSON case format (documented in the README).
Dates are ISO strings (YYYY-MM-DD) so they round-trip through JSON unchanged.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

ENCOUNTER_TYPES = ("office", "emergency", "outpatient_surgery", "inpatient", "telehealth", "other")


@dataclass
class Address:
    line1: str = ""
    line2: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""  # 5 or 9 digits


@dataclass
class Person:
    first: str
    last: str
    middle: str = ""
    dob: str = ""  # YYYY-MM-DD
    sex: str = "U"  # F, M or U
    address: Address = field(default_factory=Address)
    phone: str = ""


@dataclass
class Coverage:
    """Who pays. `self_pay` cases have no payer and get a patient statement instead of a claim."""

    payer_name: str = ""
    payer_id: str = ""
    member_id: str = ""
    group_number: str = ""
    plan_type: str = ""  # e.g. MB (Medicare Part B), MC (Medicaid), CI (commercial)
    relationship: str = "self"  # patient's relationship to the subscriber
    subscriber: Person | None = None  # None when the patient is the subscriber
    self_pay: bool = False
    prior_authorization: str = ""


@dataclass
class Provider:
    name: str = ""  # "Last, First" for a person
    npi: str = ""
    taxonomy: str = ""


@dataclass
class Encounter:
    type: str  # one of ENCOUNTER_TYPES
    date_of_service: str  # YYYY-MM-DD (inpatient: the discharge date decides the code year)
    place_of_service: str = "11"  # CMS two-digit POS code
    admit_date: str = ""
    discharge_date: str = ""
    rendering_provider: Provider = field(default_factory=Provider)
    facility: str = ""  # where the care was given (name)
    # The service facility's address and NPI: the claim's 2310C loop / CMS-1500 box 32 when the
    # care was not given at the billing provider's office (hospital, ER, surgery center).
    facility_address: Address = field(default_factory=Address)
    facility_npi: str = ""
    accident: str = ""  # "", "AA" auto, "EM" employment, "OA" other accident
    accident_state: str = ""  # where an auto accident happened (2-letter code)
    accident_date: str = ""  # YYYY-MM-DD: 837P DTP*439, CMS-1500 boxes 14 and 15

    @property
    def coding_date(self) -> str:
        """The date that picks the code year: inpatients by their discharge date (when set), every
        other encounter by its date of service. The claim's date, the store's checks, the screen
        and the exports all take the year from here."""
        if self.type == "inpatient" and self.discharge_date:
            return self.discharge_date
        return self.date_of_service


@dataclass
class Document:
    title: str  # e.g. "Progress note", "Discharge summary"
    text: str
    author: str = ""
    date: str = ""


@dataclass
class Case:
    case_id: str
    patient: Person
    encounter: Encounter
    coverage: Coverage = field(default_factory=Coverage)
    documents: list[Document] = field(default_factory=list)
    source: str = ""  # where the case came from (file name, "demo")
    source_key: str = ""  # identity of the source record, so a second import adds nothing

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Case":
        return _build(cls, data)

    @property
    def coding_date(self) -> str:
        return self.encounter.coding_date

    @property
    def documentation(self) -> str:
        return "\n\n".join(f"{d.title}\n{d.text}" for d in self.documents)


_FIELD_NAMES: dict[type, frozenset[str]] = {}


def _build(cls: type, data: Any) -> Any:
    """Rebuild a dataclass tree from plain dicts, ignoring unknown keys."""
    if not isinstance(data, dict):
        raise ValueError(f"expected an object for {cls.__name__}, got {type(data).__name__}")
    kwargs: dict[str, Any] = {}
    names = _FIELD_NAMES.get(cls)
    if names is None:  # dataclasses.fields() is slow to call per record (the analytics extract reads 100,000)
        names = _FIELD_NAMES[cls] = frozenset(f.name for f in fields(cls))
    nested = _NESTED
    for name, value in data.items():
        if name not in names:
            continue
        if name == "documents":
            kwargs[name] = [_build(Document, d) for d in (value or [])]
        elif name in nested and value is not None:
            kwargs[name] = _build(nested[name], value)
        else:
            kwargs[name] = value
    return cls(**kwargs)


_NESTED: dict[str, type] = {
    "address": Address,
    "facility_address": Address,
    "patient": Person,
    "subscriber": Person,
    "encounter": Encounter,
    "coverage": Coverage,
    "rendering_provider": Provider,
}
