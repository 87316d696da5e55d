"""A patient statement for a self-pay encounter, as printable text.

The practice's name and address, the patient's mailing address, the services (code, units,
charge) and the amount due. HCPCS Level II lines carry their official short description when
the HCPCS code book is compiled; CPT descriptors are AMA-licensed and never shipped, so a CPT
line shows its code only.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from workstation.billing.claim import Claim, format_units
from workstation.billing.settings import PracticeSettings
from workstation.cases.model import Case

WIDTH = 78


def _describe(code: str) -> str:
    """The official HCPCS short description, or "" (CPT, or the HCPCS book not compiled)."""
    if not code or not code[0].isalpha():
        return ""  # CPT (5 digits): descriptors are licensed, not shipped
    try:
        from workstation.codes.hcpcs import hcpcs

        entry = hcpcs().get(code)
    except Exception:  # the code book may not be built; the statement still prints
        return ""
    if entry is None:
        return ""
    for name in ("short", "short_description", "long", "long_description", "title"):
        value = entry.get(name) if isinstance(entry, dict) else getattr(entry, name, None)
        if value:
            return str(value)
    return ""


def _us_date(iso: str) -> str:
    return f"{iso[5:7]}/{iso[8:10]}/{iso[:4]}" if len(iso) >= 10 else iso


def _addr_lines(addr: Any) -> list[str]:
    z = addr.zip or ""
    z = f"{z[:5]}-{z[5:]}" if len(z) == 9 else z
    lines = [addr.line1, addr.line2, " ".join(x for x in (f"{addr.city}," if addr.city else "", addr.state, z) if x)]
    return [l for l in lines if l.strip()]


def render_statement(case: Case, claim: Claim, settings: PracticeSettings, today: str | None = None,
                     payments: Decimal = Decimal("0.00")) -> str:
    """The statement text for one self-pay encounter (amount due = charges - payments)."""
    today = today or date.today().isoformat()
    w = WIDTH
    out: list[str] = []
    out.append(settings.billing_name.upper())
    out.extend(l.upper() for l in _addr_lines(settings.address))
    if len(settings.phone) == 10:
        p = settings.phone
        out.append(f"Billing questions: ({p[:3]}) {p[3:6]}-{p[6:]}")
    out.append("")
    out.append("PATIENT STATEMENT".center(w).rstrip())
    out.append("")
    out.append(f"{'Statement date:':<18}{_us_date(today)}")
    out.append(f"{'Account number:':<18}{case.case_id}")
    out.append("")
    pt = case.patient
    out.append(" ".join(x for x in (pt.first, pt.middle, pt.last) if x).upper())
    out.extend(l.upper() for l in _addr_lines(pt.address))
    out.append("")
    out.append("-" * w)
    out.append(f"{'Date':<11}{'Code':<7}{'Mod':<9}{'Description':<33}{'Units':>6}{'Charge':>12}")
    out.append("-" * w)
    for line in claim.lines:
        desc = _describe(line.code)[:32]
        charge = "" if line.charge is None else f"{line.charge:,.2f}"
        out.append(f"{_us_date(line.date):<11}{line.code:<7}{' '.join(line.modifiers[:4]):<9}{desc:<33}"
                   f"{format_units(line.units):>6}{charge:>12}")
    out.append("-" * w)
    total = claim.total_charge
    due = (total - payments).quantize(Decimal("0.01"))
    out.append(f"{'Total charges':<66}{total:>12,.2f}")
    out.append(f"{'Payments and adjustments':<66}{-payments:>12,.2f}")
    out.append(f"{'AMOUNT DUE':<66}{due:>12,.2f}")
    out.append("-" * w)
    out.append("Diagnoses for this visit (ICD-10-CM): " + ", ".join(d.code for d in claim.diagnoses))
    out.append("")
    out.append("Please make payment to " + settings.billing_name + f", quoting account {case.case_id}.")
    out.append("Contact the billing office if you have insurance that should be billed for this visit.")
    return "\n".join(l.rstrip() for l in out) + "\n"
