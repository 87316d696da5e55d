"""Plain-text notes with a small header: one encounter per file.

    Patient: Last, First [Middle]
    DOB: 1957-03-14
    Sex: F
    Date of service: 2026-02-03
    Encounter: office
    Payer: Medicare Part B
    Member ID: 1EG4TE5MK72
    ---
    <the note, as written>

Header keys are case-insensitive; only Patient and Date of service are required. Optional:
Title, Provider, NPI, Place of service, Payer ID, Group, Plan type, Relationship, Self-pay,
Admit date, Discharge date, Facility, Facility address ("street, city, ST 12345-6789"),
Facility NPI, Accident (auto, employment or other; or AA, EM, OA), Accident date, Accident state.
Dates may be YYYY-MM-DD or MM/DD/YYYY.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from workstation.cases.report import Messages, source_key
from workstation.cases.model import ENCOUNTER_TYPES, Address, Case, Coverage, Document, Encounter, Person, Provider

SEPARATOR = re.compile(r"^-{3,}\s*$")

# Words a clinic writes for an encounter type -> (type, default place of service)
ENCOUNTER_WORDS: dict[str, tuple[str, str]] = {
    "office": ("office", "11"),
    "office visit": ("office", "11"),
    "clinic": ("office", "11"),
    "emergency": ("emergency", "23"),
    "emergency department": ("emergency", "23"),
    "ed": ("emergency", "23"),
    "er": ("emergency", "23"),
    "outpatient surgery": ("outpatient_surgery", "22"),
    "outpatient_surgery": ("outpatient_surgery", "22"),
    "ambulatory surgery": ("outpatient_surgery", "24"),
    "inpatient": ("inpatient", "21"),
    "telehealth": ("telehealth", "10"),
    "other": ("other", "11"),
}

KEYS = {
    "patient", "dob", "date of birth", "sex", "date of service", "dos", "encounter", "payer", "payer id",
    "member id", "group", "group number", "plan type", "relationship", "self-pay", "self pay", "title",
    "provider", "npi", "place of service", "pos", "admit date", "discharge date", "facility",
    "facility address", "facility npi", "accident", "accident date", "accident state",
}

# Words for the accident indicator (CMS-1500 box 10, 837P CLM11) -> the X12 related-causes code
ACCIDENT_WORDS = {
    "aa": "AA", "auto": "AA", "auto accident": "AA", "motor vehicle": "AA", "mva": "AA", "mvc": "AA",
    "em": "EM", "employment": "EM", "work": "EM", "work injury": "EM", "workers comp": "EM",
    "workers' compensation": "EM", "oa": "OA", "other": "OA", "other accident": "OA",
    "no": "", "none": "", "": "",
}
_STATE_ZIP = re.compile(r"^([A-Za-z]{2})\s+(\d{5})(?:-?(\d{4}))?$")


def parse_date(text: str) -> str | None:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def parse_address(text: str) -> Address | None:
    """'street[, line 2], city, ST 12345[-6789]' -> Address, or None when it does not have that form."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) < 3:
        return None
    m = _STATE_ZIP.match(parts[-1])
    if m is None:
        return None
    return Address(
        line1=parts[0], line2=", ".join(parts[1:-2]), city=parts[-2],
        state=m.group(1).upper(), zip=m.group(2) + (m.group(3) or ""),
    )


