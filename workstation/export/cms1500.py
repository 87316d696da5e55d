"""The CMS-1500 (02/12) claim as printable text: the print export and the UI's claim preview.

Box by box in the form's order and numbering (NUCC 1500 instructions): 1 insurance type,
1a insured's id, 2-7 patient and insured, 10 condition related to (employment, auto accident with
its state, other accident), 11 group, 14 date of current injury (qualifier 431, the accident date)
and 15 other date (qualifier 439 accident), 18 hospitalisation, 21 diagnoses A-L with ICD Ind 0 (no
decimal point, as the form wants), 23 prior authorisation, 24 service lines, 25 tax id,
26 account number, 28 total charge, 31 rendering provider, 32 service facility (name, address,
32a NPI), 33 billing provider. Plain text, no Textual.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterable

from workstation.billing.claim import Claim, format_units
from workstation.billing.money import format_money
from workstation.cases.npi import npi_is_valid

TITLE = "HEALTH INSURANCE CLAIM FORM  (CMS-1500 02/12)"
# Box 1 check boxes, keyed by the claim filing indicator (SBR09).
INSURANCE_TYPES = ("MEDICARE", "MEDICAID", "TRICARE", "CHAMPVA", "GROUP HEALTH PLAN", "FECA BLK LUNG", "OTHER")
_FILING_TO_BOX1 = {"MB": "MEDICARE", "MA": "MEDICARE", "16": "MEDICARE", "MC": "MEDICAID", "CH": "TRICARE",
                   "VA": "CHAMPVA", "CI": "GROUP HEALTH PLAN", "BL": "GROUP HEALTH PLAN", "HM": "GROUP HEALTH PLAN",
                   "12": "GROUP HEALTH PLAN", "13": "GROUP HEALTH PLAN", "14": "GROUP HEALTH PLAN",
                   "15": "GROUP HEALTH PLAN", "FI": "FECA BLK LUNG"}
_RELATIONSHIPS = (("18", "SELF"), ("01", "SPOUSE"), ("19", "CHILD"), ("G8", "OTHER"))
MIN_WIDTH = 72
# Box 24: number, from, to, POS, EMG, code, modifiers, pointers, charges, units, rendering NPI (92 columns).
_LINE_FMT = "{:>2} {:<8} {:<8} {:<5} {:<5} {:<7} {:<11} {:<5} {:>10} {:>7}  {}"


def _box(checked: bool) -> str:
    return "[X]" if checked else "[ ]"


def _date(iso: str, year_digits: int = 4) -> str:
    """YYYY-MM-DD -> 'MM DD YYYY' (or 'MM DD YY' in box 24A), as the form's date fields."""
    if not iso or len(iso) < 10:
        return ""
    y, m, d = iso[:4], iso[5:7], iso[8:10]
    return f"{m} {d} {y if year_digits == 4 else y[2:]}"


def _name(person: Any) -> str:
    """Last, First Middle (box 2 and 4 order)."""
    if person is None:
        return ""
    first = " ".join(x for x in (person.first, person.middle) if x)
    return f"{person.last}, {first}".upper().strip(", ")


def _address(addr: Any) -> list[str]:
    if addr is None:
        return []
    street = ", ".join(x for x in (addr.line1, addr.line2) if x)
    z = addr.zip or ""
    z = f"{z[:5]}-{z[5:]}" if len(z) == 9 else z
    city = " ".join(x for x in (f"{addr.city}," if addr.city else "", addr.state, z) if x)
    return [s.upper() for s in (street, city) if s]


def _money(value: Decimal | None) -> str:
    return format_money(value)


def _fit(lines: Iterable[str], width: int) -> str:
    return "\n".join(line[:width].rstrip() for line in lines)


