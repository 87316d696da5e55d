"""Required fields and formats: what an 837P cannot be sent without, and provider queries."""
from __future__ import annotations

import re
from functools import lru_cache
from datetime import date as Date

from workstation.billing import x12_text as x12
from workstation.billing.edits.model import Edit, ScrubContext
from workstation.cases.npi import npi_problem
from workstation.billing.settings import ZIP_RE
from workstation.codes import hcpcs
from workstation.codes.formats import POS_FORMAT

X12 = "X12 837P 5010 required field"
ACCIDENT_CODES = {"AA": "auto accident", "EM": "employment", "OA": "other accident"}



@lru_cache(maxsize=1)
def _pos_codes() -> frozenset[str]:
    return frozenset(hcpcs.place_of_service())


def _date(text: str) -> Date | None:
    try:
        return Date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def _check_accident_date(text: str, code: str, dos: Date | None, dob: Date | None, err) -> None:
    source = "X12 837P 5010 DTP*439 (accident date); CMS-1500 boxes 14/15"
    if not text:
        err("field.accident_date", f"The claim says {ACCIDENT_CODES[code]} ({code}) but gives no accident date: "
            "add the date of the accident or injury.", "encounter.accident_date", source)
        return
    when = _date(text)
    if when is None:
        err("field.accident_date", "The accident date is not a valid date (YYYY-MM-DD).",
            "encounter.accident_date", source)
    elif dos is not None and when > dos:
        err("field.accident_date", "The accident date is after the date of service.",
            "encounter.accident_date", source)
    elif dob is not None and when < dob:
        err("field.accident_date", "The accident date is before the patient's date of birth.",
            "encounter.accident_date", source)


def _check_facility(fac, err) -> None:
    source = "X12 837P 5010 loop 2310C service facility; CMS-1500 box 32"
    if not fac.name.strip():
        err("field.facility_name", "The service facility has no name.", "encounter.facility", f"{source} NM103")
    a = fac.address
    if not a.city.strip() or not re.fullmatch(r"[A-Z]{2}", a.state or ""):
        err("field.facility_address", "The service facility's city or 2-letter state is missing.",
            "encounter.facility_address", f"{source} N4")
    if not re.fullmatch(r"[0-9]{9}", (a.zip or "").replace("-", "")):
        err("field.facility_zip", "The service facility ZIP must be the full 9 digits (ZIP+4).",
            "encounter.facility_address.zip", f"{source} N403")
    if fac.npi and (p := npi_problem(fac.npi)):
        err("field.facility_npi", f"Service facility {p}; the claim goes without it.",
            "encounter.facility_npi", f"{source} NM109", "warning")


def _check_x12_name(person, who: str, target: str, source: str, err) -> None:
    """A name that X12 cannot carry: the 837P writer's own cleaning (ASCII after folding accents,
    no delimiters) leaves nothing of it, so the export would hold the claim (last name) or send it
    without the name the payer matches on (first name). The message never repeats the name."""
    from workstation.billing.x12_text import clean  # the very function the writer uses

    for part in ("last", "first"):
        value = getattr(person, part, "") or ""
        if value.strip() and not clean(value):
            err(f"field.{who}_name_x12",
                f"The {who}'s {part} name has no characters an 837P can carry (after accents are folded, only "
                "A-Z, digits and basic punctuation remain): enter it in Latin letters as on the insurance card.",
                target, source)


