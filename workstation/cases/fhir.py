"""FHIR R4 bundles (as Synthea and EHR exports write them) -> one case per Encounter.

Read: Patient, Encounter, Condition, Procedure, Coverage, DocumentReference (base64 text/plain
attachments), Claim (for the payer when there is no Coverage, and the accident: Claim.accident
date, type and state), Practitioner, Organization and Location (the service facility's name,
address and NPI), RelatedPerson (a subscriber). Everything else (Observation, Immunization, ExplanationOfBenefit,
...) is counted and reported once per file as ignored.

An encounter's conditions and procedures become *documentation* ("documented problems"), never
assigned codes: choosing the codes is the coder's job. References may be `urn:uuid:...` (the
entry's fullUrl), `Type/id`, an absolute URL ending in `Type/id`, or a conditional reference
(`Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|1234567893`).
"""
from __future__ import annotations

import base64
import binascii
import re
from collections import Counter
from pathlib import Path
from typing import Any

from workstation.cases.report import Messages, source_key
from workstation.cases.model import Address, Case, Coverage, Document, Encounter, Person, Provider

READ_TYPES = {
    "Patient", "Encounter", "Condition", "Procedure", "Coverage", "DocumentReference", "Claim",
    "Practitioner", "Organization", "RelatedPerson", "Location",
}

# Encounter.class code (v3 ActCode) -> (case encounter type, place of service)
CLASS_MAP: dict[str, tuple[str, str]] = {
    "AMB": ("office", "11"),
    "EMER": ("emergency", "23"),
    "IMP": ("inpatient", "21"),
    "ACUTE": ("inpatient", "21"),
    "NONAC": ("inpatient", "21"),
    "OBSENC": ("other", "22"),
    "SS": ("outpatient_surgery", "22"),
    "VR": ("telehealth", "10"),
    "HH": ("other", "12"),
}

NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"

# Claim.accident.type (v3 ActIncidentCode) -> X12 related-causes code (CLM11, CMS-1500 box 10)
ACCIDENT_TYPES = {"MVA": "AA", "WPA": "EM", "SCHOOL": "OA", "SPT": "OA"}

US_STATES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA", "colorado": "CO",
    "connecticut": "CT", "delaware": "DE", "district of columbia": "DC", "florida": "FL", "georgia": "GA",
    "hawaii": "HI", "idaho": "ID", "illinois": "IL", "indiana": "IN", "iowa": "IA", "kansas": "KS",
    "kentucky": "KY", "louisiana": "LA", "maine": "ME", "maryland": "MD", "massachusetts": "MA",
    "michigan": "MI", "minnesota": "MN", "mississippi": "MS", "missouri": "MO", "montana": "MT",
    "nebraska": "NE", "nevada": "NV", "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM",
    "new york": "NY", "north carolina": "NC", "north dakota": "ND", "ohio": "OH", "oklahoma": "OK",
    "oregon": "OR", "pennsylvania": "PA", "rhode island": "RI", "south carolina": "SC", "south dakota": "SD",
    "tennessee": "TN", "texas": "TX", "utah": "UT", "vermont": "VT", "virginia": "VA", "washington": "WA",
    "west virginia": "WV", "wisconsin": "WI", "wyoming": "WY", "puerto rico": "PR",
}

CODE_SYSTEMS = {
    "http://snomed.info/sct": "SNOMED CT",
    "http://hl7.org/fhir/sid/icd-10-cm": "ICD-10-CM",
    "http://hl7.org/fhir/sid/icd-10": "ICD-10",
    "http://www.ama-assn.org/go/cpt": "CPT",
    "http://loinc.org": "LOINC",
    "http://www.nlm.nih.gov/research/umls/rxnorm": "RxNorm",
}

_SYNTHEA_DIGITS = re.compile(r"(?<=[A-Za-z])\d+$")  # Synthea appends digits to names: "Jose871"


# Bundles come from many systems and are sometimes damaged: read every field through these,
# so a field of the wrong JSON type reads as absent instead of crashing the import.
def _d(x: Any) -> dict[str, Any]:
    return x if isinstance(x, dict) else {}


def _l(x: Any) -> list[Any]:
    return x if isinstance(x, list) else []


def _s(x: Any) -> str:
    return x if isinstance(x, str) else ""


