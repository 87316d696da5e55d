"""Independent validation of an 837I file: pyx12 against its 837I map, plus our own checks.

pyx12 maps 005010X223A2 to its 837Q3.I.5010.X223.A1 map. Our checks read the file back: the SE
count, CLM02 equal to the sum of the SV203 line charges, NPI check digits, POA values, HI
qualifiers, the inpatient dates. Messages name segments, never their data.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from workstation.cases.npi import npi_is_valid
from workstation.export.validate_837p import Problem, ValidationReport, _delimiters, _segments, run_pyx12

DX_QUALIFIERS = {"ABK", "ABJ", "ABF", "APR", "ABN"}
PCS_QUALIFIERS = {"BBR", "BBQ"}


def own_checks(text: str) -> tuple[list[Problem], int, int]:
    """(problems, claims, segments) from reading the 837I back."""
    found = _delimiters(text)
    if found is None:
        return [Problem("check", "no ISA header")], 0, 0
    _, comp, _, _ = found
    segs = _segments(text)
    out: list[Problem] = []
    claims = 0
    st_at = None
    claim_total: Decimal | None = None
    line_sum = Decimal("0")
    clm_line = 0

    def close() -> None:
        if claim_total is not None and claim_total != line_sum:
            out.append(Problem("check", "CLM02 total charge is not the sum of the SV203 line charges", clm_line, "CLM"))

    for n, els in segs:
        tag = els[0]
        if tag == "ST":
            st_at = n
            if len(els) < 4 or els[3] != "005010X223A2":
                out.append(Problem("check", "ST03 is not 005010X223A2", n, "ST"))
        elif tag == "SE" and st_at is not None:
            if els[1] != str(n - st_at + 1):
                out.append(Problem("check", "SE01 segment count is wrong", n, "SE"))
        elif tag == "CLM":
            close()
            claims += 1
            clm_line, line_sum = n, Decimal("0")
            try:
                claim_total = Decimal(els[2])
            except (InvalidOperation, IndexError):
                claim_total = None
                out.append(Problem("check", "CLM02 is not an amount", n, "CLM"))
        elif tag == "SV2":
            try:
                line_sum += Decimal(els[3])
            except (InvalidOperation, IndexError):
                out.append(Problem("check", "SV203 is not an amount", n, "SV2"))
            if len(els) < 2 or not (els[1].isdigit() and len(els[1]) == 4):
                out.append(Problem("check", "SV201 is not a 4-digit revenue code", n, "SV2"))
        elif tag == "NM1" and len(els) > 9 and els[8] == "XX" and not npi_is_valid(els[9]):
            out.append(Problem("check", f"NM1*{els[1]} NPI check digit is wrong", n, "NM1"))
        elif tag == "HI":
            for c in els[1:]:
                parts = c.split(comp)
                q = parts[0]
                if q in DX_QUALIFIERS:
                    poa = parts[8] if len(parts) > 8 else ""
                    if poa and poa not in ("Y", "N", "U", "W"):
                        out.append(Problem("check", "HI POA indicator is not Y, N, U or W", n, "HI"))
                    if q in ("ABK", "ABF") and not poa:
                        pass  # blank: a POA-exempt code
                elif q in PCS_QUALIFIERS:
                    if len(parts) < 4 or parts[2] != "D8" or len(parts[3]) != 8:
                        out.append(Problem("check", "HI procedure without a D8 date", n, "HI"))
                    if len(parts[1]) != 7:
                        out.append(Problem("check", "HI procedure code is not 7 characters", n, "HI"))
        elif tag == "CL1" and len(els) < 4:
            out.append(Problem("check", "CL1 needs admission type, point of origin and patient status", n, "CL1"))
    close()
    return out, claims, len(segs)


def validate_837i(text: str) -> ValidationReport:
    problems, ack = run_pyx12(text)
    mine, claims, count = own_checks(text)
    return ValidationReport(problems + mine, ack, claims, count, "005010X223A2")
