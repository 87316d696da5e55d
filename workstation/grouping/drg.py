"""MS-DRG grouping of an inpatient case, by the grouper version of its discharge date.

The grouper is the `msdrg` package (MIT; a Zig port of the CMS Java MS-DRG grouper and MCE,
validated by its authors claim-by-claim against the CMS Java programs on 50,000+ claims, with its
CMS tables in the wheel: it runs offline). This module only turns a coded case into the package's
claim and its answer into what a coder reads: the DRG, MDC, what decided it, and the role of each
secondary diagnosis (MCC, CC, excluded as CC/MCC by the principal, none).

Not in the package, and not shipped here: the relative weight and geometric / arithmetic mean
length of stay of each DRG (CMS IPPS final rule Table 5 of the fiscal year). They come from the
Table 5 the user installs (`workstation codebooks install`, grouping/drg_weights.py); until then
`DrgResult.weight`, `gmlos` and `amlos` stay None and `weight_note` says exactly why, rather than
showing invented figures.
"""
from __future__ import annotations

import atexit
import threading
from dataclasses import asdict, dataclass, field
from datetime import date as Date
from typing import Any

from workstation.cases.model import Case
from workstation.grouping.versions import GrouperVersion, NoGrouperVersion, version_for
from workstation.session.work import CaseWork

WEIGHT_NOTE = ("relative weight, GMLOS and AMLOS are not shipped: they come from Table 5 of the CMS IPPS "
               "final rule of the fiscal year, which neither the msdrg package nor the project's code-set "
               "sources contain")
SEX_CODES = {"M": 0, "F": 1}  # msdrg: 0 male, 1 female, 2 unknown
ASSUMED_STATUS = "01"


class GroupingError(ValueError):
    """The case cannot be grouped (not inpatient, no principal diagnosis, no grouper for the date)."""


@dataclass
class DiagnosisRole:
    code: str  # dotted, as coded
    poa: str  # as entered ("" none)
    severity: str  # the code's own level on the grouper's list: MCC, CC or NONE
    role: str  # what it does on this claim: "MCC", "CC", "excluded" (by the principal), "" (nothing)
    drives: bool  # marked by the grouper as deciding the final DRG
    flags: list[str] = field(default_factory=list)
    hac: list[str] = field(default_factory=list)  # hospital-acquired condition categories it falls in

    @property
    def hac_not_poa(self) -> bool:
        """A hospital-acquired condition that was not present on admission (N or U): Medicare does
        not count it as a CC/MCC."""
        return bool(self.hac) and self.poa in ("N", "U")

    def describe(self) -> str:
        if self.hac_not_poa:
            return (f"{self.code}: {self.severity} on the list, but a hospital-acquired condition "
                    f"({', '.join(self.hac)}) not present on admission: not counted")
        if self.role == "excluded":
            return f"{self.code}: {self.severity} on the list, excluded as {self.severity} by the principal diagnosis"
        if self.role in ("MCC", "CC"):
            return f"{self.code}: {self.role}" + (" (decides the severity)" if self.drives else "")
        return f"{self.code}: not a CC/MCC"


@dataclass
class ProcedureRole:
    code: str
    operating_room: bool
    drives: bool


@dataclass
class DrgResult:
    case_id: str
    version: int  # msdrg number, e.g. 431
    version_label: str  # v43.1
    fiscal_year: int
    discharge_date: str
    drg: int | None
    drg_title: str
    mdc: int | None
    mdc_title: str
    severity: str  # the split the claim grouped to: MCC, CC or NONE
    return_code: str  # OK, or why it is ungroupable (INVALID_PDX ...)
    initial_drg: int | None  # before hospital-acquired-condition processing
    principal: DiagnosisRole | None
    secondaries: list[DiagnosisRole]
    procedures: list[ProcedureRole]
    age: int
    sex: str
    patient_status: str
    patient_status_assumed: bool
    weight: float | None = None
    gmlos: float | None = None
    amlos: float | None = None
    weight_note: str = WEIGHT_NOTE
    hac_status: str = ""

    @property
    def ok(self) -> bool:
        return self.return_code == "OK"

    @property
    def mccs(self) -> list[str]:
        return [d.code for d in self.secondaries if d.role == "MCC"]

    @property
    def ccs(self) -> list[str]:
        return [d.code for d in self.secondaries if d.role == "CC"]

    @property
    def excluded(self) -> list[str]:
        return [d.code for d in self.secondaries if d.role == "excluded"]

    def decided_by(self) -> list[str]:
        """Why this DRG, in a coder's words."""
        out: list[str] = []
        if not self.ok:
            out.append(f"ungroupable: {self.return_code.replace('_', ' ').lower()}")
            return out
        if self.principal:
            out.append(f"principal diagnosis {self.principal.code} -> MDC {self.mdc:02d} {self.mdc_title}"
                       if self.mdc is not None else f"principal diagnosis {self.principal.code} (pre-MDC)")
        surgical = [p.code for p in self.procedures if p.drives]
        if surgical:
            out.append("procedure " + ", ".join(surgical) + " decides the surgical DRG family")
        elif self.procedures:
            out.append("medical DRG: no procedure coded moves it into a surgical family")
        hac_initial = self.initial_drg is not None and self.initial_drg != self.drg
        drivers = [d.code for d in self.secondaries if d.drives and d.role in ("MCC", "CC")
                   and not (hac_initial and d.hac_not_poa)]
        coded = [f"{d.code} {d.role}" for d in self.secondaries if d.role in ("MCC", "CC") and not d.hac_not_poa]
        if drivers:
            out.append(f"with {self.severity}: " + ", ".join(drivers))
        elif coded:
            out.append("no secondary diagnosis moves the DRG: " + ", ".join(coded)
                       + " coded, but this DRG family does not split on it")
        else:
            out.append("no secondary diagnosis is a CC or MCC")
        if self.excluded:
            out.append("excluded as CC/MCC by the principal: " + ", ".join(self.excluded))
        if self.initial_drg is not None and self.initial_drg != self.drg:
            out.append(f"hospital-acquired condition not present on admission: DRG {self.initial_drg} became {self.drg}")
        if self.patient_status_assumed:
            out.append(f"patient status not entered: grouped as {ASSUMED_STATUS} (discharged home)")
        return out

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["decided_by"] = self.decided_by()
        d["mccs"], d["ccs"], d["excluded"] = self.mccs, self.ccs, self.excluded
        return d