def _dicts(x: Any) -> list[dict[str, Any]]:
    return [i for i in _l(x) if isinstance(i, dict)]


class Index:
    """Bundle resources by every name a reference may use."""

    def __init__(self) -> None:
        self.by_ref: dict[str, dict[str, Any]] = {}
        self.by_type: dict[str, list[tuple[str, dict[str, Any]]]] = {}

    def add(self, full_url: str, res: dict[str, Any]) -> str:
        rtype, rid = _s(res.get("resourceType")), _s(res.get("id"))
        key = full_url or (f"{rtype}/{rid}" if rid else "")
        for name in (full_url, f"{rtype}/{rid}" if rid else ""):
            if name:
                self.by_ref[name] = res
        if full_url and "/" in full_url and not full_url.startswith("urn:"):
            tail = "/".join(full_url.rstrip("/").split("/")[-2:])
            self.by_ref.setdefault(tail, res)
        self.by_type.setdefault(rtype, []).append((key, res))
        return key

    def get(self, ref: str | None) -> dict[str, Any] | None:
        if not ref:
            return None
        if ref in self.by_ref:
            return self.by_ref[ref]
        if "/" in ref and not ref.startswith("urn:"):
            return self.by_ref.get("/".join(ref.rstrip("/").split("/")[-2:]))
        return None


def _ref(obj: Any) -> str:
    return _s(_d(obj).get("reference"))


def record_name(key: str, res: dict[str, Any]) -> str:
    """A record id for messages: Type/id, never a patient detail."""
    rid = _s(res.get("id")) or key.rsplit(":", 1)[-1]
    return f"{_s(res.get('resourceType')) or 'resource'}/{rid}"


def clean_name(text: Any) -> str:
    return " ".join(_SYNTHEA_DIGITS.sub("", p) for p in _s(text).split())


def fhir_date(value: Any) -> str:
    """The YYYY-MM-DD part of a FHIR date or dateTime, or ''."""
    if isinstance(value, str) and re.match(r"^\d{4}-\d{2}-\d{2}", value):
        return value[:10]
    return ""


def concept_text(concept: Any) -> str:
    """A CodeableConcept as text: its text, else the first display, with the codes it carries."""
    concept = _d(concept)
    codings = _dicts(concept.get("coding"))
    label = _s(concept.get("text")) or next((_s(c.get("display")) for c in codings if _s(c.get("display"))), "")
    codes = []
    for c in codings:
        code, system = c.get("code"), _s(c.get("system"))
        if isinstance(code, (str, int)) and code != "":
            codes.append(f"{CODE_SYSTEMS.get(system, system or 'code')} {code}")
    if codes:
        return f"{label} [{'; '.join(codes)}]" if label else "; ".join(codes)
    return label


def person_from(res: dict[str, Any]) -> Person | None:
    names = _dicts(res.get("name"))
    name = next((n for n in names if n.get("use") == "official"), names[0] if names else None)
    if not name:
        return None
    given = [g for g in (clean_name(x) for x in _l(name.get("given"))) if g]
    last = clean_name(name.get("family"))
    if not given and not last and _s(name.get("text")):
        parts = clean_name(name["text"]).split()
        given, last = parts[:-1], (parts[-1] if parts else "")
    if not last:
        return None
    sex = {"male": "M", "female": "F"}.get(_s(res.get("gender")), "U")
    phone = next((_s(t.get("value")) for t in _dicts(res.get("telecom")) if t.get("system") == "phone"), "")
    return Person(
        first=given[0] if given else "",
        last=last,
        middle=" ".join(given[1:]),
        dob=fhir_date(res.get("birthDate")),
        sex=sex,
        address=address_from(next(iter(_dicts(res.get("address"))), {})),
        phone=phone,
    )


def state_code(text: Any) -> str:
    state = _s(text).strip()
    return US_STATES.get(state.casefold(), state.upper() if len(state) == 2 else state)


def address_from(addr: Any) -> Address:
    """A FHIR Address as the case's Address (state as a 2-letter code; ZIP digits, 5 or 9)."""
    addr = _d(addr)
    lines = [l for l in (_s(x) for x in _l(addr.get("line"))) if l]
    zip_code = re.sub(r"[^0-9]", "", _s(addr.get("postalCode")))
    return Address(
        line1=lines[0] if lines else "",
        line2=", ".join(lines[1:]),
        city=_s(addr.get("city")),
        state=state_code(addr.get("state")),
        zip=zip_code if len(zip_code) in (5, 9) else "",
    )