def _check_x12_elements(ctx: ScrubContext, err) -> None:
    """The element rules of pyx12's 837P map that case data can break, checked on each value as
    the writer cleans it (billing/x12_text.py): a claim that breaks one would make pyx12 reject the
    whole file, so it is held here, per claim, with the element named. Messages never repeat
    the value (it may be patient data)."""
    claim, case = ctx.claim, ctx.case
    src = "X12 837P 5010 (pyx12 837P map)"

    def check(rule: x12.Element, value: str, edit_id: str, target: str, what: str = "") -> None:
        problem = rule.problem(value)
        if problem:
            err(edit_id, f"The {what or rule.name} {problem}.", target, f"{src} {rule.ref}")

    def address(person, who: str, target: str) -> None:
        a = person.address
        if a.line1.strip():
            check(x12.ADDRESS_LINE, x12.clean(a.line1, 55), f"field.{who}_address_x12", target, f"{who}'s street address")
        if a.city.strip():
            check(x12.CITY, x12.clean(a.city, 30), f"field.{who}_city_x12", target, f"{who}'s city")
        if a.state.strip() and x12.alnum(a.state) not in x12.STATES:
            err(f"field.{who}_state_x12", f"The {who}'s state is not a US state or territory, military post "
                "code or Canadian province code.", target, f"{src} N402, {x12.STATE_LIST}")

    check(x12.CLAIM_ID, x12.clean(claim.claim_id, 38).replace(" ", ""), "field.claim_id_x12", "case_id")
    address(case.patient, "patient", "patient.address")
    for n, line in enumerate(claim.lines, 1):
        if line.code:
            check(x12.PROCEDURE_CODE, x12.alnum(line.code, 48), "line.code_x12", f"line {n}", f"line {n} procedure code")
        for m in line.modifiers[:4]:
            if len(x12.alnum(m, 2)) != 2:
                err("line.modifier_x12", f"Line {n}: a modifier must be 2 letters or digits.", f"line {n}",
                    f"{src} {x12.MODIFIER.ref}")
    if claim.accident is not None and claim.accident.code == "AA" and claim.accident.state \
            and x12.alnum(claim.accident.state) not in x12.STATES:
        err("field.accident_state_x12", "The auto accident state is not a US state or territory, military "
            "post code or Canadian province code.", "encounter.accident_state", f"{src} CLM11-4, {x12.STATE_LIST}")
    rp = claim.rendering_provider
    if rp is not None and rp.npi and rp.npi != claim.billing_provider.npi:
        check(x12.RENDERING_NAME, x12.clean(rp.name.partition(",")[0].strip(), 60), "field.rendering_name_x12",
              "encounter.rendering_provider.name")
    fac = claim.facility
    if fac is not None:
        check(x12.FACILITY_NAME, x12.clean(fac.name, 60), "field.facility_name_x12", "encounter.facility")
        if fac.address.city.strip():
            check(x12.CITY, x12.clean(fac.address.city, 30), "field.facility_city_x12", "encounter.facility_address",
                  "service facility's city")
        if re.fullmatch(r"[A-Z]{2}", fac.address.state or "") and fac.address.state not in x12.STATES:
            err("field.facility_state_x12", "The service facility's state is not a US state or territory, "
                "military post code or Canadian province code.", "encounter.facility_address",
                f"{src} 2310C N402, {x12.STATE_LIST}")
    if claim.self_pay:
        return
    cov = case.coverage
    if cov.payer_id.strip():
        check(x12.PAYER_ID, x12.ident(cov.payer_id, 80), "field.payer_id_x12", "coverage.payer_id")
    if cov.payer_name.strip():
        check(x12.PAYER_NAME, x12.clean(cov.payer_name, 60), "field.payer_name_x12", "coverage.payer_name")
    if cov.member_id.strip():
        check(x12.MEMBER_ID, x12.ident(cov.member_id, 80), "field.member_id_x12", "coverage.member_id")
    if claim.frequency in ("7", "8") and claim.payer_claim_number.strip():
        check(x12.PAYER_CLAIM_NUMBER, x12.ident(claim.payer_claim_number, 50), "claim.payer_claim_number_x12",
              "work.payer_claim_number")


