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
        if self.npi and not re.fullmatch(r"[0-9]{10}", self.npi):
            out.append("facility NPI must be 10 digits (or empty: the case's facility NPI)")
        a = self.address
        if a is not None and not (a.line1 and a.city and a.state and a.zip):
            out.append("facility address is incomplete: line 1, city, state and ZIP+4 are all needed "
                       "(or leave every address field empty to use the case's facility address)")
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


# Settable fields as `workstation facility --set KEY VALUE` and the facility screen name them.
FIELDS: tuple[str, ...] = ("name", "npi", "tax_id", "taxonomy", "type_of_bill", "address.line1",
                           "address.line2", "address.city", "address.state", "address.zip")
OPTIONAL = {"name", "npi", "taxonomy", "address.line1", "address.line2", "address.city", "address.state",
            "address.zip"}  # empty: the case's own facility data (name, NPI, address), or no PRV (taxonomy)
BASES = ("day", "stay")


class FacilitySettingError(ValueError):
    """A facility setting the 837I cannot carry; the message says what a good value looks like."""


def get_value(fac: FacilitySettings, key: str) -> str:
    if key.startswith("address."):
        return getattr(fac.address, key.split(".", 1)[1]) if fac.address is not None else ""
    if key not in FIELDS:
        raise FacilitySettingError(f"unknown facility setting {key!r}; one of: {', '.join(FIELDS)}")
    return str(getattr(fac, key) or "")


def set_value(fac: FacilitySettings, key: str, value: str) -> None:
    """Set one field with the checks the 837I needs (the CLI and the facility screen both use this)."""
    from workstation.cases.npi import npi_is_valid, npi_problem

    if key not in FIELDS:
        raise FacilitySettingError(f"unknown facility setting {key!r}; one of: {', '.join(FIELDS)}")
    value = " ".join(str(value or "").split())
    if not value and key not in OPTIONAL:
        raise FacilitySettingError(f"{key.replace('_', ' ')} cannot be empty")
    if value:
        if key == "npi" and not npi_is_valid(value):
            raise FacilitySettingError("facility " + npi_problem(value))
        if key == "tax_id":
            value = value.replace("-", "")
            if not re.fullmatch(r"[0-9]{9}", value):
                raise FacilitySettingError("tax id must be 9 digits (EIN)")
        if key == "type_of_bill":
            value = value.upper()
            if not TYPE_OF_BILL.fullmatch(value):
                raise FacilitySettingError("type of bill: 3 characters, facility type, care type and frequency "
                                           "(e.g. 111 hospital inpatient, admission through discharge)")
            value = value.lstrip("0")
        if key == "taxonomy":
            value = value.upper()
            if not re.fullmatch(r"[0-9A-Z]{9}X", value):
                raise FacilitySettingError("taxonomy code must be 10 characters ending in X (e.g. 282N00000X)")
        if key == "address.state":
            value = value.upper()
            if not re.fullmatch(r"[A-Z]{2}", value):
                raise FacilitySettingError("state must be a 2-letter code")
        if key == "address.zip":
            value = value.replace("-", "")
            if not re.fullmatch(r"[0-9]{9}", value):
                raise FacilitySettingError("facility ZIP must be 9 digits (ZIP+4: the 837I billing provider needs it)")
    if key.startswith("address."):
        if fac.address is None:
            fac.address = Address("", "", "", "", "")
        setattr(fac.address, key.split(".", 1)[1], value)
        if not any((fac.address.line1, fac.address.line2, fac.address.city, fac.address.state, fac.address.zip)):
            fac.address = None  # all empty: the case's facility address again
        return
    setattr(fac, key, value)


def revenue_charge(code: str, charge: str, basis: str = "stay", description: str = "") -> RevenueCharge:
    """A row of the charge table, checked: 4-digit revenue code, an amount above 0, day or stay."""
    code, basis = code.strip(), (basis or "stay").strip().lower()
    if not REVENUE_CODE.fullmatch(code):
        raise FacilitySettingError(f"revenue code {code!r} must be 4 digits (NUBC UB-04 FL42, e.g. from the chargemaster)")
    amount = money(charge)
    if amount is None or amount <= 0:
        raise FacilitySettingError(f"revenue code {code}: charge {charge!r} is not an amount above 0")
    if basis not in BASES:
        raise FacilitySettingError(f"revenue code {code}: basis {basis!r} must be day (per day of the stay) or stay (once)")
    return RevenueCharge(code, str(amount), basis, " ".join(description.split()))


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