def _npi_of(res: dict[str, Any] | None) -> str:
    return next((_s(i.get("value")) for i in _dicts(_d(res).get("identifier")) if i.get("system") == NPI_SYSTEM), "")


def facility_from(enc: dict[str, Any], index: Index) -> tuple[str, Address, str]:
    """(name, address, NPI) of where the encounter happened: its Location, else its serviceProvider."""
    org_obj = _d(enc.get("serviceProvider"))
    org = index.get(_ref(org_obj))
    location = None
    for loc in _dicts(enc.get("location")):
        res = index.get(_ref(loc.get("location")))
        if res is not None and res.get("resourceType") == "Location":
            location = res
            break
    name = _s(_d(org).get("name")) or _s(org_obj.get("display")) or _s(_d(location).get("name"))
    address = address_from(_d(location).get("address")) if location else Address()
    if not address.line1 and org is not None:
        address = address_from(next(iter(_dicts(org.get("address"))), {}))
    managing = index.get(_ref(_d(location).get("managingOrganization"))) if location else None
    npi = _npi_of(location) or _npi_of(org) or _npi_of(managing)
    return name, address, npi


def accident_from(claims: list[dict[str, Any]], index: Index) -> tuple[str, str, str]:
    """(code, date, state) from the first Claim.accident of the encounter's claims, or blanks."""
    for claim in claims:
        acc = _d(claim.get("accident"))
        if not acc:
            continue
        codes = [_s(c.get("code")).upper() for c in _dicts(_d(acc.get("type")).get("coding"))]
        code = next((ACCIDENT_TYPES[c] for c in codes if c in ACCIDENT_TYPES), "OA")
        addr = acc.get("locationAddress")
        if addr is None:
            addr = _d(index.get(_ref(acc.get("locationReference")))).get("address")
        state = state_code(_d(addr).get("state"))
        return code, fhir_date(acc.get("date")), state if re.fullmatch(r"[A-Z]{2}", state) else ""
    return "", "", ""


def provider_from(obj: Any, index: Index) -> Provider:
    """A Practitioner from a reference (resolved, or a conditional NPI reference) and its display."""
    ref, display = _ref(obj), _s(_d(obj).get("display"))
    npi = ""
    if f"{NPI_SYSTEM}|" in ref:
        npi = ref.split("|", 1)[1]
    res = index.get(ref)
    if res:
        npi = npi or next(
            (_s(i.get("value")) for i in _dicts(res.get("identifier")) if i.get("system") == NPI_SYSTEM), ""
        )
        p = person_from(res)
        if p:
            return Provider(name=f"{p.last}, {p.first}".strip(", "), npi=npi)
    name = clean_name(re.sub(r"^(Dr\.?|Mr\.?|Mrs\.?|Ms\.?)\s+", "", display))
    parts = name.split()
    if len(parts) >= 2:
        name = f"{parts[-1]}, {' '.join(parts[:-1])}"
    return Provider(name=name, npi=npi)


def _status(concept: Any) -> str:
    """A status CodeableConcept as one word ("active", "resolved")."""
    for c in _dicts(_d(concept).get("coding")):
        word = _s(c.get("code")) or _s(c.get("display"))
        if word:
            return word
    return _s(_d(concept).get("text"))


def _period(res: dict[str, Any], *keys: str) -> tuple[str, str]:
    for k in keys:
        v = res.get(k)
        if isinstance(v, dict):
            return fhir_date(v.get("start")), fhir_date(v.get("end"))
        if isinstance(v, str):
            return fhir_date(v), ""
    return "", ""


def plan_type(name: str) -> str:
    low = name.casefold()
    if "medicare" in low:
        return "MB"
    if "medicaid" in low:
        return "MC"
    return "CI" if name else ""


