"""The NAACCR XML v26 file of the reportable cases: what a coding workstation can fill, checked first.

Only on request (`workstation report registry --format naaccr-xml --out FILE`): the file holds
patient identity by nature (names, birth date), so it is written 0600, atomically, and never
logged. Every item is checked against the v26 dictionary compiled into codebooks/registry.json.gz
before anything is written: the id exists, the item sits under its dictionary parent (NaaccrData,
Patient or Tumor), belongs to the record type, fits the length, and matches the data type
(digits, alpha, date). One failing item stops the whole file (NaaccrError names the item).

A tumour is one patient and one ICD-O-3 site and histology from the ICD-10-CM -> ICD-O-3 table;
its date of diagnosis is the patient's first encounter with that code. Items written:
- Patient: patientIdNumber (a sequence number in this file), nameLast, nameFirst, nameMiddle,
  dateOfBirth, sexAssignedAtBirth (1 male, 2 female, 9 not stated/unknown);
- Tumor: tumorRecordNumber, primarySite, histologicTypeIcdO3, behaviorCodeIcdO3, laterality (as
  the table gives it for the code), dateOfDiagnosis, casefindingSource, primaryPayerAtDx,
  secondaryDiagnosis1-10 (the other ICD-10-CM codes of that first encounter, without the dot).
Class of case is not written: nothing a coding workstation holds says where the patient was
diagnosed and treated.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date as Date, datetime, timezone
from pathlib import Path
from typing import Iterable
from xml.sax.saxutils import escape, quoteattr

from workstation.analytics.extract import patient_key, salt, store_paths
from workstation.analytics.registry import REPORTABLE, Registry, registry
from workstation.cases.model import Case
from workstation.fileio import atomic_write_bytes
from workstation.session.storage import StoreError
from workstation.session.store import SessionStore

RECORD_TYPE = "A"  # a full case abstract, as a reporting facility sends it
NAMESPACE = "http://naaccr.org/naaccrxml"
# NAACCR item 501 Casefinding Source, code 22 "Disease Index Review (review of disease index in the
# medical records department)" (NAACCR Volume II code list; checked against the code labels of the
# WerthPADOH/naaccr package): finding cases in coded encounters is a review of the disease index.
CASEFINDING_DISEASE_INDEX = "22"
# NAACCR item 630 Primary Payer at DX (codes as in NAACCR Volume II), from the claim filing
# indicator (X12 SBR09) of the case; a plan type with no clear match is 99, insurance status unknown.
PAYER_AT_DX = {
    "MA": "60", "MB": "60",  # Medicare
    "16": "62",  # Medicare administered through a managed care plan (HMO Medicare risk)
    "MC": "31",  # Medicaid
    "CH": "65",  # TRICARE
    "VA": "67",  # Veterans Affairs
    "HM": "20", "12": "20", "13": "20", "14": "20",  # private: managed care, HMO, PPO
    "15": "21",  # private: fee-for-service (indemnity)
    "CI": "10", "BL": "10",  # insurance, NOS
}
PAYER_UNKNOWN = "99"
PAYER_SELF = "02"  # not insured, self-pay
SEX = {"M": "1", "F": "2"}
SEX_UNKNOWN = "9"
MAX_SECONDARY = 10


class NaaccrError(Exception):
    """An item would not be valid NAACCR v26: nothing was written."""


@dataclass
class Tumor:
    code: str
    site: str
    histology: str
    behavior: str
    laterality: str
    diagnosed: str  # YYYY-MM-DD: the first encounter with the code
    case_id: str
    secondary: list[str] = field(default_factory=list)
    payer: str = PAYER_UNKNOWN


@dataclass
class Patient:
    last: str
    first: str
    middle: str
    dob: str
    sex: str
    tumors: dict[tuple[str, str], Tumor] = field(default_factory=dict)


@dataclass
class RegistryExport:
    path: str
    patients: int
    tumors: int
    stores: list[str]
    skipped: list[tuple[str, str]]


def payer_at_dx(case: Case) -> str:
    cov = case.coverage
    if cov.self_pay:
        return PAYER_SELF
    return PAYER_AT_DX.get((cov.plan_type or "").strip().upper(), PAYER_UNKNOWN)


def find_patients(paths: Iterable[Path] = (), include_default: bool = True, reg: Registry | None = None,
                  date_from: str | None = None, date_to: str | None = None
                  ) -> tuple[dict[str, Patient], list[str], list[tuple[str, str]]]:
    reg = reg or registry()
    key = salt()
    patients: dict[str, Patient] = {}
    read: list[str] = []
    skipped: list[tuple[str, str]] = []
    for p in store_paths(paths, include_default):
        try:
            store = SessionStore.open(p, create=False, readonly=True)
        except (StoreError, OSError) as exc:
            skipped.append((str(p), str(exc)))
            continue
        try:
            for cid in store.case_ids():
                work = store.work(cid)
                if not work.diagnoses:
                    continue
                case = store.case(cid)
                when = case.coding_date
                year = int(when[:4]) if when[:4].isdigit() else None
                for code in work.diagnoses:
                    f = reg.find(code, year)
                    if f is None or f.status != REPORTABLE:
                        continue
                    pk = patient_key(case, key)
                    pt = patients.get(pk)
                    if pt is None:
                        pp = case.patient
                        pt = patients[pk] = Patient(pp.last, pp.first, pp.middle, pp.dob, pp.sex)
                    tkey = (f.site, f.histology)
                    t = pt.tumors.get(tkey)
                    if t is None or when < t.diagnosed:
                        pt.tumors[tkey] = Tumor(
                            f.code, f.site, f.histology, f.behavior, f.laterality, when, cid,
                            [c.replace(".", "") for c in work.diagnoses if c != code][:MAX_SECONDARY],
                            payer_at_dx(case))
        finally:
            store.close()
        read.append(str(p))
    if date_from or date_to:
        # The period selects tumours by their date of diagnosis (the first encounter in all stores).
        for pk in list(patients):
            pt = patients[pk]
            pt.tumors = {k: t for k, t in pt.tumors.items()
                         if not ((date_from and t.diagnosed < date_from) or (date_to and t.diagnosed > date_to))}
            if not pt.tumors:
                del patients[pk]
    return patients, read, skipped


def _date(iso: str) -> str:
    return iso.replace("-", "") if iso else ""


class Dictionary:
    def __init__(self, naaccr: dict) -> None:
        self.version: str = naaccr["version"]
        self.specification: str = naaccr["specification"]
        self.uri: str = naaccr["uri"]
        self.items: dict[str, dict] = naaccr["items"]

    def check(self, item_id: str, value: str, parent: str) -> str:
        """The value as it goes in the file (left-zero padded where the dictionary says), or NaaccrError."""
        d = self.items.get(item_id)
        if d is None:
            raise NaaccrError(f"item {item_id!r} is not in the NAACCR v{self.version} dictionary")
        if d["parent"] != parent:
            raise NaaccrError(f"item {item_id} belongs under {d['parent']}, not {parent}")
        if d["padding"] == "leftZero" and value.isdigit():
            value = value.zfill(d["length"])
        if len(value) > d["length"]:
            raise NaaccrError(f"item {item_id}: {len(value)} characters, the dictionary allows {d['length']}")
        kind = d["type"]
        if kind == "digits" and not value.isdigit():
            raise NaaccrError(f"item {item_id}: digits expected")
        if kind == "alpha" and not value.isalpha():
            raise NaaccrError(f"item {item_id}: letters expected")
        if kind == "date":
            ok = len(value) in (4, 6, 8) and value.isdigit()
            if ok and len(value) == 8:
                try:
                    Date(int(value[:4]), int(value[4:6]), int(value[6:]))
                except ValueError:
                    ok = False
            if not ok:
                raise NaaccrError(f"item {item_id}: a date (YYYYMMDD) expected")
        return value


def build_xml(patients: dict[str, Patient], dictionary: Dictionary, generated: str | None = None) -> str:
    """The whole document, every item checked first (NaaccrError before anything is returned)."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<NaaccrData baseDictionaryUri={quoteattr(dictionary.uri)} recordType="{RECORD_TYPE}" '
           f'timeGenerated={quoteattr(generated or datetime.now(timezone.utc).isoformat(timespec="seconds"))} '
           f'specificationVersion={quoteattr(dictionary.specification)} xmlns="{NAMESPACE}">']

    def item(indent: str, item_id: str, value: str, parent: str) -> None:
        if value == "":
            return  # not known: left out rather than sent blank
        v = dictionary.check(item_id, value, parent)
        out.append(f'{indent}<Item naaccrId="{item_id}">{escape(v)}</Item>')

    ordered = sorted(patients.values(), key=lambda p: min(t.diagnosed for t in p.tumors.values()))
    for n, pt in enumerate(ordered, 1):
        out.append("  <Patient>")
        item("    ", "patientIdNumber", str(n), "Patient")
        item("    ", "nameLast", pt.last.strip(), "Patient")
        item("    ", "nameFirst", pt.first.strip(), "Patient")
        item("    ", "nameMiddle", pt.middle.strip(), "Patient")
        item("    ", "dateOfBirth", _date(pt.dob), "Patient")
        item("    ", "sexAssignedAtBirth", SEX.get((pt.sex or "").strip().upper()[:1], SEX_UNKNOWN), "Patient")
        for k, t in enumerate(sorted(pt.tumors.values(), key=lambda t: (t.diagnosed, t.site, t.histology)), 1):
            out.append("    <Tumor>")
            item("      ", "tumorRecordNumber", str(k), "Tumor")
            item("      ", "primarySite", t.site, "Tumor")
            item("      ", "histologicTypeIcdO3", t.histology, "Tumor")
            item("      ", "behaviorCodeIcdO3", t.behavior, "Tumor")
            item("      ", "laterality", t.laterality, "Tumor")
            item("      ", "dateOfDiagnosis", _date(t.diagnosed), "Tumor")
            item("      ", "casefindingSource", CASEFINDING_DISEASE_INDEX, "Tumor")
            item("      ", "primaryPayerAtDx", t.payer, "Tumor")
            for i, code in enumerate(t.secondary, 1):
                item("      ", f"secondaryDiagnosis{i}", code, "Tumor")
            out.append("    </Tumor>")
        out.append("  </Patient>")
    out.append("</NaaccrData>")
    return "\n".join(out) + "\n"


def write_registry_xml(out: Path, paths: Iterable[Path] = (), include_default: bool = True,
                       date_from: str | None = None, date_to: str | None = None) -> RegistryExport:
    reg = registry()
    dictionary = Dictionary(reg.naaccr)
    patients, read, skipped = find_patients(paths, include_default, reg, date_from, date_to)
    xml = build_xml(patients, dictionary)
    out = Path(out).expanduser()
    atomic_write_bytes(out, xml.encode("utf-8"), mode=0o600)
    return RegistryExport(str(out), len(patients), sum(len(p.tumors) for p in patients.values()), read, skipped)