def render_cms1500(claim: Claim, edits: list[Any] | None = None, width: int = 96) -> str:
    """The claim laid out as the CMS-1500 boxes; edits (from the scrubber), if given, are listed below.

    Every line is cut to `width` (at least 72) so the preview never wraps.
    """
    width = max(width, MIN_WIDTH)
    rule = "=" * width
    thin = "-" * width
    out: list[str] = [TITLE.center(width).rstrip(), rule]
    payer = claim.payer
    if payer is not None:
        out.append(f"CARRIER: {payer.name.upper()}   PAYER ID {payer.payer_id}")
    else:
        out.append("CARRIER: NONE (SELF-PAY: BILL THE PATIENT BY STATEMENT)")
    box1 = _FILING_TO_BOX1.get(claim.filing_indicator, "OTHER")
    marks = [f"{_box(t == box1)} {t}" for t in INSURANCE_TYPES]
    out.append("1. " + "  ".join(marks[:4]))
    out.append("   " + "  ".join(marks[4:]))
    out.append(f"1a. INSURED'S I.D. NUMBER: {claim.member_id.upper()}")
    out.append(thin)
    p, s = claim.patient, claim.subscriber
    out.append(f"2. PATIENT'S NAME: {_name(p)}")
    out.append(f"3. PATIENT'S BIRTH DATE: {_date(p.dob)}   SEX: {_box(p.sex == 'M')} M {_box(p.sex == 'F')} F")
    out.append(f"4. INSURED'S NAME: {_name(s)}")
    out.append("5. PATIENT'S ADDRESS: " + " / ".join(_address(p.address)) + (f"   TEL {p.phone}" if p.phone else ""))
    out.append("6. PATIENT RELATIONSHIP TO INSURED: "
               + "  ".join(f"{_box(claim.relationship == code)} {label}" for code, label in _RELATIONSHIPS))
    out.append("7. INSURED'S ADDRESS: " + " / ".join(_address(s.address)) + (f"   TEL {s.phone}" if s.phone else ""))
    acc = claim.accident
    code = acc.code if acc is not None else ""

    def yes_no(flag: bool) -> str:
        return f"{_box(flag)} YES {_box(not flag)} NO"

    # Box 10 a-c, one row each as on the form (a single row would not fit a narrow preview).
    out.append("10. IS PATIENT'S CONDITION RELATED TO:")
    out.append(f"    a. EMPLOYMENT? (CURRENT OR PREVIOUS)  {yes_no(code == 'EM')}")
    out.append(f"    b. AUTO ACCIDENT?  {yes_no(code == 'AA')}"
               + (f"   PLACE (STATE) {acc.state.upper()}" if acc is not None and code == "AA" and acc.state else ""))
    out.append(f"    c. OTHER ACCIDENT?  {yes_no(code == 'OA')}")
    out.append(f"11. INSURED'S POLICY GROUP OR FECA NUMBER: {claim.group_number.upper()}")
    out.append("11a. INSURED'S DATE OF BIRTH: " + _date(s.dob) + f"   SEX: {s.sex}")
    out.append("12./13. SIGNATURE ON FILE")
    # Box 14: first date of the present injury, qualifier 431 (onset); box 15: qualifier 439 (accident).
    acc_date = acc.date if acc is not None and acc.date else ""
    out.append("14. DATE OF CURRENT ILLNESS, INJURY, PREGNANCY: " + (f"QUAL 431   {_date(acc_date)}" if acc_date else ""))
    out.append("15. OTHER DATE: " + (f"QUAL 439   {_date(acc_date)}" if acc_date else ""))
    if claim.admit_date:
        out.append(f"18. HOSPITALIZATION DATES: FROM {_date(claim.admit_date, 2)} TO {_date(claim.discharge_date, 2)}")
    out.append(thin)
    out.append("21. DIAGNOSIS OR NATURE OF ILLNESS OR INJURY   ICD IND: 0   (relate A-L to 24E)")
    cells = [f"{d.letter}. {d.code.replace('.', ''):<8}" for d in claim.diagnoses]
    cells += [f"{chr(ord('A') + i)}. {'':<8}" for i in range(len(cells), 12)]
    for row in range(3):
        out.append("    " + "   ".join(cells[row * 4:(row + 1) * 4]).rstrip())
    if claim.extra_diagnoses:
        out.append(f"    (not on the claim, past the 12th: {', '.join(claim.extra_diagnoses)})")
    # Box 22: the resubmission code (7 replacement, 8 void) and the payer's original claim number.
    resub = "" if claim.frequency == "1" else claim.frequency
    original = getattr(claim, "payer_claim_number", "") if resub else ""
    out.append(f"22. RESUBMISSION CODE: {resub}" + (f"   ORIGINAL REF. NO.: {original.upper()}" if original else ""))
    out.append(f"23. PRIOR AUTHORIZATION NUMBER: {claim.prior_authorization.upper()}")
    out.append(thin)
    out.append(_LINE_FMT.format("24", "A. FROM", "TO", "B.POS", "C.EMG", "D.CODE", "MODIFIER", "E.PTR",
                                "F.CHARGES", "G.UNITS", "J.NPI"))
    for line in claim.lines:
        out.append(_LINE_FMT.format(
            line.number, _date(line.date, 2), _date(line.date, 2), line.place_of_service, "", line.code,
            " ".join(line.modifiers[:4]), "".join(line.pointers[:4]), _money(line.charge),
            format_units(line.units), line.rendering_npi,
        ))
    for n in range(len(claim.lines) + 1, 7):  # the form has six lines; show the empty ones
        out.append(f"{n:>2}")
    if len(claim.lines) > 6:
        out.append(f"    ({len(claim.lines)} lines: a paper claim holds six per page; continue on another form)")
    out.append(thin)
    bp = claim.billing_provider
    out.append(f"25. FEDERAL TAX I.D. NUMBER: {bp.tax_id}   {_box(False)} SSN {_box(True)} EIN")
    out.append(f"26. PATIENT'S ACCOUNT NO.: {claim.claim_id}     27. ACCEPT ASSIGNMENT? {_box(True)} YES")
    out.append(f"28. TOTAL CHARGE: $ {_money(claim.total_charge)}     29. AMOUNT PAID: $ 0.00")
    rp = claim.rendering_provider
    out.append(f"31. SIGNATURE OF PHYSICIAN OR SUPPLIER: {(rp.name if rp else bp.name).upper()}"
               + (f"   NPI {rp.npi}" if rp and rp.npi else ""))
    fac = claim.facility
    if fac is not None:
        out.append(f"32. SERVICE FACILITY LOCATION: {fac.name.upper()}")
        for a in _address(fac.address):
            out.append(f"    {a}")
        npi = "".join(ch for ch in fac.npi if ch in "0123456789")
        out.append(f"    32a. NPI {npi if npi_is_valid(npi) else ''}".rstrip())
    else:
        out.append(f"32. SERVICE FACILITY LOCATION: {claim.service_facility.upper()}")
    out.append(f"33. BILLING PROVIDER INFO & PH #: {bp.name.upper()}" + (f"   ({bp.phone[:3]}) {bp.phone[3:6]}-{bp.phone[6:]}" if len(bp.phone) == 10 else ""))
    for a in _address(bp.address):
        out.append(f"    {a}")
    out.append(f"    33a. NPI {bp.npi}   33b. {('PXC ' + bp.taxonomy) if bp.taxonomy else ''}")
    out.append(rule)
    if edits:
        out.append(f"EDITS ({len(edits)}):")
        for e in edits:
            out.append(f"  {e.severity.upper():<7} {e.target}: {e.message}")
    return _fit(out, width) + "\n"