def parse_bundle(bundle: dict[str, Any], path: Path, msgs: Messages) -> list[Case]:
    rtype = bundle.get("resourceType")
    if rtype != "Bundle":
        what = rtype if isinstance(rtype, str) else "resource"
        msgs.error("", f"a FHIR {what} resource, not a Bundle: export the patient's bundle and import that")
        return []
    entries = _l(bundle.get("entry"))
    if not entries:
        msgs.error(f"Bundle/{_s(bundle.get('id'))}", "the bundle has no entries")
        return []

    index = Index()
    ignored: Counter[str] = Counter()
    for n, entry in enumerate(entries):
        res = _d(entry).get("resource")
        if not isinstance(res, dict) or not _s(res.get("resourceType")):
            msgs.warning(f"entry[{n}]", "no resource or no resourceType; ignored")
            continue
        if res["resourceType"] not in READ_TYPES:
            ignored[res["resourceType"]] += 1
            continue
        index.add(_s(_d(entry).get("fullUrl")), res)
    if ignored:
        listed = ", ".join(f"{t} ({c})" for t, c in sorted(ignored.items()))
        msgs.info("", f"ignored resources of types not used for coding: {listed}")

    encounters = index.by_type.get("Encounter", [])
    if not encounters:
        msgs.error("", "the bundle has no Encounter: nothing to code")
        return []
    if not index.by_type.get("Patient"):
        msgs.error("", f"missing patient: the bundle has no Patient resource; {len(encounters)} encounter(s) not imported")
        return []

    # Link the clinical resources to their encounters in one pass.
    linked: dict[int, dict[str, list[dict[str, Any]]]] = {}
    for _key, enc in encounters:
        linked[id(enc)] = {"Condition": [], "Procedure": [], "DocumentReference": [], "Claim": []}
    orphans: Counter[str] = Counter()
    for rtype_ in ("Condition", "Procedure", "DocumentReference", "Claim"):
        for _key, res in index.by_type.get(rtype_, []):
            hits = [h for h in (index.get(r) for r in _encounter_refs(res)) if h is not None and id(h) in linked]
            for h in {id(h): h for h in hits}.values():
                linked[id(h)][rtype_].append(res)
            if not hits and rtype_ != "Claim":
                orphans[rtype_] += 1
    if orphans:
        listed = ", ".join(f"{t} ({c})" for t, c in sorted(orphans.items()))
        msgs.info("", f"not linked to an encounter in this bundle, so not shown: {listed}")

    coverages = index.by_type.get("Coverage", [])
    cases: list[Case] = []
    for key, enc in encounters:
        rec = record_name(key, enc)
        patient_res = index.get(_ref(enc.get("subject")) or _ref(enc.get("patient")))
        if patient_res is None or patient_res.get("resourceType") != "Patient":
            msgs.error(rec, "missing patient: the encounter's subject is not a Patient in this bundle; not imported")
            continue
        person = person_from(patient_res)
        if person is None:
            msgs.error(rec, f"{record_name('', patient_res)} has no family name; not imported")
            continue
        case = _case(enc, key, rec, person, patient_res, linked[id(enc)], coverages, index, path, msgs)
        if case is not None:
            cases.append(case)
    return cases


def _encounter_refs(res: dict[str, Any]) -> list[str]:
    rtype = res.get("resourceType")
    if rtype == "DocumentReference":
        enc = _d(res.get("context")).get("encounter")
        return [r for r in (_ref(e) for e in (enc if isinstance(enc, list) else [enc])) if r]
    if rtype == "Claim":
        return [r for item in _dicts(res.get("item")) for r in (_ref(e) for e in _l(item.get("encounter"))) if r]
    ref = _ref(res.get("encounter"))
    return [ref] if ref else []


