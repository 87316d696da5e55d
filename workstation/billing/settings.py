"""Practice settings: who bills, who submits, who receives, who pays, and the default charges.

Kept in the session store's settings under the key "practice" so a session carries its own
practice. The demo defaults describe a synthetic practice; every identifier in them is made up
(the NPI only satisfies the check-digit rule).
"""
from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import asdict, dataclass, field, fields
from decimal import Decimal
from typing import Any

from workstation.billing.money import money
from workstation.cases.npi import npi_is_valid, npi_problem
from workstation.cases.model import Address

STORE_KEY = "practice"

# Synthetic charges (US dollars) for the codes the demo worklist bills. CPT numbers may be
# stored (they are not licensed text); their descriptors are never shipped.
DEMO_FEE_SCHEDULE: dict[str, str] = {
    "99202": "110.00",
    "99203": "165.00",
    "99204": "250.00",
    "99211": "30.00",
    "99212": "80.00",
    "99213": "125.00",
    "99214": "185.00",
    "99215": "250.00",
    "99221": "210.00",
    "99222": "280.00",
    "99223": "390.00",
    "99231": "85.00",
    "99232": "130.00",
    "99238": "120.00",
    "99239": "170.00",
    "99282": "95.00",
    "99283": "200.00",
    "99284": "330.00",
    "99285": "480.00",
    "99391": "150.00",
    "99392": "160.00",
    "99460": "140.00",
    "99462": "70.00",
    "90834": "140.00",
    "99397": "230.00",
    "45378": "650.00",
    "45380": "780.00",
    "45385": "850.00",
    "47562": "1450.00",
    "44970": "1200.00",
    "11102": "150.00",
    "12001": "180.00",
    "20610": "120.00",
    "29125": "110.00",
    "73610": "70.00",
    "73110": "70.00",
    "71046": "65.00",
    "36415": "12.00",
    "81002": "10.00",
    "93000": "45.00",
    "G0438": "175.00",
    "G0439": "120.00",
    "G0442": "25.00",
    "G0444": "25.00",
    "G2211": "16.00",
    "J1100": "5.00",
    "J3301": "8.00",
    "J1885": "6.00",
    "J0696": "15.00",
    "J7613": "12.00",
    "G0008": "35.00",
    "G0009": "35.00",
    "Q2038": "30.00",
    "A4253": "40.00",
    "A4259": "15.00",
    "E0114": "60.00",
    "L3908": "55.00",
    "Q4012": "60.00",
    # The rest of the demo answer key's lines (tests/cases/answer_key.py). A fee is per unit:
    # drug codes are billed per their HCPCS dosage unit (J9171 per 1 mg, J2506 per 0.5 mg ...).
    "11642": "420.00",
    "12002": "210.00",
    "21930": "650.00",
    "27125": "2100.00",
    "27447": "2600.00",
    "29075": "140.00",
    "29515": "130.00",
    "32555": "380.00",
    "54150": "290.00",
    "59410": "2400.00",
    "64721": "820.00",
    "66984": "1150.00",
    "87880": "25.00",
    "90460": "30.00",
    "90461": "18.00",
    "90633": "45.00",
    "90662": "70.00",
    "90707": "95.00",
    "90716": "170.00",
    "92941": "1900.00",
    "96372": "35.00",
    "96413": "280.00",
    "96417": "130.00",
    "99406": "25.00",
    "99407": "50.00",
    "27236": "2200.00",
    "73100": "45.00",
    "93458": "950.00",
    "96375": "40.00",
    "96377": "45.00",
    "J0561": "12.00",
    "J1040": "9.00",
    "J2405": "0.50",
    "J2506": "150.00",
    "J9070": "12.00",
    "J9171": "1.50",
}


@dataclass
class Payer:
    name: str
    payer_id: str
    plan_type: str = ""  # claim filing indicator the payer usually takes (MB, MC, CI ...)


