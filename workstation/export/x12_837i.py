"""The ANSI X12 837I 005010X223A2 writer: the hospital's inpatient claims.

One interchange, one group, one transaction set, one 2000A billing provider (the hospital),
then per stay a 2000B subscriber HL (and 2000C patient HL when the patient is not the subscriber)
and loop 2300: CLM (total charge, type of bill as facility code + frequency), DTP*096 discharge
hour, DTP*434 statement dates, DTP*435 admission date and hour, CL1 admission type / point of
origin / patient status, HI principal (ABK) and admitting (ABJ) diagnosis, other diagnoses (ABF)
each with its POA indicator in C022-09 (blank for an exempt code), the principal (BBR) and other
(BBQ) ICD-10-PCS procedures with their dates, the DRG (DR), the attending provider (NM1*71), and
loop 2400 revenue-code lines (SV2).

Every value goes through the 837P writer's `clean` (X12 has no escape character). Missing data
raises X12DataError naming the claim and the field, never the patient's data.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date as Date
from decimal import Decimal
from typing import Any, Iterable

from workstation.billing.claim import RELATIONSHIP_CODES, filing_indicator
from workstation.billing.facility import FacilitySettings, revenue_lines
from workstation.cases.model import Case
from workstation.codes import poa_exempt
from workstation.export.x12_837p import (
    COMPONENT, ELEMENT, SEGMENT, Envelope, X12DataError, _address, _demographics, _need, _person_name, _Segments, _split_provider_name, alnum, amount, ccyymmdd, clean, digits,
    interchange_head, submitter_from_settings,
)
from workstation.session.work import CaseWork

VERSION = "005010X223A2"
MAX_OTHER_DX = 24  # HI segments of other diagnoses: 2 x 12
MAX_OTHER_PCS = 24
POA_SENT = {"Y", "N", "U", "W"}  # E (exempt) is sent blank


@dataclass
class InpatientClaim:
    case: Case
    work: CaseWork
    drg: int | None = None  # from workstation.grouping.drg (HI*DR), when grouped


def _bare(code: str) -> str:
    return code.replace(".", "").strip().upper()


def _dx_component(qual: str, code: str, poa: str = "") -> str:
    c = alnum(_bare(code))
    if poa in POA_SENT:
        return COMPONENT.join([qual, c, "", "", "", "", "", "", poa])
    return COMPONENT.join([qual, c])


def _exempt_list(discharge: str) -> "poa_exempt.ExemptList | None":
    try:
        return poa_exempt.list_for(Date.fromisoformat(discharge))
    except (TypeError, ValueError):
        return None


def _claim(seg: _Segments, ic: InpatientClaim, fac: FacilitySettings, hl: int) -> int:
    case, work = ic.case, ic.work
    cid = clean(case.case_id, 38).replace(" ", "")
    enc, cov = case.encounter, case.coverage
    if enc.type != "inpatient":
        raise X12DataError(f"claim {cid}: not an inpatient stay (the 837I here is for inpatient facility claims)")
    if cov.self_pay:
        raise X12DataError(f"claim {cid}: self-pay has no payer to bill")
    if not work.diagnoses:
        raise X12DataError(f"claim {cid}: no principal diagnosis")
    stay = work.stay
    rel = RELATIONSHIP_CODES.get((cov.relationship or "self").lower(), "G8")
    subscriber = cov.subscriber if (cov.subscriber is not None and rel != "18") else case.patient
    # 2000B subscriber
    seg.add("HL", str(hl), "1", "22", "0" if rel == "18" else "1")
    filing = filing_indicator(cov.plan_type)
    # Medicare pays a hospital's inpatient stay under Part A: a case whose coverage is recorded as
    # Part B (the physician's claim) is filed MA on the hospital's 837I.
    filing = "MA" if filing == "MB" else filing
    seg.add("SBR", "P", "18" if rel == "18" else "", clean(cov.group_number, 50), "", "", "", "", "", filing)
    _person_name(seg, "IL", subscriber, cid, "subscriber", "MI", _need(clean(cov.member_id, 80).replace(" ", ""), cid, "member id"))
    _address(seg, subscriber.address, cid, "subscriber")
    _demographics(seg, subscriber, cid, "subscriber")
    seg.add("NM1", "PR", "2", _need(clean(cov.payer_name, 60), cid, "payer name"), "", "", "", "", "PI",
            _need(clean(cov.payer_id, 80).replace(" ", ""), cid, "payer id"))
    nxt = hl + 1
    if rel != "18":
        seg.add("HL", str(nxt), str(hl), "23", "0")
        seg.add("PAT", rel)
        _person_name(seg, "QC", case.patient, cid, "patient")
        _address(seg, case.patient.address, cid, "patient")
        _demographics(seg, case.patient, cid, "patient")
        nxt += 1

    # 2300 claim
    lines = revenue_lines(case, fac)
    if not lines:
        raise X12DataError(f"claim {cid}: no revenue-code lines (the facility charge table is empty)")
    total = sum((l.charge for l in lines), Decimal("0.00"))
    tob = (fac.type_of_bill or "").lstrip("0")
    if len(tob) != 3:
        raise X12DataError(f"claim {cid}: type of bill is not set")
    frequency = "7" if work.sent_before_as(facility=True) else tob[2]
    seg.add("CLM", cid, amount(total), "", "", COMPONENT.join([tob[:2], "A", frequency]), "", "A", "Y", "Y")
    if not stay.discharge_hour:
        raise X12DataError(f"claim {cid}: discharge hour is missing")
    seg.add("DTP", "096", "TM", stay.discharge_hour + "00")
    admit, discharge = ccyymmdd(enc.admit_date), ccyymmdd(enc.discharge_date)
    seg.add("DTP", "434", "RD8", f"{admit}-{discharge}")
    if not stay.admit_hour:
        raise X12DataError(f"claim {cid}: admission hour is missing")
    seg.add("DTP", "435", "DT", admit + stay.admit_hour + "00")  # DT: CCYYMMDDHHMM
    for what, value in (("admission type", stay.admission_type), ("point of origin", stay.admission_source),
                        ("patient status", stay.patient_status)):
        _need(value, cid, what)
    seg.add("CL1", stay.admission_type, stay.admission_source, stay.patient_status)
    if frequency == "7":
        seg.add("REF", "F8", _need(clean(work.payer_claim_number, 50).replace(" ", ""), cid, "payer claim number"))
    if cov.prior_authorization:
        seg.add("REF", "G1", clean(cov.prior_authorization, 50).replace(" ", ""))
    # Diagnoses with POA (blank for a code on the installed CMS POA exempt list of the discharge date)
    exempt = _exempt_list(enc.discharge_date)
    for code in work.diagnoses:
        if not work.poa_of(code) and not (exempt is not None and exempt.exempt(code)):
            raise X12DataError(f"claim {cid}: diagnosis {code} has no present-on-admission indicator")
    principal = work.diagnoses[0]
    seg.add("HI", _dx_component("ABK", principal, work.poa_of(principal)))
    seg.add("HI", _dx_component("ABJ", _need(stay.admitting_dx, cid, "admitting diagnosis")))
    others = work.diagnoses[1:]
    if len(others) > MAX_OTHER_DX:
        raise X12DataError(f"claim {cid}: more than {MAX_OTHER_DX} other diagnoses")
    for i in range(0, len(others), 12):
        seg.add("HI", *[_dx_component("ABF", c, work.poa_of(c)) for c in others[i:i + 12]])
    # Procedures with dates
    if work.procedures:
        if len(work.procedures) - 1 > MAX_OTHER_PCS:
            raise X12DataError(f"claim {cid}: more than {MAX_OTHER_PCS + 1} procedures")
        comps = []
        for j, code in enumerate(work.procedures):
            day = work.pcs_dates.get(code, "")
            if not day:
                raise X12DataError(f"claim {cid}: procedure {code} has no date")
            comps.append(COMPONENT.join(["BBR" if j == 0 else "BBQ", alnum(code), "D8", ccyymmdd(day)]))
        seg.add("HI", comps[0])
        for i in range(1, len(comps), 12):
            seg.add("HI", *comps[i:i + 12])
    if ic.drg is not None:
        seg.add("HI", COMPONENT.join(["DR", f"{ic.drg:03d}"]))
    # 2310A attending provider
    att = enc.rendering_provider
    last, first = _split_provider_name(att.name if att else "")
    seg.add("NM1", "71", "1", _need(clean(last, 60), cid, "attending provider name"), clean(first, 35), "", "", "",
            "XX", _need(digits(att.npi if att else ""), cid, "attending provider NPI"))
    # 2400 revenue lines
    for n, line in enumerate(lines, 1):
        seg.add("LX", str(n))
        seg.add("SV2", line.code, "", amount(line.charge), line.unit_basis, str(line.units))
    return nxt


def write_837i(claims: Iterable[InpatientClaim], settings: Any, facility: FacilitySettings, envelope: Envelope,
               newlines: bool = True) -> str:
    """The 837I text; `settings` is the PracticeSettings (submitter and receiver), `facility` the
    hospital's (billing provider, type of bill, revenue-code charge table)."""
    claims = list(claims)
    if not claims:
        raise X12DataError("no claims to write")
    problems = facility.problems()
    if problems:
        raise X12DataError("facility settings: " + "; ".join(problems))
    sub = submitter_from_settings(settings)
    first = claims[0].case.encounter
    name = facility.name or first.facility
    npi = facility.npi or first.facility_npi
    addr = facility.address or first.facility_address
    isa, gs, seg = interchange_head(envelope, sub, VERSION)
    st = envelope.st_control
    seg.add("HL", "1", "", "20", "1")
    if alnum(facility.taxonomy):
        seg.add("PRV", "BI", "PXC", alnum(facility.taxonomy))
    seg.add("NM1", "85", "2", _need(clean(name, 60), "-", "facility name"), "", "", "", "", "XX",
            _need(digits(npi), "-", "facility NPI"))
    _address(seg, addr, "-", "facility", zip9=True)
    seg.add("REF", "EI", _need(digits(facility.tax_id), "-", "facility tax id"))
    hl = 2
    for ic in claims:
        hl = _claim(seg, ic, facility, hl)
    seg.add("SE", str(len(seg.items) + 1), st)
    tail = [ELEMENT.join(["GE", "1", str(envelope.group_control)]),
            ELEMENT.join(["IEA", "1", f"{envelope.interchange_control:09d}"])]
    end = SEGMENT + ("\n" if newlines else "")
    return end.join([isa, gs, *seg.items, *tail]) + end
