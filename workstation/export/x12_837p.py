"""The ANSI X12 837P 005010X222A1 writer: claims in, one interchange of text out.

One interchange, one functional group and one transaction set (ST) per export. The receiver
(loop 1000B) is the clearinghouse, which routes each claim by its payer (loop 2010BB), so claims
for several payers travel in one ST; one ST keeps one control number pair per file and makes a
rejected file easy to match to its batch.

Loop 2300 carries the accident date (DTP*439) with CLM11, and loop 2310C the service facility
when the care was given away from the billing provider's office (hospital, ER, surgery center).

Hierarchy: one 2000A billing provider (the practice), then per claim one 2000B subscriber HL,
with a 2000C patient HL below it when the patient is not the subscriber.

X12 has no escape character: every value goes through `clean` (upper-case, ASCII, no
delimiters), so no patient's name can split an element or end a segment.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Iterable

from workstation.billing.ndc import ndc_entry
from workstation.billing.claim import billing_provider_from_settings
from workstation.billing.money import format_money
from workstation.billing.x12_text import alnum, clean, digits, ident  # the rules live there; ident is used here too
from workstation.cases.npi import npi_is_valid

VERSION = "005010X222A1"
ELEMENT, COMPONENT, REPETITION, SEGMENT = "*", ":", "^", "~"
DELIMITERS = ELEMENT + COMPONENT + REPETITION + SEGMENT
MAX_DIAGNOSES = 12  # HI01-HI12
MAX_LINES = 50  # loop 2400 repeats at most 50 times per claim

# Patient's relationship to the subscriber (PAT01 / SBR02).
RELATIONSHIP_CODES = {"self": "18", "spouse": "01", "child": "19", "other": "G8"}
# SBR09 claim filing indicator codes allowed by the TR3.
FILING_INDICATORS = {
    "11", "12", "13", "14", "15", "16", "17", "AM", "BL", "CH", "CI", "DS", "FI", "HM", "LM",
    "MA", "MB", "MC", "OF", "TV", "VA", "WC", "ZZ",
}
ACCIDENT_CODES = {"AA", "EM", "OA"}
# TR3 2300 DTP*439: required when CLM11-1 or CLM11-2 is AA or OA; sent for EM too when known.
ACCIDENT_DATE_REQUIRED = {"AA", "OA"}
# CLM05-3 claim frequency codes that refer to a claim the payer already has (REF*F8 required).
REPLACEMENT_FREQUENCIES = {"7", "8"}
INPATIENT_POS = {"21", "51", "61"}  # inpatient hospital, inpatient psychiatric, comprehensive inpatient rehab


class X12DataError(ValueError):
    """A claim cannot be written: a required value is missing or empty after cleaning.

    The message names the claim and the field, never the patient's data.
    """


# --------------------------------------------------------------------------- text cleaning

def amount(value: Decimal) -> str:
    """An X12 R amount with two places: '125.00'."""
    return format_money(value, grouping=False)


def quantity(value: Any) -> str:
    """Units: whole numbers without a decimal point, otherwise up to three places."""
    d = Decimal(str(value))
    if d == d.to_integral_value():
        return str(int(d))
    return f"{d.quantize(Decimal('0.001')).normalize():f}"


def ccyymmdd(iso_date: str) -> str:
    s = digits(iso_date)
    if len(s) != 8:
        raise ValueError("a date must be YYYY-MM-DD")
    return s


# --------------------------------------------------------------------------- envelope


@dataclass
class Envelope:
    """Who sends to whom, and the control numbers (from the session store, never repeated)."""

    sender_id: str  # ISA06 / GS02: the submitter id
    receiver_id: str  # ISA08 / GS03
    interchange_control: int  # ISA13 / IEA02, 1..999999999
    group_control: int  # GS06 / GE02
    created: datetime = field(default_factory=datetime.now)
    usage: str = "P"  # ISA15: P production, T test
    reference: str = ""  # BHT03: the batch id
    st_control: str = "0001"


@dataclass
class Submitter:
    name: str
    id: str
    contact: str
    phone: str
    receiver_name: str
    receiver_id: str


def submitter_from_settings(settings: Any) -> Submitter:
    return Submitter(
        name=settings.submitter_name or settings.billing_name,
        id=settings.submitter_id,
        contact=settings.submitter_contact,
        phone=settings.submitter_phone or settings.phone,
        receiver_name=settings.receiver_name,
        receiver_id=settings.receiver_id,
    )


# --------------------------------------------------------------------------- writer


class _Segments:
    """Collects segments; empty trailing elements are dropped as X12 requires."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, *elements: str) -> None:
        els = list(elements)
        while els and els[-1] == "":
            els.pop()
        self.items.append(ELEMENT.join(els))