@dataclass
class PracticeSettings:
    billing_name: str = "Scioto Valley Physicians Group"
    npi: str = "1555000003"  # synthetic, check digit valid
    tax_id: str = "990000001"  # EIN, 9 digits (synthetic)
    taxonomy: str = "207Q00000X"  # NUCC: Family Medicine
    address: Address = field(
        default_factory=lambda: Address("250 Example Blvd", "Suite 100", "Columbus", "OH", "432150001")
    )
    phone: str = "6145550100"
    submitter_id: str = "DEMOSUBMIT01"
    submitter_name: str = "Scioto Valley Physicians Group"
    submitter_contact: str = "Billing Office"
    submitter_phone: str = "6145550100"
    receiver_id: str = "DEMORECEIVER"
    receiver_name: str = "Demo Clearinghouse"
    payers: list[Payer] = field(
        default_factory=lambda: [
            Payer("Medicare Part B (demo)", "DEMO00001", "MB"),
            Payer("State Medicaid (demo)", "DEMO00002", "MC"),
            Payer("Commercial Health Plan (demo)", "DEMO00003", "CI"),
        ]
    )
    fee_schedule: dict[str, str] = field(default_factory=lambda: dict(DEMO_FEE_SCHEDULE))
    # Used for a line whose code has no fee-schedule entry; the scrubber warns when it is used.
    default_charge: str = "100.00"
    # Who signs the audit trail. Empty means the operating-system user (session/audit.py). It is
    # kept in the store's top-level "coder_id" setting, not in the practice record, and written
    # only when set explicitly, so saving other settings never signs the audit with a default.
    coder_id: str = ""

    # ---------------------------------------------------------------- charges

    def fee_for(self, code: str) -> Decimal | None:
        """The fee schedule's charge for a code, or None if the schedule has no entry."""
        raw = self.fee_schedule.get(code.strip().upper())
        return None if raw is None else money(raw)

    def default_fee(self) -> Decimal | None:
        d = money(self.default_charge) if self.default_charge not in ("", None) else None
        return d if d is not None and d > 0 else None

    def payer_by_id(self, payer_id: str) -> Payer | None:
        return next((p for p in self.payers if p.payer_id == payer_id), None)

    # ---------------------------------------------------------------- JSON

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "PracticeSettings":
        """Settings from stored JSON; missing keys take the demo defaults, unknown keys are ignored."""
        out = cls()
        if not data:
            return out
        known = {f.name for f in fields(cls)}
        for key, value in data.items():
            if key not in known:
                continue
            if key == "address" and isinstance(value, dict):
                value = Address(**{k: str(v) for k, v in value.items() if k in Address.__dataclass_fields__})
            elif key == "payers":
                value = [Payer(**{k: v for k, v in p.items() if k in Payer.__dataclass_fields__}) for p in value or []]
            elif key == "fee_schedule":
                value = {str(k).upper(): str(v) for k, v in (value or {}).items()}
            setattr(out, key, value)
        return out

    @classmethod
    def from_store(cls, store: Any) -> "PracticeSettings":
        """The practice settings kept in a session store (demo defaults where nothing is saved)."""
        stored = store.settings()
        out = cls.from_dict(stored.get(STORE_KEY))
        # The top-level setting is the coder; a coder_id inside an older practice record (which
        # used to default to "CODER01") is ignored.
        cid = stored.get("coder_id")
        out.coder_id = cid.strip() if isinstance(cid, str) else ""
        return out

    def save(self, store: Any) -> None:
        """Write these settings to the session store (durable and audited by the store)."""
        record = self.to_dict()
        record.pop("coder_id", None)
        store.set_setting(STORE_KEY, record)
        # The audit trail names the coder from the top-level "coder_id" setting: written only
        # when this object names a different coder, or the coder was cleared with set_value.
        stored = store.settings().get("coder_id") or ""
        explicit = getattr(self, "_coder_id_explicit", False)
        if self.coder_id != stored and (self.coder_id or explicit):
            store.set_setting("coder_id", self.coder_id)

    # ---------------------------------------------------------------- checks

    def problems(self) -> list[tuple[str, str]]:
        """(field, message) for every setting a claim cannot go out with."""
        a = self.address
        return list(_problems(self.billing_name, self.npi, self.tax_id, a.zip, a.line1, a.city, a.state,
                              self.taxonomy, self.submitter_id, self.receiver_id))


@lru_cache(maxsize=64)  # the scrubber asks on every claim; the answer depends on these values only
def _problems(billing_name: str, npi: str, tax_id: str, zip_: str, line1: str, city: str, state: str,
              taxonomy: str, submitter_id: str, receiver_id: str) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    if not billing_name.strip():
        out.append(("billing_name", "billing provider name is missing"))
    if p := npi_problem(npi):
        out.append(("npi", f"billing provider {p}"))
    if not TAX_ID_RE.fullmatch(tax_id or ""):
        out.append(("tax_id", "tax id must be 9 digits (EIN, no dash)"))
    if not ZIP9_RE.fullmatch(zip_ or ""):
        out.append(("address.zip", "billing provider ZIP must be 9 digits (ZIP+4)"))
    for f, value in (("line1", line1), ("city", city), ("state", state)):
        if not value.strip():
            out.append((f"address.{f}", f"billing provider address {f} is missing"))
    if taxonomy and not TAXONOMY_RE.fullmatch(taxonomy):
        out.append(("taxonomy", "taxonomy code must be 10 characters (e.g. 207Q00000X)"))
    if not submitter_id.strip():
        out.append(("submitter_id", "submitter id is missing"))
    if not receiver_id.strip():
        out.append(("receiver_id", "receiver id is missing"))
    return tuple(out)


