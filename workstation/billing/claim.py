"""The professional claim (CMS-1500 / 837P) built from a coded case.

Plain data for the exporters, the claim preview and the scrubber. Nothing is checked here:
`build_claim` copies what the coder entered (so the scrubber can report what is wrong with it)
and fills in only what the practice settings supply (billing provider, default charges).
Diagnosis codes stay dotted as published; the X12 writer strips the dots.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from workstation.billing.money import money
from workstation.billing.settings import PracticeSettings
from workstation.cases.model import Address, Case, Person, Provider
from workstation.session.work import CaseWork

DX_LETTERS = "ABCDEFGHIJKL"  # CMS-1500 box 21: up to 12 diagnoses
MAX_DIAGNOSES = 12
MAX_LINES = 50  # 837P loop 2400 repeats at most 50 times
MAX_POINTERS = 4
MAX_MODIFIERS = 4

# Patient's relationship to the subscriber -> X12 individual relationship code (SBR02 / PAT01).
RELATIONSHIP_CODES = {"self": "18", "spouse": "01", "child": "19", "other": "G8"}

# Claim filing indicator (SBR09).
FILING_INDICATORS = {
    "09": "Self-pay",
    "11": "Other non-federal programs",
    "12": "Preferred provider organization (PPO)",
    "13": "Point of service (POS)",
    "14": "Exclusive provider organization (EPO)",
    "15": "Indemnity insurance",
    "16": "Health maintenance organization (HMO) Medicare risk",
    "17": "Dental maintenance organization",
    "AM": "Automobile medical",
    "BL": "Blue Cross/Blue Shield",
    "CH": "CHAMPUS (TRICARE)",
    "CI": "Commercial insurance",
    "DS": "Disability",
    "FI": "Federal employees program",
    "HM": "Health maintenance organization",
    "LM": "Liability medical",
    "MA": "Medicare Part A",
    "MB": "Medicare Part B",
    "MC": "Medicaid",
    "OF": "Other federal program",
    "TV": "Title V",
    "VA": "Veterans Affairs plan",
    "WC": "Workers' compensation health claim",
    "ZZ": "Mutually defined",
}
_PLAN_WORDS = {
    "medicare": "MB", "medicare part b": "MB", "medicare part a": "MA", "medicare advantage": "16",
    "medicaid": "MC", "commercial": "CI", "private": "CI", "bcbs": "BL", "blue cross": "BL",
    "hmo": "HM", "ppo": "12", "tricare": "CH", "champus": "CH", "va": "VA", "workers comp": "WC",
    "workers' compensation": "WC", "auto": "AM", "self pay": "09", "self_pay": "09",
}


def filing_indicator(plan_type: str) -> str:
    """SBR09 from the coverage's plan type: a code as given (MB, MC, CI ...) or a plain word."""
    p = (plan_type or "").strip()
    if p.upper() in FILING_INDICATORS:
        return p.upper()
    return _PLAN_WORDS.get(p.lower(), "CI" if p else "ZZ")


@dataclass
class Payer:
    name: str
    payer_id: str


@dataclass
class BillingProvider:
    name: str
    npi: str
    tax_id: str
    taxonomy: str
    address: Address
    phone: str = ""


def billing_provider_from_settings(settings: PracticeSettings) -> BillingProvider:
    """The billing provider (837P loop 2010AA, CMS-1500 box 33) as the practice settings give it."""
    return BillingProvider(
        settings.billing_name, settings.npi, settings.tax_id, settings.taxonomy, settings.address, settings.phone
    )


@dataclass
class Accident:
    code: str  # AA auto, EM employment, OA other
    state: str = ""  # required by X12 for an auto accident
    date: str = ""  # YYYY-MM-DD: 837P DTP*439, CMS-1500 boxes 14 (qualifier 431) and 15 (qualifier 439)


@dataclass
class ServiceFacility:
    """Where the care was given when that is not the billing provider's office (837P 2310C, box 32)."""

    name: str
    address: Address
    npi: str = ""  # as entered; the writer sends it only when the check digit is valid


@dataclass
class ClaimDiagnosis:
    letter: str  # A-L
    code: str  # ICD-10-CM, dotted