def check_fields(ctx: ScrubContext) -> list[Edit]:
    claim, case, settings = ctx.claim, ctx.case, ctx.settings
    out: list[Edit] = []

    def err(edit_id: str, message: str, target: str, source: str = X12, severity: str = "error") -> None:
        out.append(Edit(edit_id, severity, message, source, target))

    # Practice (billing provider, submitter, receiver).
    for field_name, problem in settings.problems():
        err(f"settings.{field_name}", f"Practice settings: {problem}.", f"settings.{field_name}",
            "X12 837P 5010 loop 2010AA billing provider" if field_name in ("npi", "tax_id", "address.zip", "billing_name")
            or field_name.startswith("address.") else X12)
    # Rendering provider
    rp = claim.rendering_provider
    if rp is not None and rp.npi and (p := npi_problem(rp.npi)):
        err("field.rendering_npi", f"Rendering provider {p}.", "encounter.rendering_provider.npi",
            "X12 837P 5010 loop 2310B rendering provider NPI")

    # Date of service
    dos = ctx.dos
    if dos is None:
        err("field.dos", f"The date of service {claim.date_of_service!r} is not a valid date (YYYY-MM-DD).",
            "date_of_service", f"{X12} DTP*472")
    elif dos > ctx.today:
        err("field.dos_future", f"The date of service {claim.date_of_service} is in the future: a claim "
            "is billed after the service.", "date_of_service", f"{X12} DTP*472")
    if ctx.inpatient:
        admit, discharge = _date(claim.admit_date), _date(claim.discharge_date)
        if admit is None:
            err("field.admit_date", "Inpatient stay without a valid admission date.", "encounter.admit_date",
                "X12 837P 5010 DTP*435 (admission date, inpatient)")
        elif discharge is not None and discharge < admit:
            err("field.discharge_date", "The discharge date is before the admission date.",
                "encounter.discharge_date", "X12 837P 5010 DTP*096")
    if not POS_FORMAT.match(claim.place_of_service or ""):
        err("field.pos", f"Place of service {claim.place_of_service!r} is not a two-digit CMS code.",
            "encounter.place_of_service", f"{X12} CLM05-1")
    elif claim.place_of_service not in _pos_codes():
        err("field.pos", f"Place of service {claim.place_of_service} is not in the CMS Place of Service code set.",
            "encounter.place_of_service", "CMS Place of Service code set")

    # Patient
    p = case.patient
    if not p.last.strip() or not p.first.strip():
        err("field.patient_name", "The patient's first or last name is missing.", "patient.name",
            f"{X12} NM1*QC / NM1*IL")
    else:
        _check_x12_name(p, "patient", "patient.name", f"{X12} NM1*QC / NM1*IL", err)
    dob = _date(p.dob)
    if dob is None:
        err("field.patient_dob", "The patient's date of birth is missing or not a valid date.", "patient.dob",
            f"{X12} DMG02")
    elif dos is not None and dob > dos:
        err("field.patient_dob", "The patient's date of birth is after the date of service.", "patient.dob",
            f"{X12} DMG02")
    sex = (p.sex or "").upper()
    if sex not in ("F", "M", "U"):
        err("field.patient_sex", "The patient's sex is missing (F, M or U).", "patient.sex", f"{X12} DMG03")
    elif sex == "U":
        err("field.patient_sex", "The patient's sex is unknown (U): sex-specific code edits cannot be checked, "
            "and some payers reject U.", "patient.sex", f"{X12} DMG03", "warning")
    zip_ = p.address.zip.replace("-", "")
    if not zip_:
        err("field.patient_zip", "The patient's ZIP code is missing.", "patient.address.zip", f"{X12} N403")
    elif not ZIP_RE.fullmatch(zip_):
        err("field.patient_zip", "The patient's ZIP code must be 5 or 9 digits.", "patient.address.zip", f"{X12} N403")
    if not p.address.line1.strip() or not p.address.city.strip() or not p.address.state.strip():
        err("field.patient_address", "The patient's street, city or state is missing.", "patient.address",
            f"{X12} N3/N4")

    # Accident
    if claim.accident is not None:
        if claim.accident.code not in ACCIDENT_CODES:
            err("field.accident", f"Accident indicator {claim.accident.code!r} is not AA, EM or OA.",
                "encounter.accident", f"{X12} CLM11")
        elif claim.accident.code == "AA" and not re.fullmatch(r"[A-Z]{2}", claim.accident.state or ""):
            err("field.accident_state", "An auto accident needs the state where it happened.",
                "encounter.accident_state", f"{X12} CLM11-4")
        if claim.accident.code in ACCIDENT_CODES:
            _check_accident_date(claim.accident.date, claim.accident.code, dos, dob, err)

    # Service facility (2310C): only when the care was given away from the billing provider's office.
    if claim.facility is not None:
        _check_facility(claim.facility, err)

    # Payer and subscriber: none of this applies to a self-pay case.
    if claim.self_pay:
        out.append(Edit("selfpay.statement", "info",
                        "Self-pay: no claim is sent; the patient gets a statement of these charges.",
                        "Practice billing", "coverage"))
    else:
        cov = case.coverage
        if not cov.payer_name.strip():
            err("field.payer_name", "The payer name is missing.", "coverage.payer_name", f"{X12} NM1*PR (2010BB)")
        if not cov.payer_id.strip():
            err("field.payer_id", "The payer id is missing: add the payer's electronic id.", "coverage.payer_id",
                f"{X12} NM1*PR09 (2010BB)")
        if not cov.member_id.strip():
            err("field.member_id", "The member id is missing: copy it from the insurance card.",
                "coverage.member_id", f"{X12} NM1*IL09 (2010BA)")
        if claim.frequency in ("7", "8") and not claim.payer_claim_number.strip():
            err("claim.payer_claim_number", "This case was sent before, so the claim goes as a replacement "
                "(frequency 7), which must name the payer's claim number of the original: add it "
                "(workstation code CASE --payer-claim-number NUMBER).", "work.payer_claim_number",
                f"{X12} REF*F8 (2300) with CLM05-3 7; CMS-1500 box 22")
        if claim.relationship != "18":
            if cov.subscriber is None:
                err("field.subscriber", "The patient is not the subscriber, but the subscriber is missing.",
                    "coverage.subscriber", f"{X12} loop 2010BA")
            else:
                if not _date(cov.subscriber.dob):
                    err("field.subscriber_dob", "The subscriber's date of birth is missing.",
                        "coverage.subscriber.dob", f"{X12} DMG02 (2010BA)")
                _check_x12_name(cov.subscriber, "subscriber", "coverage.subscriber.name",
                                f"{X12} NM1*IL (2010BA)", err)

    _check_x12_elements(ctx, err)

    # Open provider queries: the documentation is not settled yet.
    open_q = ctx.work.open_queries
    if open_q:
        err("query.open", f"{len(open_q)} provider quer{'y is' if len(open_q) == 1 else 'ies are'} still open: "
            "wait for the answer before the claim goes out.", "queries", "Coding compliance (provider query)")
    return out
