"""The coder's work on one case: what the session store keeps and the claim is built from.

The case documentation is not here: it is stored once, apart from the work, so saving a
change never rewrites it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STATUSES = ("new", "in_progress", "query", "coded", "exported")  # "query": on hold for a provider query

# Present on admission (inpatient diagnoses; CMS/NUBC POA indicator values, ICD-10-CM Official
# Guidelines Appendix I): Y present at the time of inpatient admission, N not present, U documentation
# insufficient to determine, W clinically undetermined. "E" is this workstation's mark for a code the
# coder reports as exempt from POA reporting: it goes out blank on the 837I (5010 has no "1").
POA_VALUES = ("Y", "N", "U", "W", "E")
POA_MEANINGS = {
    "Y": "present at the time of inpatient admission",
    "N": "not present at the time of inpatient admission",
    "U": "documentation insufficient to determine",
    "W": "clinically undetermined",
    "E": "exempt from POA reporting (reported blank)",
}


FACILITY_BATCH_PREFIX = "837I-"  # export/batch.py names an 837I batch so (837I-YYYYMMDD-ISA13)


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
    answered: str = ""  # when it was answered or withdrawn
    provider: str = ""  # who is asked (the rendering provider unless the coder names another)
    form: str = ""  # "" multiple choice; "poa" or "confirm": the two purposes a yes/no query may serve
    gap: str = ""  # the documentation gap it was drafted from ("kind:code"), if any


@dataclass
class FacilityStay:
    """What the hospital's inpatient claim (UB-04 / 837I) needs besides the codes, abstracted from
    the record by the coder: NUBC admission type (UB-04 FL14), point of origin (FL15), patient
    discharge status (FL17) and the admission and discharge hours (FL13, FL16: 00-23)."""

    admission_type: str = ""  # 1 emergency, 2 urgent, 3 elective, 4 newborn, 5 trauma, 9 unknown
    admission_source: str = ""  # point of origin, e.g. 1 non-health-care point, 2 clinic, 4 hospital transfer
    patient_status: str = ""  # two digits, e.g. 01 home, 03 SNF, 06 home health, 20 expired
    admit_hour: str = ""  # 00-23
    discharge_hour: str = ""  # 00-23
    admitting_dx: str = ""  # ICD-10-CM: the condition that occasioned the admission (837I HI*ABJ)

    def is_empty(self) -> bool:
        return not any(self.__dict__.values())


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
    # Inpatient: the POA indicator of each diagnosis (dotted code -> one of POA_VALUES).
    poa: dict[str, str] = field(default_factory=dict)
    stay: FacilityStay = field(default_factory=FacilityStay)
    pcs_dates: dict[str, str] = field(default_factory=dict)  # ICD-10-PCS code -> date performed (837I HI)
    # Undo history (session/undo.py): the coding before each of the last changes, oldest first.
    undo: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The same as dataclasses.asdict, written out: it runs on every saved change, and asdict's
        generic deep copy was the largest cost of a save."""
        d = dict(self.__dict__)
        d["diagnoses"] = list(self.diagnoses)
        d["procedures"] = list(self.procedures)
        d["lines"] = [dict(l.__dict__, modifiers=list(l.modifiers), pointers=list(l.pointers)) for l in self.lines]
        d["queries"] = [dict(q.__dict__, options=list(q.options)) for q in self.queries]
        d["exports"] = [dict(e) for e in self.exports]
        d["poa"] = dict(self.poa)
        d["stay"] = dict(self.stay.__dict__)
        d["pcs_dates"] = dict(self.pcs_dates)
        d["undo"] = list(self.undo)  # entries are never changed in place (session/undo.py replaces the list)
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "CaseWork":
        data = dict(data)
        data["lines"] = [ServiceLine(**l) for l in data.get("lines", [])]
        data["queries"] = [Query(**q) for q in data.get("queries", [])]
        stay = data.get("stay") or {}
        data["stay"] = FacilityStay(**{k: str(v) for k, v in stay.items() if k in FacilityStay.__dataclass_fields__})
        data["poa"] = {str(k): str(v) for k, v in (data.get("poa") or {}).items()}
        data["pcs_dates"] = {str(k): str(v) for k, v in (data.get("pcs_dates") or {}).items()}
        data["undo"] = [dict(u) for u in data.get("undo") or () if isinstance(u, dict)]
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})

    @property
    def open_queries(self) -> list[Query]:
        return [q for q in self.queries if q.status == "open"]

    def poa_of(self, code: str) -> str:
        """The POA indicator entered for a diagnosis, or "" when none is."""
        return self.poa.get(code, "")

    @property
    def sent_before(self) -> bool:
        """True once a claim or statement for the case went out (its next claim replaces that one)."""
        return bool(self.export_batch or self.exports)

    def sent_before_as(self, facility: bool) -> bool:
        """True once a bill of this kind went out for the case: the hospital's claim (an 837I batch)
        or the professional one (837P, CMS-1500, statement). Only a claim of the same kind is
        replaced by the next one (frequency 7): a stay billed on the 837I has not had its
        physician's 837P sent, so that goes out as an original."""
        batches = [e.get("batch", "") for e in self.exports] or [self.export_batch]
        return any(b and b.startswith(FACILITY_BATCH_PREFIX) == facility for b in batches)