def split_header(text: str) -> tuple[dict[str, str], str, list[str]] | None:
    """(header fields, body, unknown header lines), or None when there is no `---` line."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if SEPARATOR.match(line):
            break
    else:
        return None
    header: dict[str, str] = {}
    unknown: list[str] = []
    for n, line in enumerate(lines[:i], start=1):
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        key = " ".join(key.split()).casefold()
        if not sep or key not in KEYS:
            unknown.append(f"line {n}")
            continue
        header[key] = value.strip()
    return header, "\n".join(lines[i + 1 :]).strip("\n"), unknown


def parse_name(text: str) -> Person | None:
    """'Last, First Middle' (or 'First Last')."""
    if "," in text:
        last, _, rest = text.partition(",")
        parts = rest.split()
        first, middle = (parts[0], " ".join(parts[1:])) if parts else ("", "")
    else:
        parts = text.split()
        if len(parts) < 2:
            return None
        first, middle, last = parts[0], " ".join(parts[1:-1]), parts[-1]
    last = last.strip()
    if not first or not last:
        return None
    return Person(first=first, last=last, middle=middle)


def _facility_and_accident(h: dict[str, str], enc: Encounter, msgs: Messages) -> None:
    """The optional Facility address / NPI and Accident / date / state header lines."""
    if h.get("facility address"):
        addr = parse_address(h["facility address"])
        if addr is None:
            msgs.warning("header", "facility address must read 'street, city, ST 12345-6789'; left empty")
        else:
            enc.facility_address = addr
    npi = re.sub(r"[^0-9]", "", h.get("facility npi", ""))
    if h.get("facility npi"):
        if len(npi) != 10:
            msgs.warning("header", "facility NPI must be 10 digits; left empty")
        else:
            enc.facility_npi = npi
    word = " ".join(h.get("accident", "").split()).casefold()
    if word not in ACCIDENT_WORDS:
        msgs.warning("header", "accident must be auto, employment or other (AA, EM, OA); ignored")
        word = ""
    enc.accident = ACCIDENT_WORDS[word]
    if h.get("accident date"):
        when = parse_date(h["accident date"])
        if when is None:
            msgs.warning("header", "unreadable accident date; left empty")
        enc.accident_date = when or ""
    state = h.get("accident state", "").strip().upper()
    if state:
        if re.fullmatch(r"[A-Z]{2}", state):
            enc.accident_state = state
        else:
            msgs.warning("header", "accident state must be a 2-letter code; left empty")
    if enc.accident_date and not enc.accident:
        msgs.warning("header", "accident date given without 'Accident: auto, employment or other'")
    elif enc.accident and not enc.accident_date:
        msgs.warning("header", "an accident is indicated without the accident date (a claim needs it)")


def parse_note(text: str, path: Path, msgs: Messages) -> list[Case]:
    split = split_header(text)
    if split is None:
        msgs.error("", "not a note: no header ending in a '---' line (see the README for the format)")
        return []
    h, body, unknown = split
    if unknown:
        msgs.warning("header", f"ignored header {', '.join(unknown)} (unknown key or no ':')")
    ok = True
    person = parse_name(h.get("patient", ""))
    if person is None:
        msgs.error("header", "missing patient: a 'Patient: Last, First' line is required")
        ok = False
    dos_raw = h.get("date of service") or h.get("dos") or ""
    dos = parse_date(dos_raw) if dos_raw else None
    if dos is None:
        msgs.error("header", "missing or unreadable 'Date of service' (YYYY-MM-DD or MM/DD/YYYY)")
        ok = False
    if not body.strip():
        msgs.error("", "the note is empty")
        ok = False
    if not ok or person is None or dos is None:
        return []

    dob_raw = h.get("dob") or h.get("date of birth") or ""
    if dob_raw:
        dob = parse_date(dob_raw)
        if dob is None:
            msgs.warning("header", "unreadable DOB (YYYY-MM-DD or MM/DD/YYYY); left empty")
        person.dob = dob or ""
    sex = h.get("sex", "").strip().upper()[:1]
    person.sex = sex if sex in ("F", "M") else "U"

    kind_raw = " ".join(h.get("encounter", "office").split()).casefold()
    kind, pos = ENCOUNTER_WORDS.get(kind_raw, (kind_raw, "11"))
    if kind not in ENCOUNTER_TYPES:
        msgs.warning("header", f"unknown encounter type; use one of {', '.join(ENCOUNTER_TYPES)}; taken as office")
        kind, pos = "office", "11"
    pos_raw = h.get("place of service") or h.get("pos") or ""
    if pos_raw:
        if re.fullmatch(r"\d{2}", pos_raw):
            pos = pos_raw
        else:
            msgs.warning("header", "place of service must be two digits; the default was used")
    enc = Encounter(type=kind, date_of_service=dos, place_of_service=pos, facility=h.get("facility", ""))
    for key, attr in (("admit date", "admit_date"), ("discharge date", "discharge_date")):
        if h.get(key):
            value = parse_date(h[key])
            if value is None:
                msgs.warning("header", f"unreadable {key}; left empty")
            setattr(enc, attr, value or "")
    enc.rendering_provider = Provider(name=h.get("provider", ""), npi=h.get("npi", ""))
    _facility_and_accident(h, enc, msgs)

    self_pay = h.get("self-pay", h.get("self pay", "")).strip().casefold() in ("yes", "y", "true", "1")
    payer = h.get("payer", "")
    if payer.casefold() in ("self-pay", "self pay", "none", "uninsured"):
        self_pay, payer = True, ""
    relationship = h.get("relationship", "self").strip().casefold() or "self"
    if relationship not in ("self", "spouse", "child", "other"):
        msgs.warning("header", "relationship must be self, spouse, child or other; taken as other")
        relationship = "other"
    cov = Coverage(
        payer_name=payer,
        payer_id=h.get("payer id", ""),
        member_id=h.get("member id", ""),
        group_number=h.get("group", h.get("group number", "")),
        plan_type=h.get("plan type", ""),
        relationship=relationship,
        self_pay=self_pay,
    )
    if not payer and not self_pay:
        msgs.warning("header", "no payer and not marked self-pay")

    key = source_key("text", person.last, person.first, person.dob, kind, dos, " ".join(body.split()))
    title = h.get("title") or "Clinical note"
    doc = Document(title=title, text=body, author=enc.rendering_provider.name, date=dos)
    return [
        Case(
            case_id="NOTE-" + key[:10].upper(),
            patient=person,
            encounter=enc,
            coverage=cov,
            documents=[doc],
            source=path.name,
            source_key=key,
        )
    ]