def _case(
    enc: dict[str, Any],
    key: str,
    rec: str,
    person: Person,
    patient_res: dict[str, Any],
    linked: dict[str, list[dict[str, Any]]],
    coverages: list[tuple[str, dict[str, Any]]],
    index: Index,
    path: Path,
    msgs: Messages,
) -> Case | None:
    start, end = _period(enc, "period")
    if not start:
        msgs.error(rec, "no period.start: the date of service is unknown; not imported")
        return None
    cls = enc.get("class")
    if isinstance(cls, list):  # R5: a list of CodeableConcept
        cls = next(iter(_dicts(next(iter(_dicts(cls)), {}).get("coding"))), {})
    cls_code = _s(_d(cls).get("code")).upper()
    kind, pos = CLASS_MAP.get(cls_code, ("other", "11"))
    if cls_code not in CLASS_MAP:
        msgs.warning(rec, f"encounter class {cls_code or '(none)'} is not AMB, EMER, IMP, VR, SS, OBSENC or HH; taken as other")
    if kind == "inpatient" and end and end < start:
        msgs.warning(rec, "the encounter ends before it starts; the start date was used")
        end = ""
    dos = (end or start) if kind == "inpatient" else start
    rendering = Provider()
    for part in _dicts(enc.get("participant")):
        if "Practitioner" in _ref(part.get("individual")):
            rendering = provider_from(part["individual"], index)
            break
    facility, facility_address, facility_npi = facility_from(enc, index)
    accident, accident_date, accident_state = accident_from(linked["Claim"], index)
    encounter = Encounter(
        type=kind,
        date_of_service=dos,
        place_of_service=pos,
        admit_date=start if kind == "inpatient" else "",
        discharge_date=end if kind == "inpatient" else "",
        rendering_provider=rendering,
        facility=facility,
        facility_address=facility_address,
        facility_npi=facility_npi,
        accident=accident,
        accident_state=accident_state,
        accident_date=accident_date,
    )
    coverage = _coverage(patient_res, dos, linked["Claim"], coverages, index, rec, msgs)
    documents = _documents(enc, rec, encounter, linked, index, msgs)
    skey = source_key("fhir", _ref(enc.get("subject")), key)
    return Case(
        case_id="FHIR-" + skey[:10].upper(),
        patient=person,
        encounter=encounter,
        coverage=coverage,
        documents=documents,
        source=path.name,
        source_key=skey,
    )


SELF_PAY_NAMES = ("NO_INSURANCE", "NO INSURANCE", "SELF-PAY", "SELF PAY")


def _coverage(
    patient_res: dict[str, Any],
    dos: str,
    claims: list[dict[str, Any]],
    coverages: list[tuple[str, dict[str, Any]]],
    index: Index,
    rec: str,
    msgs: Messages,
) -> Coverage:
    # 1. A Coverage the encounter's Claim points at; 2. the patient's Coverage in force on the DOS;
    # 3. the payer named on the Claim (Synthea writes only a display there).
    chosen: dict[str, Any] | None = None
    display = ""
    for claim in claims:
        for ins in _dicts(claim.get("insurance")):
            cov_obj = ins.get("coverage")
            res = index.get(_ref(cov_obj))
            if res and res.get("resourceType") == "Coverage":
                chosen = res
                break
            display = display or _s(_d(cov_obj).get("display"))
        if chosen:
            break
    if chosen is None and coverages:
        aliases = {k for k, r in index.by_ref.items() if r is patient_res}
        for _, res in coverages:
            ref = _ref(res.get("beneficiary"))
            if index.get(ref) is not patient_res and ref not in aliases:
                continue
            s, e = _period(res, "period")
            if (s and dos < s) or (e and dos > e) or res.get("status") in ("cancelled", "entered-in-error"):
                continue
            chosen = res
            break
    if chosen is None:
        if display.strip().upper() in SELF_PAY_NAMES:
            return Coverage(self_pay=True)
        if display:
            return Coverage(payer_name=display, plan_type=plan_type(display))
        msgs.warning(rec, "no Coverage or Claim payer for this encounter; the payer is unknown")
        return Coverage()

    payor = next(iter(_dicts(chosen.get("payor"))), {})
    payor_res = _d(index.get(_ref(payor)))
    name = _s(payor_res.get("name")) or _s(payor.get("display")) or concept_text(chosen.get("type")).split(" [")[0]
    if name.strip().upper() in SELF_PAY_NAMES:
        return Coverage(self_pay=True)
    payer_id = next((_s(i.get("value")) for i in _dicts(payor_res.get("identifier")) if _s(i.get("value"))), "")
    payer_id = payer_id or _s(_d(payor.get("identifier")).get("value"))
    group = ""
    for c in _dicts(chosen.get("class")):
        if "group" in concept_text(c.get("type")).casefold():
            group = _s(c.get("value"))
    rel_code = next((_s(c.get("code")).casefold() for c in _dicts(_d(chosen.get("relationship")).get("coding"))), "")
    relationship = {"self": "self", "spouse": "spouse", "child": "child"}.get(rel_code, "other" if rel_code else "self")
    subscriber: Person | None = None
    sub_res = index.get(_ref(chosen.get("subscriber")))
    if sub_res is not None and sub_res is not patient_res:
        subscriber = person_from(sub_res)
        if relationship == "self":
            relationship = "other"
    elif relationship != "self":
        msgs.warning(rec, "the patient is not the subscriber, but the subscriber is not in the bundle")
    member = _s(chosen.get("subscriberId")) or next(
        (_s(i.get("value")) for i in _dicts(chosen.get("identifier")) if _s(i.get("value"))), ""
    )
    return Coverage(
        payer_name=name,
        payer_id=payer_id,
        member_id=member,
        group_number=group,
        plan_type=plan_type(name),
        relationship=relationship,
        subscriber=subscriber,
    )