def _need(value: str, claim_id: str, what: str) -> str:
    if not value:
        raise X12DataError(f"claim {claim_id}: {what} is missing (or has no letters or digits)")
    return value


def _get(obj: Any, *names: str, default: Any = "") -> Any:
    """First present, non-None attribute of obj (or key of a dict) among names."""
    for n in names:
        v = obj.get(n) if isinstance(obj, dict) else getattr(obj, n, None)
        if v is not None:
            return v
    return default


def _isa_field(value: str, width: int) -> str:
    return clean(value, width).ljust(width)


def _split_provider_name(name: str) -> tuple[str, str]:
    """'Last, First' (the case format for a person) -> (last, first)."""
    last, _, first = name.partition(",")
    return last.strip(), first.strip()


def _person_name(seg: _Segments, qualifier: str, person: Any, claim_id: str, who: str,
                 id_qual: str = "", ident: str = "") -> None:
    last = _need(clean(_get(person, "last"), 60), claim_id, f"{who} last name")
    first = clean(_get(person, "first"), 35)
    middle = clean(_get(person, "middle"), 25)
    seg.add("NM1", qualifier, "1", last, first, middle, "", "", id_qual, ident)


def _address(seg: _Segments, addr: Any, claim_id: str, who: str, zip9: bool = False) -> None:
    line1 = _need(clean(_get(addr, "line1"), 55), claim_id, f"{who} address")
    seg.add("N3", line1, clean(_get(addr, "line2"), 55))
    city = _need(clean(_get(addr, "city"), 30), claim_id, f"{who} city")
    if len(city) < 2:
        raise X12DataError(f"claim {claim_id}: {who} city must have at least 2 characters")
    state = alnum(_get(addr, "state"))
    if len(state) != 2:
        raise X12DataError(f"claim {claim_id}: {who} state must be a 2-letter code")
    z = digits(_get(addr, "zip"))
    if len(z) not in ((9,) if zip9 else (5, 9)):
        raise X12DataError(f"claim {claim_id}: {who} ZIP must be {'9' if zip9 else '5 or 9'} digits")
    seg.add("N4", city, state, z)


def _demographics(seg: _Segments, person: Any, claim_id: str, who: str) -> None:
    dob = _get(person, "dob")
    if not dob:
        raise X12DataError(f"claim {claim_id}: {who} date of birth is missing")
    sex = str(_get(person, "sex") or "U").upper()[:1]
    seg.add("DMG", "D8", ccyymmdd(dob), sex if sex in ("F", "M") else "U")


