"""The hospital's settings for its inpatient claims (UB-04 / 837I), apart from the practice's.

Kept in the session store under the setting "facility". The facility's name, NPI and address
default to the case's encounter (the hospital the stay was at); the tax id, the type of bill and
the revenue-code charge table are the hospital's own and must be configured.

Revenue codes are NUBC's (UB-04 FL42), published in the NUBC Official UB-04 Data Specifications
Manual, which is licensed and not among the project's sources: the workstation ships **no**
revenue codes or charges. The charge table is what the hospital configures from its chargemaster:
each row a 4-digit revenue code, a charge and a basis ("day": per day of the stay, as room and
board is billed; "stay": once).
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date as Date
from decimal import Decimal
from typing import Any

from workstation.billing.money import money
from workstation.cases.model import Address, Case

STORE_KEY = "facility"
REVENUE_CODE = re.compile(r"^[0-9]{4}$")
TYPE_OF_BILL = re.compile(r"^0?[1-9][1-9][0-9A-Z]$")  # e.g. 111 hospital inpatient, admit through discharge


@dataclass
class RevenueCharge:
    code: str  # NUBC revenue code, 4 digits, as the hospital configures it
    charge: str  # decimal text, per unit of the basis
    basis: str = "stay"  # "day" (x days of the stay, SV204 DA) or "stay" (once, SV204 UN)
    description: str = ""


@dataclass
class FacilitySettings:
    tax_id: str = ""
    type_of_bill: str = ""  # three characters without the leading 0, e.g. 111
    taxonomy: str = ""
    name: str = ""  # empty: the case's facility
    npi: str = ""  # empty: the case's facility NPI
    address: Address | None = None  # None: the case's facility address
    revenue: list[RevenueCharge] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "FacilitySettings":
        data = dict(data or {})
        addr = data.get("address")
        return cls(
            tax_id=str(data.get("tax_id") or ""),
            type_of_bill=str(data.get("type_of_bill") or ""),
            taxonomy=str(data.get("taxonomy") or ""),
            name=str(data.get("name") or ""),
            npi=str(data.get("npi") or ""),
            address=Address(**addr) if isinstance(addr, dict) else None,
            revenue=[RevenueCharge(**{k: str(v) for k, v in r.items() if k in RevenueCharge.__dataclass_fields__})
                     for r in data.get("revenue") or []],
        )

    @classmethod
    def from_store(cls, store: Any) -> "FacilitySettings":
        return cls.from_dict(store.settings().get(STORE_KEY))

    def save(self, store: Any) -> None:
        store.set_setting(STORE_KEY, self.to_dict())

    def problems(self) -> list[str]:
        out: list[str] = []
        if not re.fullmatch(r"[0-9]{9}", re.sub(r"\D", "", self.tax_id)):
            out.append("facility tax id (EIN, 9 digits) is not set")
        if not TYPE_OF_BILL.fullmatch(self.type_of_bill or ""):
            out.append("type of bill is not set (e.g. 111: hospital inpatient, admission through discharge)")
        if not self.revenue:
            out.append("the revenue-code charge table is empty: configure the hospital's revenue codes and charges")
        for r in self.revenue:
            if not REVENUE_CODE.fullmatch(r.code):
                out.append(f"revenue code {r.code!r} is not 4 digits")
            if money(r.charge) is None or money(r.charge) <= 0:
                out.append(f"revenue code {r.code}: charge {r.charge!r} is not an amount")
            if r.basis not in ("day", "stay"):
                out.append(f"revenue code {r.code}: basis {r.basis!r} is not day or stay")
        return out


@dataclass
class RevenueLine:
    code: str
    units: int
    unit_basis: str  # DA days, UN units
    charge: Decimal


def covered_days(case: Case) -> int:
    """Days of the stay for per-day charges: discharge minus admission (a same-day stay is 1)."""
    enc = case.encounter
    try:
        a, d = Date.fromisoformat(enc.admit_date), Date.fromisoformat(enc.discharge_date)
    except (TypeError, ValueError):
        return 1
    return max(1, (d - a).days)


def revenue_lines(case: Case, fac: FacilitySettings) -> list[RevenueLine]:
    days = covered_days(case)
    out: list[RevenueLine] = []
    for r in fac.revenue:
        rate = money(r.charge) or Decimal("0.00")
        if r.basis == "day":
            out.append(RevenueLine(r.code, days, "DA", (rate * days).quantize(Decimal("0.01"))))
        else:
            out.append(RevenueLine(r.code, 1, "UN", rate))
    return out