# ------------------------------------------------------------------ the grouper, opened once

_lock = threading.Lock()
_grouper: Any = None


def _get_grouper() -> Any:
    """The msdrg grouper, opened on first use (a few ms: it memory-maps its tables) and shared;
    msdrg documents it as thread-safe after initialisation. Calls are serialised anyway."""
    global _grouper
    if _grouper is None:
        import msdrg

        _grouper = msdrg.MsdrgGrouper()
        atexit.register(_close)
    return _grouper


def _close() -> None:
    global _grouper
    if _grouper is not None:
        _grouper.close()
        _grouper = None


def warm_up() -> None:
    with _lock:
        _get_grouper()


# ------------------------------------------------------------------ case -> claim -> result

def bare(code: str) -> str:
    return code.replace(".", "").strip().upper()


def _age(dob: str, on: Date) -> int:
    try:
        born = Date.fromisoformat(dob)
    except (TypeError, ValueError):
        raise GroupingError("the patient's date of birth is missing or not a date: the grouper needs the age")
    if born > on:
        raise GroupingError("the patient's date of birth is after the admission")
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def discharge_of(case: Case) -> Date:
    enc = case.encounter
    raw = enc.discharge_date or enc.date_of_service
    try:
        return Date.fromisoformat(raw)
    except (TypeError, ValueError):
        raise GroupingError("the discharge date is missing or not a date") from None


@dataclass
class GroupInput:
    """What the grouper reads, apart from the case: lets the what-if code regroup variations."""

    diagnoses: list[str]
    procedures: list[str]
    poa: dict[str, str]
    patient_status: str


def input_of(work: CaseWork) -> GroupInput:
    return GroupInput(list(work.diagnoses), list(work.procedures), dict(work.poa), work.stay.patient_status)


def group_case(case: Case, work: CaseWork) -> DrgResult:
    """Group the case as coded now. GroupingError when it cannot be grouped at all."""
    return group_input(case, input_of(work))


def group_input(case: Case, gi: GroupInput) -> DrgResult:
    if case.encounter.type != "inpatient":
        raise GroupingError(f"case {case.case_id} is not an inpatient stay: MS-DRGs group inpatient discharges")
    if not gi.diagnoses:
        raise GroupingError("no principal diagnosis is coded yet")
    discharge = discharge_of(case)
    try:
        version = version_for(discharge)
    except NoGrouperVersion as exc:
        raise GroupingError(str(exc)) from None
    enc = case.encounter
    try:
        admitted = Date.fromisoformat(enc.admit_date) if enc.admit_date else discharge
    except ValueError:
        admitted = discharge
    age = _age(case.patient.dob, admitted)  # the grouper's age is the age at admission
    status = gi.patient_status or ASSUMED_STATUS
    claim = build_msdrg_claim(version, age, case.patient.sex, status, gi)
    with _lock:
        raw = _get_grouper().group(claim)
    result = _result(case.case_id, version, discharge, age, case.patient.sex, status,
                     not gi.patient_status, gi, raw)
    from workstation.grouping.drg_weights import weight_of

    w, why = weight_of(result.drg, discharge)
    if w is not None:
        result.weight, result.gmlos, result.amlos, result.weight_note = w.weight, w.gmlos, w.amlos, ""
    else:
        result.weight_note = why
    return result


def _poa_for_grouper(value: str) -> str:
    # E (exempt) goes to the grouper blank, as on the claim; msdrg takes Y N U W or blank.
    return value if value in ("Y", "N", "U", "W") else " "