def _claim_segments(seg: _Segments, claim: Any, hl: int) -> int:
    """Loops 2000B-2400 for one claim; returns the next free HL number."""
    cid = clean(_get(claim, "claim_id"), 38).replace(" ", "")
    cid = _need(cid, "(no id)", "claim id")
    patient = claim.patient
    rel = str(_get(claim, "relationship", default="18") or "18").lower()
    rel_code = RELATIONSHIP_CODES.get(rel, rel.upper())  # the claim holds the X12 code; a word is accepted
    if rel_code not in RELATIONSHIP_CODES.values():
        rel_code = "G8"
    subscriber = _get(claim, "subscriber", default=None) or patient
    is_self = rel_code == "18"
    payer = claim.payer
    if payer is None:
        raise X12DataError(f"claim {cid}: self-pay, no payer (send a patient statement instead)")

    subscriber_hl = hl
    seg.add("HL", str(subscriber_hl), "1", "22", "0" if is_self else "1")
    filing = alnum(_get(claim, "filing_indicator", "plan_type", default="ZZ")) or "ZZ"
    if filing not in FILING_INDICATORS:
        filing = "ZZ"  # mutually defined: the TR3's code when the plan type is not one of its own
    seg.add("SBR", "P", "18" if is_self else "", ident(_get(claim, "group_number"), 50),
            "", "", "", "", "", filing)
    # 2010BA subscriber
    member_id = ident(_get(claim, "member_id"), 80)
    if len(member_id) < 2:
        raise X12DataError(f"claim {cid}: member id is missing or shorter than 2 characters")
    _person_name(seg, "IL", subscriber, cid, "subscriber", "MI", member_id)
    if is_self:
        _address(seg, _get(subscriber, "address"), cid, "patient")
        _demographics(seg, subscriber, cid, "patient")
    # 2010BB payer
    payer_name = _need(clean(_get(payer, "name", "payer_name"), 60), cid, "payer name")
    payer_id = _need(ident(_get(payer, "payer_id", "id"), 80), cid, "payer id")
    seg.add("NM1", "PR", "2", payer_name, "", "", "", "", "PI", payer_id)
    hl += 1
    if not is_self:
        # 2000C / 2010CA patient
        seg.add("HL", str(hl), str(subscriber_hl), "23", "0")
        seg.add("PAT", rel_code)
        _person_name(seg, "QC", patient, cid, "patient")
        _address(seg, _get(patient, "address"), cid, "patient")
        _demographics(seg, patient, cid, "patient")
        hl += 1

    # 2300 claim
    lines = list(claim.lines)
    if not lines:
        raise X12DataError(f"claim {cid}: no service lines")
    if len(lines) > MAX_LINES:
        raise X12DataError(f"claim {cid}: {len(lines)} service lines; an 837P claim holds at most {MAX_LINES}")
    for n, line in enumerate(lines, 1):
        if line.charge is None:
            raise X12DataError(f"claim {cid}: line {n} has no charge (no fee schedule entry)")
    total = sum((Decimal(str(l.charge)) for l in lines), Decimal("0"))
    pos = digits(_get(claim, "place_of_service", default="11")).zfill(2)[:2]
    freq = digits(_get(claim, "frequency", default="1")) or "1"
    accident = _get(claim, "accident", default=None)
    acc_code, acc_state, acc_date = "", "", ""
    if accident:
        as_seq = isinstance(accident, (tuple, list))
        acc_code = alnum(_get(accident, "code") if not as_seq else accident[0])
        acc_state = alnum(_get(accident, "state") if not as_seq else accident[1])
        acc_date = str((_get(accident, "date") if not as_seq else (accident[2] if len(accident) > 2 else "")) or "")
    clm11 = ""
    if acc_code in ACCIDENT_CODES:
        # CLM11-4 (state) is required for an auto accident.
        clm11 = COMPONENT.join([acc_code, "", "", acc_state]) if acc_code == "AA" and acc_state else acc_code
    seg.add("CLM", cid, amount(total), "", "", COMPONENT.join([pos, "B", freq]), "Y", "A", "Y", "Y", "", clm11)
    if acc_code in ACCIDENT_CODES:
        # 2300 DTP*439 accident date (the TR3 lists it before DTP*435 admission).
        if acc_date:
            seg.add("DTP", "439", "D8", ccyymmdd(acc_date))
        elif acc_code in ACCIDENT_DATE_REQUIRED:
            raise X12DataError(f"claim {cid}: an accident ({acc_code}) needs the accident date")
    if pos in INPATIENT_POS:
        # 2300 DTP*435: required on claims for inpatient medical visits.
        admit = _get(claim, "admit_date")
        if not admit:
            raise X12DataError(f"claim {cid}: place of service {pos} (inpatient) needs the admission date")
        seg.add("DTP", "435", "D8", ccyymmdd(admit))
    prior = ident(_get(claim, "prior_authorization"), 50)
    if prior:
        seg.add("REF", "G1", prior)
    if freq in REPLACEMENT_FREQUENCIES:
        # 2300 REF*F8 payer claim control number: required when CLM05-3 is 7 (replacement) or
        # 8 (void); the TR3 places it right after the prior authorization REF*G1.
        original = _need(ident(_get(claim, "payer_claim_number"), 50), cid,
                         f"payer claim number of the claim it replaces (frequency {freq})")
        seg.add("REF", "F8", original)
    diagnoses = list(claim.diagnoses)
    if not diagnoses:
        raise X12DataError(f"claim {cid}: no diagnoses")
    if len(diagnoses) > MAX_DIAGNOSES:
        raise X12DataError(f"claim {cid}: {len(diagnoses)} diagnoses; an 837P claim holds at most {MAX_DIAGNOSES}")
    hi = []
    for i, d in enumerate(diagnoses):
        code = alnum(_get(d, "code") if not isinstance(d, str) else d)
        hi.append(COMPONENT.join(["ABK" if i == 0 else "ABF", code]))
    seg.add("HI", *hi)
    letters = [str(_get(d, "letter") if not isinstance(d, str) else "ABCDEFGHIJKL"[i]).upper()
               for i, d in enumerate(diagnoses)]

    # 2310B rendering provider, when a person other than the billing provider rendered the care
    rendering = _get(claim, "rendering_provider", default=None)
    billing_npi = digits(_get(_get(claim, "billing_provider", default={}), "npi"))
    r_npi = digits(_get(rendering, "npi")) if rendering else ""
    if rendering and r_npi and r_npi != billing_npi:
        last, first = _split_provider_name(str(_get(rendering, "name")))
        last = _need(clean(last, 60), cid, "rendering provider name")
        seg.add("NM1", "82", "1", last, clean(first, 35), "", "", "", "XX", r_npi)
        taxonomy = alnum(_get(rendering, "taxonomy"))
        if taxonomy:
            seg.add("PRV", "PE", "PXC", taxonomy)

    # 2310C service facility, when the care was given away from the billing provider's office
    facility = _get(claim, "facility", default=None)
    if facility is not None and not isinstance(facility, str):
        name = _need(clean(_get(facility, "name"), 60), cid, "service facility name")
        f_npi = digits(_get(facility, "npi"))
        # NM108/NM109 only for a real NPI: a bad check digit would reject the whole claim.
        if f_npi and npi_is_valid(f_npi) and f_npi != billing_npi:
            seg.add("NM1", "77", "2", name, "", "", "", "", "XX", f_npi)
        else:
            seg.add("NM1", "77", "2", name)
        # TR3 2310C N403: the full nine-digit ZIP code for a US address.
        _address(seg, _get(facility, "address"), cid, "service facility", zip9=True)

    # 2400 service lines
    dos = _get(claim, "date_of_service")
    for n, line in enumerate(lines, 1):
        code = _need(alnum(line.code, 48), cid, f"line {n} procedure code")
        mods = [alnum(m, 2) for m in (line.modifiers or [])][:4]
        pointers = []
        for letter in line.pointers or []:
            letter = str(letter).upper()
            if letter not in letters:
                raise X12DataError(f"claim {cid}: line {n} points to diagnosis {letter}, which the claim does not have")
            pointers.append(str(letters.index(letter) + 1))
        if not pointers:
            raise X12DataError(f"claim {cid}: line {n} has no diagnosis pointer")
        seg.add("LX", str(n))
        seg.add("SV1", COMPONENT.join(["HC", code, *mods]), amount(line.charge), "UN",
                quantity(line.units), "", "", COMPONENT.join(pointers[:4]))
        seg.add("DTP", "472", "D8", ccyymmdd(_get(line, "date") or dos))
        # 2410 drug identification: the NDC (LIN*N4, 11 digits) and its quantity and unit (CTP04/CTP05-1).
        drug = ndc_entry(_get(line, "ndc") or "", _get(line, "ndc_quantity", default=None), _get(line, "ndc_unit") or "",
                         line.units)
        if drug is not None:
            seg.add("LIN", "", "N4", drug.ndc11)
            seg.add("CTP", "", "", "", quantity(drug.quantity), drug.unit)
    return hl