TAX_ID_RE = re.compile(r"[0-9]{9}")
ZIP9_RE = re.compile(r"[0-9]{9}")
ZIP_RE = re.compile(r"[0-9]{5}([0-9]{4})?")
TAXONOMY_RE = re.compile(r"[0-9A-Z]{9}X|[0-9A-Z]{10}")
STATE_RE = re.compile(r"[A-Z]{2}")


# `workstation settings set KEY VALUE`: the keys a user may set, with how each is checked.
SETTABLE = (
    "billing_name", "npi", "tax_id", "taxonomy", "phone",
    "address.line1", "address.line2", "address.city", "address.state", "address.zip",
    "submitter_id", "submitter_name", "submitter_contact", "submitter_phone",
    "receiver_id", "receiver_name", "default_charge", "coder_id",
    "fee.<CODE>", "payer.<PAYER_ID>",
)


class SettingError(ValueError):
    """A value a setting cannot take; the message says why."""


def set_value(settings: PracticeSettings, key: str, value: str) -> None:
    """Set one setting from text, validating NPI, ZIP, tax id, money. Raises SettingError.

    `fee.CODE AMOUNT` sets a fee-schedule charge ("fee.99213 125.00"; an empty amount removes it);
    `payer.PAYER_ID NAME[|PLAN]` adds or renames a payer (empty NAME removes it).
    """
    value = value.strip()
    if key.startswith("fee."):
        code = key[4:].strip().upper()
        if not re.fullmatch(r"[0-9A-Z]{5}", code):
            raise SettingError(f"fee schedule codes are 5 characters (HCPCS/CPT), got {code!r}")
        if value == "":
            settings.fee_schedule.pop(code, None)
            return
        amount = money(value)
        if amount is None or amount <= 0:
            raise SettingError(f"charge must be a positive amount, got {value!r}")
        settings.fee_schedule[code] = str(amount)
        return
    if key.startswith("payer."):
        pid = key[6:].strip()
        if not pid:
            raise SettingError("payer id is empty")
        settings.payers = [p for p in settings.payers if p.payer_id != pid]
        if value:
            name, _, plan = value.partition("|")
            settings.payers.append(Payer(name.strip(), pid, plan.strip().upper()))
        return
    if key not in SETTABLE:
        raise SettingError(f"unknown setting {key!r}; settable: {', '.join(SETTABLE)}")
    if key == "npi" and not npi_is_valid(value):
        raise SettingError(npi_problem(value))
    if key == "tax_id":
        value = value.replace("-", "")
        if not TAX_ID_RE.fullmatch(value):
            raise SettingError("tax id must be 9 digits (EIN)")
    if key == "address.zip":
        value = value.replace("-", "")
        if not ZIP9_RE.fullmatch(value):
            raise SettingError("billing provider ZIP must be 9 digits (ZIP+4)")
    if key == "address.state":
        value = value.upper()
        if not STATE_RE.fullmatch(value):
            raise SettingError("state must be a 2-letter code")
    if key == "taxonomy":
        value = value.upper()
        if not TAXONOMY_RE.fullmatch(value):
            raise SettingError("taxonomy code must be 10 characters (e.g. 207Q00000X)")
    if key == "default_charge" and value:
        amount = money(value)
        if amount is None or amount < 0:
            raise SettingError(f"default charge must be an amount, got {value!r}")
        value = str(amount)
    if key in ("phone", "submitter_phone"):
        value = re.sub(r"[^0-9]", "", value)
        if value and len(value) != 10:
            raise SettingError("phone must be 10 digits")
    if key in ("billing_name", "submitter_id", "receiver_id") and not value:
        raise SettingError(f"{key} cannot be empty")
    if key == "coder_id":
        # Marked so save() writes it even when cleared (empty: sign as the OS user again).
        settings._coder_id_explicit = True  # type: ignore[attr-defined]
    if key.startswith("address."):
        setattr(settings.address, key.split(".", 1)[1], value)
    else:
        setattr(settings, key, value)


def get_value(settings: PracticeSettings, key: str) -> Any:
    if key.startswith("address."):
        return getattr(settings.address, key.split(".", 1)[1])
    if key.startswith("fee."):
        return settings.fee_schedule.get(key[4:].upper())
    return getattr(settings, key)