def build_msdrg_claim(version: GrouperVersion, age: int, sex: str, status: str, gi: GroupInput) -> dict[str, Any]:
    dx = [{"code": bare(c), "poa": _poa_for_grouper(gi.poa.get(c, ""))} for c in gi.diagnoses]
    return {
        "version": version.number,
        "age": age,
        "sex": SEX_CODES.get((sex or "").upper(), 2),
        "discharge_status": int(status),
        "pdx": dx[0],
        "sdx": dx[1:],
        "procedures": [{"code": bare(p)} for p in gi.procedures],
    }


def _role(out: dict[str, Any], code: str, poa: str, principal: bool) -> DiagnosisRole:
    flags = list(out.get("flags") or [])
    severity = str(out.get("severity") or "NONE")
    drives = "MARKED_FOR_FINAL" in flags
    if principal:
        role = ""
    elif "EXCLUDED" in flags or "CC_EXCLUDED" in flags or "MCC_EXCLUDED" in flags:
        role = "excluded"
    elif severity in ("MCC", "CC"):
        role = severity
    else:
        role = ""
    hac = [str(h.get("hac_list") or h.get("hac_number")) for h in (out.get("hacs") or [])]
    return DiagnosisRole(code, poa, severity, role, drives, flags, hac)


def _result(case_id: str, version: GrouperVersion, discharge: Date, age: int, sex: str, status: str,
            assumed: bool, gi: GroupInput, raw: dict[str, Any]) -> DrgResult:
    pdx_out = raw.get("pdx_output")
    principal = _role(pdx_out, gi.diagnoses[0], gi.poa.get(gi.diagnoses[0], ""), True) if pdx_out else None
    # msdrg returns the secondaries sorted by code, not in claim order: match them by code.
    outs = {str(o.get("code")): o for o in raw.get("sdx_output") or []}
    secondaries = []
    for c in gi.diagnoses[1:]:
        o = outs.get(bare(c))
        if o is not None:
            secondaries.append(_role(o, c, gi.poa.get(c, ""), False))
    procs = [ProcedureRole(p, bool(o.get("is_or")), "MARKED_FOR_FINAL" in (o.get("flags") or []))
             for p, o in zip(gi.procedures, _in_order(gi.procedures, raw.get("proc_output") or []))]
    return DrgResult(
        case_id=case_id,
        version=version.number,
        version_label=version.label,
        fiscal_year=version.fiscal_year,
        discharge_date=discharge.isoformat(),
        drg=raw.get("final_drg"),
        drg_title=str(raw.get("final_drg_description") or ""),
        mdc=raw.get("final_mdc"),
        mdc_title=str(raw.get("final_mdc_description") or ""),
        severity=str(raw.get("final_severity") or "NONE"),
        return_code=str(raw.get("return_code") or ""),
        initial_drg=raw.get("initial_drg"),
        principal=principal,
        secondaries=secondaries,
        procedures=procs,
        age=age,
        sex=sex,
        patient_status=status,
        patient_status_assumed=assumed,
        hac_status=str((raw.get("grouper_flags") or {}).get("hac_status_value") or ""),
    )


def _in_order(codes: list[str], outs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The procedure outputs in the order of `codes` (matched by code; a repeated code takes the next)."""
    pool: dict[str, list[dict[str, Any]]] = {}
    for o in outs:
        pool.setdefault(str(o.get("code")), []).append(o)
    ordered = []
    for c in codes:
        lst = pool.get(bare(c)) or []
        ordered.append(lst.pop(0) if lst else {})
    return ordered


def format_result(r: DrgResult) -> str:
    """The plain-text report of `workstation drg`."""
    lines = [
        f"case {r.case_id}: {('DRG %03d' % r.drg) if r.drg is not None else 'no DRG'} {r.drg_title}",
        f"  grouper     MS-DRG {r.version_label} (FY{r.fiscal_year}) for the discharge on {r.discharge_date}",
        f"  MDC         {('%02d ' % r.mdc) if r.mdc is not None else ''}{r.mdc_title}",
        f"  weight      {r.weight_note}" if r.weight is None
        else f"  weight      {r.weight:.4f}   GMLOS {r.gmlos}   AMLOS {r.amlos}   (CMS IPPS FY{r.fiscal_year} Table 5)",
        f"  patient     age {r.age} at admission, sex {r.sex or 'U'}, status {r.patient_status}"
        + (" (assumed: not entered)" if r.patient_status_assumed else ""),
        "  decided by",
    ]
    lines += [f"    - {x}" for x in r.decided_by()]
    if r.secondaries:
        lines.append("  secondary diagnoses")
        for d in r.secondaries:
            mark = "HAC" if d.hac_not_poa else {"MCC": "MCC", "CC": "CC ", "excluded": "x  "}.get(d.role, "   ")
            lines.append(f"    {mark} {d.describe()}" + (f"  [POA {d.poa}]" if d.poa else ""))
    if r.procedures:
        lines.append("  procedures")
        for p in r.procedures:
            lines.append(f"    {p.code}{'  O.R.' if p.operating_room else ''}{'  decides the DRG' if p.drives else ''}")
    return "\n".join(lines)