def interchange_head(envelope: Envelope, sub: Submitter, version: str) -> tuple[str, str, "_Segments"]:
    """ISA, GS and the 837's ST, BHT and 1000A/1000B loops (submitter, receiver): the same for the
    837P and the 837I, whose implementation guides differ only in `version`."""
    when = envelope.created
    if not 0 < envelope.interchange_control < 10**9:
        raise X12DataError("interchange control number must be 1..999999999")
    if not 0 < envelope.group_control < 10**9:
        raise X12DataError("group control number must be 1..999999999")
    isa = ELEMENT.join([
        "ISA", "00", " " * 10, "00", " " * 10,
        "ZZ", _isa_field(envelope.sender_id, 15), "ZZ", _isa_field(envelope.receiver_id, 15),
        when.strftime("%y%m%d"), when.strftime("%H%M"), REPETITION, "00501",
        f"{envelope.interchange_control:09d}", "0", "P" if envelope.usage == "P" else "T", COMPONENT,
    ])
    gs = ELEMENT.join([
        "GS", "HC", clean(envelope.sender_id, 15), clean(envelope.receiver_id, 15),
        when.strftime("%Y%m%d"), when.strftime("%H%M"), str(envelope.group_control), "X", version,
    ])
    seg = _Segments()
    seg.add("ST", "837", envelope.st_control, version)
    reference = clean(envelope.reference or str(envelope.interchange_control), 50).replace(" ", "")
    seg.add("BHT", "0019", "00", reference, when.strftime("%Y%m%d"), when.strftime("%H%M"), "CH")
    # 1000A submitter, 1000B receiver
    seg.add("NM1", "41", "2", _need(clean(sub.name, 60), "-", "submitter name"), "", "", "", "", "46",
            _need(clean(sub.id, 80), "-", "submitter id"))
    phone = digits(sub.phone)
    seg.add("PER", "IC", clean(sub.contact, 60), *(("TE", phone) if phone else ()))
    seg.add("NM1", "40", "2", _need(clean(sub.receiver_name, 60), "-", "receiver name"), "", "", "", "", "46",
            _need(clean(sub.receiver_id, 80), "-", "receiver id"))
    return isa, gs, seg