@dataclass
class ClaimLine:
    number: int  # 1-based
    date: str  # YYYY-MM-DD
    place_of_service: str
    code: str  # HCPCS Level II or CPT
    modifiers: list[str]
    units: Decimal
    charge: Decimal | None  # None: no charge on the line, in the fee schedule, or by default
    pointers: list[str]  # diagnosis letters A-L as the coder entered them
    rendering_npi: str = ""
    charge_source: str = "line"  # line, fee_schedule, default, none
    ndc: str = ""  # as entered on the line; workstation.billing.ndc normalizes it for the 837P
    ndc_quantity: Decimal | None = None
    ndc_unit: str = ""

    def pointer_numbers(self) -> list[int]:
        """Pointers as the 837P wants them (1-12), skipping anything that is not a letter A-L."""
        return [DX_LETTERS.index(p) + 1 for p in self.pointers if len(p) == 1 and p in DX_LETTERS]


@dataclass
class Claim:
    claim_id: str  # patient control number (CLM01): the case id
    patient: Person
    subscriber: Person  # the patient when the patient is the subscriber
    relationship: str  # X12 code: 18 self, 01 spouse, 19 child, G8 other
    payer: Payer | None  # None for self-pay
    member_id: str
    group_number: str
    filing_indicator: str  # SBR09: MB, MC, CI ...
    billing_provider: BillingProvider
    rendering_provider: Provider | None
    service_facility: str  # the facility's name as the case gives it (may be the practice itself)
    date_of_service: str
    place_of_service: str
    diagnoses: list[ClaimDiagnosis]
    lines: list[ClaimLine]
    total_charge: Decimal
    prior_authorization: str = ""
    accident: Accident | None = None
    facility: ServiceFacility | None = None  # set when the place of service needs a 2310C loop
    frequency: str = "1"  # CLM05-3: 1 original claim, 7 replacement of a claim sent before
    payer_claim_number: str = ""  # REF*F8 / CMS-1500 box 22 original ref. no. (replacement claims)
    self_pay: bool = False
    encounter_type: str = ""
    admit_date: str = ""
    discharge_date: str = ""
    inpatient_procedures: list[str] = field(default_factory=list)  # ICD-10-PCS (not on an 837P)
    extra_diagnoses: list[str] = field(default_factory=list)  # past the 12th: cannot go on the claim

    @property
    def patient_is_subscriber(self) -> bool:
        return self.relationship == "18"

    def diagnosis(self, letter: str) -> ClaimDiagnosis | None:
        return next((d for d in self.diagnoses if d.letter == letter), None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: Decimals as strings with 2 places (units without trailing zeros)."""
        d = asdict(self)
        d["total_charge"] = str(self.total_charge)
        for out, line in zip(d["lines"], self.lines):
            out["units"] = format_units(line.units)
            out["charge"] = None if line.charge is None else str(line.charge)
            out["ndc_quantity"] = None if line.ndc_quantity is None else format_units(line.ndc_quantity)
        return d


# Places of service at the billing provider's own location: no separate service facility.
# (02/10 telehealth: the patient is elsewhere; 12 home: the patient's own address is on the claim.)
OFFICE_POS = frozenset({"11", "02", "10", "12"})


def service_facility_for(case: Case, settings: PracticeSettings) -> ServiceFacility | None:
    """The 2310C service facility: when the place of service is not the billing provider's office
    (inpatient 21, outpatient hospital 22, emergency room 23, surgery center 24 ...), a facility
    address is known, and it is not the billing provider's own address."""
    enc = case.encounter
    addr = enc.facility_address
    if enc.place_of_service in OFFICE_POS or addr is None or not addr.line1.strip():
        return None
    mine = settings.address

    def key(a: Address) -> tuple[str, ...]:
        return tuple(" ".join(x.split()).casefold() for x in (a.line1, a.line2, a.city, a.state, a.zip[:5]))

    if key(addr) == key(mine):
        return None
    # No name is left empty (not guessed): the scrubber reports it, as NM103 is required.
    return ServiceFacility(enc.facility.strip(), addr, enc.facility_npi.strip())


def format_units(units: Decimal) -> str:
    """1 -> "1", 1.5 -> "1.5" (X12 SV104 and CMS-1500 24G)."""
    text = format(units.normalize(), "f")
    return text


def _units(value: Any) -> Decimal:
    try:
        return Decimal(str(value if value not in (None, "") else 0))
    except Exception:  # noqa: BLE001 - nonsense units become 0 and the scrubber reports them
        return Decimal(0)


def build_claim(case: Case, work: CaseWork, settings: PracticeSettings | None = None) -> Claim:
    """The claim for a coded case, as the coder has it now (the scrubber says what is wrong)."""
    settings = settings or PracticeSettings()
    enc = case.encounter
    cov = case.coverage
    dos = enc.coding_date  # inpatient: the discharge date decides the code year and is the claim's date

    relationship = RELATIONSHIP_CODES.get((cov.relationship or "self").lower(), "G8")
    subscriber = cov.subscriber if (cov.subscriber is not None and relationship != "18") else case.patient
    payer = None if cov.self_pay else Payer(cov.payer_name, cov.payer_id)

    dx = [ClaimDiagnosis(DX_LETTERS[i], code) for i, code in enumerate(work.diagnoses[:MAX_DIAGNOSES])]
    rendering = enc.rendering_provider if (enc.rendering_provider and (enc.rendering_provider.npi or enc.rendering_provider.name)) else None
    rendering_npi = rendering.npi if rendering else ""

    lines: list[ClaimLine] = []
    for n, sl in enumerate(work.lines, start=1):
        code = (sl.code or "").strip().upper()
        charge = money(sl.charge) if sl.charge is not None else None
        source = "line"
        if sl.charge is None:
            units = _units(sl.units)
            fee = settings.fee_for(code)
            source = "fee_schedule"
            if fee is None:
                fee, source = settings.default_fee(), "default"
            if fee is None:
                source = "none"
            # A fee is per unit; the line charge is fee x units.
            charge = None if fee is None else (fee * (units if units > 0 else 1)).quantize(Decimal("0.01"))
        lines.append(
            ClaimLine(
                number=n,
                date=sl.date or dos,
                place_of_service=enc.place_of_service,
                code=code,
                modifiers=[m.strip().upper() for m in sl.modifiers if m and m.strip()],
                units=_units(sl.units),
                charge=charge,
                pointers=[p.strip().upper() for p in sl.pointers if p and p.strip()],
                rendering_npi=rendering_npi,
                charge_source=source,
                ndc=(getattr(sl, "ndc", "") or "").strip(),
                ndc_quantity=None if getattr(sl, "ndc_quantity", None) is None else _units(sl.ndc_quantity),
                ndc_unit=(getattr(sl, "ndc_unit", "") or "").strip().upper(),
            )
        )
    total = sum((l.charge for l in lines if l.charge is not None), Decimal("0.00")).quantize(Decimal("0.01"))

    accident = Accident(enc.accident, enc.accident_state, enc.accident_date) if enc.accident else None
    return Claim(
        claim_id=case.case_id,
        patient=case.patient,
        subscriber=subscriber,
        relationship=relationship,
        payer=payer,
        member_id=cov.member_id,
        group_number=cov.group_number,
        filing_indicator="09" if cov.self_pay else filing_indicator(cov.plan_type),
        billing_provider=billing_provider_from_settings(settings),
        rendering_provider=rendering,
        service_facility=enc.facility,
        date_of_service=dos,
        place_of_service=enc.place_of_service,
        diagnoses=dx,
        lines=lines,
        total_charge=total,
        prior_authorization=cov.prior_authorization,
        accident=accident,
        facility=service_facility_for(case, settings),
        # A professional claim sent before: this one replaces it (NUBC frequency 7).
        frequency="7" if work.sent_before_as(facility=False) and not cov.self_pay else "1",
        payer_claim_number=work.payer_claim_number,
        self_pay=cov.self_pay,
        encounter_type=enc.type,
        admit_date=enc.admit_date,
        discharge_date=enc.discharge_date,
        inpatient_procedures=list(work.procedures),
        extra_diagnoses=list(work.diagnoses[MAX_DIAGNOSES:]),
    )