def _documents(
    enc: dict[str, Any],
    rec: str,
    encounter: Encounter,
    linked: dict[str, list[dict[str, Any]]],
    index: Index,
    msgs: Messages,
) -> list[Document]:
    types = enc.get("type")
    first_type = next(iter(_l(types)), None) if isinstance(types, list) else types
    lines = [f"Encounter: {concept_text(first_type) or 'not stated'}"]
    if encounter.type == "inpatient":
        lines.append(f"Admitted {encounter.admit_date or '?'}; discharged {encounter.discharge_date or '?'}")
    else:
        lines.append(f"Date of service: {encounter.date_of_service}")
    reasons = [concept_text(r) for r in _l(enc.get("reasonCode"))]
    reasons += [concept_text(_d(index.get(_ref(r))).get("code")) for r in _l(enc.get("reasonReference"))]
    reasons = [r for r in reasons if r]
    if reasons:
        lines.append("Reason for visit: " + "; ".join(reasons))
    if encounter.rendering_provider.name:
        lines.append(f"Provider: {encounter.rendering_provider.name}")
    problems = []
    for cond in linked["Condition"]:
        text = concept_text(cond.get("code")) or "(no description)"
        onset = fhir_date(cond.get("onsetDateTime"))
        extra = ", ".join(x for x in (f"onset {onset}" if onset else "", _status(cond.get("clinicalStatus"))) if x)
        problems.append(f"- {text}" + (f" ({extra})" if extra else ""))
    if problems:
        lines += ["", "Documented problems (as recorded by the source system; not assigned codes):", *problems]
    procs = []
    for proc in linked["Procedure"]:
        text = concept_text(proc.get("code")) or "(no description)"
        when = _period(proc, "performedPeriod", "performedDateTime")[0]
        procs.append(f"- {text}" + (f" ({when})" if when else ""))
    if procs:
        lines += ["", "Documented procedures:", *procs]
    docs = [Document(title="Encounter summary", text="\n".join(lines), author=encounter.rendering_provider.name,
                     date=encounter.date_of_service)]

    for note in linked["DocumentReference"]:
        nrec = record_name("", note)
        ntype = note.get("type")
        title = concept_text(ntype[0] if isinstance(ntype, list) and ntype else ntype).split(" [")[0] or "Clinical note"
        author = next((provider_from(a, index).name for a in _dicts(note.get("author"))), "")
        texts = []
        for content in _dicts(note.get("content")):
            att = _d(content.get("attachment"))
            if not att:
                continue
            ctype = (_s(att.get("contentType")) or "text/plain").casefold()
            if not ctype.startswith("text/plain"):
                msgs.info(nrec, f"attachment of type {ctype.split(';')[0]} is not shown (only text/plain)")
                continue
            if not _s(att.get("data")):
                msgs.info(nrec, "attachment has no inline data (a URL only); not shown")
                continue
            try:
                raw = base64.b64decode(att["data"], validate=True)
            except (binascii.Error, ValueError):
                msgs.warning(nrec, "attachment data is not valid base64; not shown")
                continue
            try:
                texts.append(raw.decode("utf-8-sig"))
            except UnicodeDecodeError:
                msgs.warning(nrec, "attachment text is not UTF-8; not shown")
        if texts:
            docs.append(
                Document(
                    title=title,
                    text="\n\n".join(t.strip("\n") for t in texts),
                    author=author,
                    date=fhir_date(note.get("date")) or encounter.date_of_service,
                )
            )
    return docs