def write_837p(claims: Iterable[Any], settings: Any, envelope: Envelope, newlines: bool = True) -> str:
    """The 837P text for `claims` (built by workstation.billing.claim.build_claim).

    Raises X12DataError naming the claim and field when a required value is missing.
    `newlines` puts a line break after each segment terminator (readable; receivers ignore it).
    """
    claims = list(claims)
    if not claims:
        raise X12DataError("no claims to write")
    sub = submitter_from_settings(settings)
    bp = billing_provider_from_settings(settings)
    isa, gs, seg = interchange_head(envelope, sub, VERSION)
    st = envelope.st_control
    # 2000A / 2010AA billing provider
    seg.add("HL", "1", "", "20", "1")
    taxonomy = alnum(bp.taxonomy)
    if taxonomy:
        seg.add("PRV", "BI", "PXC", taxonomy)
    seg.add("NM1", "85", "2", _need(clean(bp.name, 60), "-", "billing provider name"), "", "", "", "", "XX",
            _need(digits(bp.npi), "-", "billing provider NPI"))
    _address(seg, bp.address, "-", "billing provider", zip9=True)
    seg.add("REF", "EI", _need(digits(bp.tax_id), "-", "billing provider tax id"))

    hl = 2
    for claim in claims:
        hl = _claim_segments(seg, claim, hl)
    seg.add("SE", str(len(seg.items) + 1), st)

    tail = [ELEMENT.join(["GE", "1", str(envelope.group_control)]),
            ELEMENT.join(["IEA", "1", f"{envelope.interchange_control:09d}"])]
    all_segments = [isa, gs, *seg.items, *tail]
    end = SEGMENT + ("\n" if newlines else "")
    return end.join(all_segments) + end
