"""Export orchestration: pick the clean claims, number the batch, write, validate, mark exported.

The same calls serve `workstation export` and the UI's export screen: `plan_export` says what
would go out and what is held back (the summary shown before writing), `run_export` writes.

Rules:
- only claims with no error-level edit and no open provider query go out; the rest are held,
  each with its reasons;
- a case already exported goes out again only with `again=True` (the CLI's --again);
- interchange and group control numbers come from the session store, so they never repeat;
- the 837P text is validated (pyx12 + own checks) before anything is written; the file is
  written atomically with mode 0600, so a failed export leaves no file that looks good;
- `837` writes two files: professional claims on the 837P, the hospital's inpatient claims on
  the 837I (005010X223A2, see export/facility_claims.py), each its own interchange and batch,
  validated by pyx12 against its own map, each case in exactly one of them and marked once.
"""
from __future__ import annotations

import errno
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from workstation.billing.claim import Claim, build_claim
from workstation.billing.edits import scrub
from workstation.billing.settings import PracticeSettings
from workstation.cases.model import Case
from workstation.fileio import atomic_write_bytes
from workstation.billing.facility import FacilitySettings, revenue_lines
from workstation.export import facility_claims, x12_837i, x12_837p
from workstation.export.facility_claims import FACILITY, PROFESSIONAL, X12_FORMATS
from workstation.export.validate_837i import validate_837i
from workstation.export.validate_837p import ValidationReport, validate_837p
from workstation.session.storage import StoreWriteError, describe_oserror
from workstation.session.work import CaseWork

FORMATS = ("837", "837p", "837i", "cms1500", "statement", "csv", "jsonl")
CLAIM_FORMATS = ("837", "837p", "837i", "cms1500")  # a claim to a payer
BILLING_FORMATS = ("837", "837p", "837i", "cms1500", "statement")  # send a bill: mark the case exported
EXPORTABLE_STATUSES = ("coded", "exported")


class ExportError(Exception):
    """The export cannot go ahead; the message says why and what to do."""


class SettingsInvalid(ExportError):
    """The practice settings cannot go on a claim (bad NPI, missing payer id ...)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(
            "the practice settings are not valid for a claim; nothing was exported:\n"
            f"{lines}\nFix them with `workstation settings set KEY VALUE` (or the settings screen)."
        )


class NothingToExport(ExportError):
    def __init__(self, held: list["Held"], fmt: str) -> None:
        self.held = held
        msg = f"no case is ready for {fmt} export; nothing was written"
        if held:
            msg += ":\n" + "\n".join(describe_held(held))
        super().__init__(msg)


class ValidationFailed(ExportError):
    def __init__(self, report: ValidationReport, what: str = "837P") -> None:
        self.report = report
        super().__init__(f"the {what} failed validation; no file was written.\n" + report.summary())


@dataclass
class Ready:
    case: Case
    work: CaseWork
    claim: Claim
    warnings: int = 0
    kind: str = PROFESSIONAL  # X12 exports: "837p" or "837i", the file the claim goes in
    facility: x12_837i.InpatientClaim | None = None  # the hospital's claim, when kind is 837i
    facility_charge: Decimal | None = None  # its total (revenue-code lines)
    note: str = ""

    @property
    def total(self) -> Decimal:
        return self.facility_charge if self.facility_charge is not None else self.claim.total_charge


@dataclass
class Held:
    case_id: str
    reasons: list[str]
    # Not this format's business (self-pay for a claim, insured for a statement) or exported
    # before: summarised by count, unless the case was asked for by id.
    skipped: str = ""  # "", "exported", "self-pay", "insured"

    def describe(self) -> str:
        return f"  {self.case_id}: " + "; ".join(self.reasons)


_SKIP_LABELS = {
    "exported": "already exported (use --again to send again)",
    "self-pay": "self-pay (bill with --format statement)",
    "insured": "insured (bill with --format 837p or cms1500)",
    "professional": "not inpatient stays (their claims are professional: --format 837p or 837)",
}


def describe_held(held: list[Held]) -> list[str]:
    """Held cases one per line with reasons; skipped ones as counts per kind."""
    out = [h.describe() for h in held if not h.skipped]
    counts: dict[str, int] = {}
    for h in held:
        if h.skipped:
            counts[h.skipped] = counts.get(h.skipped, 0) + 1
    if counts:
        out.append("  skipped: " + ", ".join(f"{n} {_SKIP_LABELS[k]}" for k, n in counts.items()))
    return out


@dataclass
class Plan:
    format: str
    ready: list[Ready] = field(default_factory=list)
    held: list[Held] = field(default_factory=list)
    settings_problems: list[str] = field(default_factory=list)

    @property
    def total_charge(self) -> Decimal:
        return sum((r.total for r in self.ready), Decimal("0.00"))

    @property
    def needs_again(self) -> list[str]:
        """Cases held only because they were exported before: the UI asks, then exports with again=True."""
        return [h.case_id for h in self.held if h.reasons[0].startswith("already exported")]

    def summary(self) -> str:
        """What an export would do: the text shown before writing."""
        out = [f"{len(self.ready)} case(s) ready for {self.format}"
               + (f", total charges ${self.total_charge:,.2f}" if self.format in BILLING_FORMATS else "")]
        for r in self.ready:
            warn = f" ({r.warnings} warning(s))" if r.warnings else ""
            again = ""
            if r.work.sent_before:
                again = (f" [replaces the claim sent in batch {r.work.export_batch}]" if r.claim.frequency == "7"
                         else f" [exported before, batch {r.work.export_batch}]")
            where = f" on the {r.kind.upper()}" if self.format == "837" else ""
            note = f"; {r.note}" if r.note else ""
            out.append(f"  {r.case.case_id}: ${r.total:,.2f}{where}{warn}{again}{note}")
        if self.held:
            out.append(f"{len(self.held)} case(s) not included:")
            out.extend(describe_held(self.held))
        if self.settings_problems:
            out.append("practice settings problems (export will stop):")
            out.extend(f"  - {p}" for p in self.settings_problems)
        return "\n".join(out)


@dataclass
class ExportFile:
    """One file an export wrote: an X12 export of format 837 writes an 837P and an 837I."""

    kind: str
    path: Path
    batch: str
    cases: list[str]
    total_charge: Decimal
    validation: ValidationReport | None = None
    interchange_control: int | None = None
    group_control: int | None = None
    bytes: int = 0

    def summary(self) -> str:
        out = [f"wrote {self.path} ({self.kind.upper()}, {self.bytes} bytes), batch {self.batch}: "
               f"{len(self.cases)} case(s) ({', '.join(self.cases)}), total ${self.total_charge:,.2f}"]
        if self.interchange_control is not None:
            out.append(f"  interchange control {self.interchange_control:09d}, group control {self.group_control}")
        if self.validation is not None:
            out.append("  " + self.validation.summary())
        return "\n".join(out)


@dataclass
class ExportResult:
    format: str
    path: Path
    batch: str
    exported: list[str]
    held: list[Held]
    total_charge: Decimal
    validation: ValidationReport | None = None
    interchange_control: int | None = None
    group_control: int | None = None
    bytes: int = 0
    files: list["ExportFile"] = field(default_factory=list)  # X12 exports: each file written

    def summary(self) -> str:
        if self.files:
            out = [f.summary() for f in self.files]
            if len(self.files) == 1 and self.format == "837":
                out.append(f"no {'837I' if self.files[0].kind == PROFESSIONAL else '837P'} written: "
                           "no case of that kind was ready")
            if self.held:
                out.append(f"{len(self.held)} case(s) not included:")
                out.extend(describe_held(self.held))
            return "\n".join(out)
        out = [f"wrote {self.path} ({self.format}, {self.bytes} bytes), batch {self.batch}: "
               f"{len(self.exported)} case(s)"
               + (f", total ${self.total_charge:,.2f}" if self.format in BILLING_FORMATS else "")]
        if self.interchange_control is not None:
            out.append(f"interchange control {self.interchange_control:09d}, group control {self.group_control}")
        if self.validation is not None:
            out.append(self.validation.summary())
        if self.held:
            out.append(f"{len(self.held)} case(s) not included:")
            out.extend(describe_held(self.held))
        return "\n".join(out)


def settings_problems(settings: PracticeSettings) -> list[str]:
    """Everything in the practice settings a claim cannot carry."""
    out = [msg for _, msg in settings.problems()]
    from workstation.export.x12_837p import clean

    for label, value in (("submitter id", settings.submitter_id), ("receiver id", settings.receiver_id)):
        v = clean(value)
        if v and not 2 <= len(v) <= 15:
            out.append(f"{label} must be 2-15 characters (it goes in ISA06/ISA08 and GS02/GS03)")
    for i, p in enumerate(settings.payers, 1):
        if not (p.payer_id or "").strip():
            out.append(f"payer {i} ({p.name or 'no name'}) has no payer id")
        if not (p.name or "").strip():
            out.append(f"payer {p.payer_id or i} has no name")
    return out


def _x12_problem(claim: Claim) -> str:
    """Why the 837P writer cannot write this claim, or ""."""
    try:
        x12_837p._claim_segments(x12_837p._Segments(), claim, 2)
    except (x12_837p.X12DataError, ValueError) as exc:
        return str(exc).removeprefix(f"claim {claim.claim_id}: ")
    payer = getattr(claim, "payer", None)
    if payer is not None:
        raw = x12_837p._get(payer, "payer_id", "id")
        if len(x12_837p.ident(raw, 80)) < 2:  # NM109 (element 67) is 2-80 characters: pyx12 rejects the file
            return "the payer id is shorter than 2 characters once cleaned for X12 (NM109 needs 2-80)"
    return ""


def _skip(fmt: str, case: Case, work: CaseWork, again: bool) -> tuple[str, str]:
    """(kind, reason) when a case is not for this export at all, else ("", "")."""
    if fmt in CLAIM_FORMATS and case.coverage.self_pay:
        return "self-pay", "self-pay: no payer to claim from (use --format statement)"
    if fmt == "837i" and not facility_claims.is_facility_case(case):
        return "professional", "not an inpatient stay: its claim is professional (--format 837p or 837)"
    if fmt == "statement" and not case.coverage.self_pay:
        return "insured", "has a payer: bill by claim (--format 837p or cms1500), not a patient statement"
    # Unchanged since it was sent: re-send only on request. A case changed after export was reopened
    # (status in_progress) and, once coded again, goes out as a replacement claim without --again.
    if work.status == "exported" and work.export_batch and not again and fmt in BILLING_FORMATS:
        return "exported", f"already exported in batch {work.export_batch}: export again only with --again"
    return "", ""


def _reasons(fmt: str, case: Case, work: CaseWork, claim: Claim, again: bool,
             settings: PracticeSettings, today: str | None, x12: bool = True) -> tuple[list[str], int]:
    reasons: list[str] = []
    if work.status not in EXPORTABLE_STATUSES:
        reasons.append(f"status is {work.status}: finish coding and mark it coded")
    if fmt in ("csv", "jsonl"):
        return reasons, 0
    if work.open_queries:
        reasons.append(f"{len(work.open_queries)} open provider query(ies)")
    edits = scrub(case, work, claim, settings, today=today)
    for e in edits:
        if e.severity == "error" and not (work.open_queries and e.edit_id.startswith("query")):
            reasons.append(f"{e.edit_id} ({e.target}): {e.message}")
    if fmt == "837p" and x12 and not reasons:
        problem = _x12_problem(claim)
        if problem:
            reasons.append(f"837P: {problem}")
    warnings = sum(1 for e in edits if e.severity == "warning")
    return reasons, warnings


def plan_export(store: Any, fmt: str, case_ids: list[str] | None = None, again: bool = False,
                settings: PracticeSettings | None = None, today: str | None = None) -> Plan:
    """Which cases would go out in `fmt`, which are held back and why. Writes nothing."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    settings = settings or PracticeSettings.from_store(store)
    plan = Plan(fmt)
    if fmt in CLAIM_FORMATS:
        plan.settings_problems = settings_problems(settings)
    known = store.case_ids()
    if case_ids:
        unknown = [c for c in case_ids if c not in set(known)]
        if unknown:
            raise ExportError(f"no such case in this session: {', '.join(unknown)}")
        ids = list(dict.fromkeys(case_ids))
    else:
        ids = list(known)
    facility: FacilitySettings | None = None
    facility_problems: list[str] = []
    if fmt in ("837", "837i"):
        facility = FacilitySettings.from_store(store)
        facility_problems = facility.problems()
    for cid in ids:
        case, work = store.case(cid), store.work(cid)
        kind, why = _skip(fmt, case, work, again)
        if kind:
            plan.held.append(Held(cid, [why], "" if case_ids else kind))
            continue
        claim = build_claim(case, work, settings)
        claim_kind = facility_claims.claim_kind(fmt, case) if fmt in X12_FORMATS else PROFESSIONAL
        reasons, warnings = _reasons("837p" if fmt in X12_FORMATS else fmt, case, work, claim, again,
                                     settings, today, x12=claim_kind == PROFESSIONAL)
        ready = Ready(case, work, claim, warnings, claim_kind)
        if claim_kind == FACILITY and not reasons and facility is not None:
            ic, why_not = facility_claims.facility_claim(case, work, settings, facility, facility_problems)
            reasons.extend(why_not)
            if ic is not None:
                ready.facility = ic
                ready.facility_charge = sum((l.charge for l in revenue_lines(case, facility)), Decimal("0.00"))
                ready.note = facility_claims.professional_lines_note(case, work)
        if reasons:
            # Without --case, cases not yet coded are simply not part of the batch; listed anyway
            # so the coder sees the whole worklist's state.
            plan.held.append(Held(cid, reasons))
        else:
            plan.ready.append(ready)
    return plan


def _render(fmt: str, plan: Plan, settings: PracticeSettings, now: datetime) -> str:
    if fmt == "cms1500":
        from workstation.export.cms1500 import render_cms1500

        pages = [render_cms1500(r.claim) for r in plan.ready]
        return "\f\n".join(pages)  # a form feed between claims: one claim per printed page
    if fmt == "statement":
        from workstation.export.statement import render_statement

        return "\f\n".join(render_statement(r.case, r.claim, settings, today=now.date().isoformat())
                           for r in plan.ready)
    from workstation.export import tabular

    rows = [(r.case, r.work, r.claim) for r in plan.ready]
    return tabular.to_csv(rows) if fmt == "csv" else tabular.to_jsonl(rows)


def interchange_number(store: Any, submitter_id: str) -> int:
    """The next ISA13: the store's counter, kept above every number this user sent from any store.

    A clearinghouse rejects an interchange whose control number the same submitter used before,
    and each session store counts from 1; so the highest number sent per submitter id is also kept
    in the user's data folder (under a file lock: two workstations may export at once). If that
    folder cannot be written, the store's own counter still never repeats within the store.
    """
    import fcntl
    import os

    import orjson

    from workstation.paths import user_data_dir

    n = int(store.next_control_number("interchange"))
    path = user_data_dir() / "x12-interchange-numbers.json"
    try:
        from workstation.session.storage import private_mkdir

        private_mkdir(path.parent)  # 0700 whatever the umask, parents too
        fd = os.open(path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return n
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            sent = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            sent = {}
        key = submitter_id.strip() or "-"
        n = max(n, int(sent.get(key, 0)) + 1)
        if n > 999_999_999:  # ISA13 is nine digits
            raise ExportError("interchange control numbers are used up for this submitter id")
        sent[key] = n
        try:
            atomic_write_bytes(path, orjson.dumps(sent, option=orjson.OPT_SORT_KEYS), mode=0o600)
        except OSError:
            pass  # the store's counter alone still never repeats within this store
    finally:
        os.close(fd)  # closing releases the lock
    return n


def run_export(store: Any, fmt: str, out: Path | str, case_ids: list[str] | None = None,
               again: bool = False, settings: PracticeSettings | None = None,
               now: datetime | None = None, today: str | None = None,
               check_codes: bool = True, confirm: Callable[[Plan], bool] | None = None,
               test: bool = False, out_837i: Path | str | None = None) -> ExportResult:
    """Export the ready cases of a session to `out`. Raises ExportError (nothing written) when it cannot.

    `test` marks an 837P interchange as test data (ISA15 = T); its cases are not marked exported.

    Format 837 writes the professional claims to `out` and the hospital's inpatient claims to
    `out_837i` (default: `out` with the suffix .837i); format 837i writes the 837I to `out`.

    `confirm`, when given, sees the plan before anything is numbered or written (the UI's summary);
    returning False cancels with ExportError("cancelled").
    """
    out = Path(out)
    now = now or datetime.now()
    settings = settings or PracticeSettings.from_store(store)
    if fmt in CLAIM_FORMATS:
        problems = settings_problems(settings)
        if problems:
            raise SettingsInvalid(problems)
    plan = plan_export(store, fmt, case_ids, again, settings, today)
    if not plan.ready:
        raise NothingToExport(plan.held, fmt)
    paths = x12_paths(fmt, out, out_837i) if fmt in X12_FORMATS else {fmt: out}
    if fmt in BILLING_FORMATS:
        for kind, path in paths.items():
            if fmt in X12_FORMATS and not any(r.kind == kind for r in plan.ready):
                continue  # no claim of this kind: its file is not written
            if path.exists():
                raise ExportError(f"{path} already exists: an earlier batch may be in it; choose a new file name")
    if confirm is not None and not confirm(plan):
        raise ExportError("export cancelled; nothing was written")
    if fmt in X12_FORMATS:
        return _run_x12(store, fmt, paths, plan, settings, now, check_codes, test)

    report: ValidationReport | None = None
    isa = gs = None
    seq = int(store.next_control_number(f"batch-{fmt}"))
    batch = f"{fmt.upper()}-{now:%Y%m%d}-{seq:06d}"
    data = _render(fmt, plan, settings, now).encode("utf-8")

    ids = [r.case.case_id for r in plan.ready]
    bills = fmt in BILLING_FORMATS
    out = out.absolute()
    if bills:
        # Exactly once: the batch is on record before its file can exist, so a kill or a full disk
        # between the file and the marking is settled on the next open, never billed again as new.
        try:
            store.begin_export(batch, ids, str(out))
        except StoreWriteError as exc:
            _drop_pending(store)
            raise ExportError(f"could not record batch {batch} in the session store ({exc.reason}); "
                              f"nothing was written") from None
    try:
        publish(out, data, replace=not bills)
    except (OSError, ExportError) as exc:
        reason = str(exc) if isinstance(exc, ExportError) else describe_oserror(exc)
        if bills:
            try:
                store.abandon_export(batch)
            except StoreWriteError:
                _drop_pending(store)  # recorded but never settled: the next open sees no file, drops it
        raise ExportError(f"could not write {out}: {reason}; nothing was exported "
                          f"(the cases are as they were)") from None
    if bills:
        try:
            store.mark_exported(ids, batch, str(out))
        except StoreWriteError as exc:
            _drop_pending(store)
            raise ExportError(
                f"{out} was written (batch {batch}, {len(ids)} case(s)), but marking its cases exported "
                f"could not be saved ({exc.reason}). The batch is on record: the next time this session "
                f"is opened its cases are marked exported from that file. Do not export them again as new "
                f"claims; free some space first.") from None
    return ExportResult(fmt, out, batch, ids, plan.held, plan.total_charge, report, isa, gs, len(data))


def x12_paths(fmt: str, out: Path, out_837i: Path | str | None = None) -> dict[str, Path]:
    """The file of each claim kind: format 837 puts the 837P at OUT and the 837I beside it."""
    if fmt == "837p":
        return {PROFESSIONAL: out}
    if fmt == "837i":
        return {FACILITY: out}
    facility = Path(out_837i) if out_837i else out.with_suffix(".837i")
    if facility.absolute() == out.absolute():
        raise ExportError(f"{out} would hold both the 837P and the 837I: name the 837P file (e.g. claims.837p); "
                          "the 837I goes beside it (claims.837i)")
    return {PROFESSIONAL: out, FACILITY: facility}


@dataclass
class _Part:
    """One X12 file of an export being made: its claims, text, report and numbers."""

    kind: str
    path: Path
    ready: list[Ready]
    text: str = ""
    report: ValidationReport | None = None
    isa: int = 0
    gs: int = 0
    batch: str = ""


class _Writer:
    """Writes and validates one kind of X12 file (837P or 837I) for a list of ready cases."""

    def __init__(self, kind: str, settings: PracticeSettings, facility: FacilitySettings | None,
                 check_codes: bool) -> None:
        self.kind, self.settings, self.facility, self.check_codes = kind, settings, facility, check_codes
        self.label = kind.upper()

    def write(self, ready: list[Ready], env: x12_837p.Envelope) -> str:
        if self.kind == PROFESSIONAL:
            return x12_837p.write_837p([r.claim for r in ready], self.settings, env)
        assert self.facility is not None
        return x12_837i.write_837i([r.facility for r in ready if r.facility is not None], self.settings,
                                   self.facility, env)

    def validate(self, text: str) -> ValidationReport:
        if self.kind == PROFESSIONAL:
            return validate_837p(text, check_codes=self.check_codes)
        return validate_837i(text)


def _run_x12(store: Any, fmt: str, paths: dict[str, Path], plan: Plan, settings: PracticeSettings,
             now: datetime, check_codes: bool, test: bool) -> ExportResult:
    """Number, write and validate each X12 file (837P, 837I) before any is put in place; then put
    each in place under its own journaled batch intent and mark its cases exported."""
    facility = FacilitySettings.from_store(store) if fmt != "837p" else None
    parts = [_Part(kind, paths[kind], [r for r in plan.ready if r.kind == kind])
             for kind in (PROFESSIONAL, FACILITY) if kind in paths]
    parts = [p for p in parts if p.ready]
    for part in parts:
        writer = _Writer(part.kind, settings, facility, check_codes)
        part.isa = interchange_number(store, settings.submitter_id)
        part.gs = int(store.next_control_number("group"))
        part.batch = f"{writer.label}-{now:%Y%m%d}-{part.isa:09d}"
        env = x12_837p.Envelope(settings.submitter_id, settings.receiver_id, part.isa, part.gs, now,
                                usage="T" if test else "P", reference=f"{part.isa:09d}")
        try:
            text = writer.write(part.ready, env)
        except x12_837p.X12DataError as exc:
            raise ExportError(f"cannot write the {writer.label}: {exc}; nothing was written") from None
        report = writer.validate(text)
        if not report.ok and len(part.ready) > 1:
            # One bad claim must not stop the batch: find which claims fail on their own, hold
            # them back with the validator's reasons, and send the rest.
            text, report = _without_failing_claims(part, plan, writer, env)
        if not report.ok:
            raise ValidationFailed(report, writer.label)
        part.text, part.report = text, report
    plan.ready = [r for part in parts for r in part.ready]

    bills = not test  # a test interchange bills no one
    files: list[ExportFile] = []
    for part in parts:
        ids = [r.case.case_id for r in part.ready]
        out = part.path.absolute()
        data = part.text.encode("ascii")  # clean() folded everything to ASCII
        done = _written_note(files)
        if bills:
            # Exactly once: the batch is on record before its file can exist (see run_export).
            try:
                store.begin_export(part.batch, ids, str(out))
            except StoreWriteError as exc:
                _drop_pending(store)
                raise ExportError(f"could not record batch {part.batch} in the session store ({exc.reason}); "
                                  + ("nothing was written" if not files else f"{out} was not written{done}")) from None
        try:
            publish(out, data, replace=not bills)
        except (OSError, ExportError) as exc:
            reason = str(exc) if isinstance(exc, ExportError) else describe_oserror(exc)
            if bills:
                try:
                    store.abandon_export(part.batch)
                except StoreWriteError:
                    _drop_pending(store)
            what = "nothing was exported (the cases are as they were)" if not files else f"its cases are as they were{done}"
            raise ExportError(f"could not write {out}: {reason}; {what}") from None
        if bills:
            try:
                store.mark_exported(ids, part.batch, str(out))
            except StoreWriteError as exc:
                _drop_pending(store)
                raise ExportError(
                    f"{out} was written (batch {part.batch}, {len(ids)} case(s)), but marking its cases exported "
                    f"could not be saved ({exc.reason}). The batch is on record: the next time this session "
                    f"is opened its cases are marked exported from that file. Do not export them again as new "
                    f"claims; free some space first.{done}") from None
        files.append(ExportFile(part.kind, out, part.batch, ids, sum((r.total for r in part.ready), Decimal("0.00")),
                                part.report, part.isa, part.gs, len(data)))
    first = files[0]
    return ExportResult(fmt, first.path, first.batch, [c for f in files for c in f.cases], plan.held,
                        plan.total_charge, first.validation, first.interchange_control, first.group_control,
                        sum(f.bytes for f in files), files)


def _written_note(files: list[ExportFile]) -> str:
    if not files:
        return ""
    return " (already written and marked: " + "; ".join(f"{f.path}, batch {f.batch}" for f in files) + ")"


def _without_failing_claims(part: _Part, plan: Plan, writer: _Writer,
                            env: x12_837p.Envelope) -> tuple[str, ValidationReport]:
    """Validate each ready claim of PART alone; move those that fail to `plan.held` (with the first
    problems as reasons) and return the file of the rest with its report."""
    good: list[Ready] = []
    label = writer.label
    for r in part.ready:
        try:
            alone = writer.validate(writer.write([r], env))
        except x12_837p.X12DataError as exc:
            plan.held.append(Held(r.case.case_id, [f"{label}: {exc}"]))
            continue
        if alone.ok:
            good.append(r)
        else:
            reasons = [f"{label} rejected by the validator: {p.segment + ' ' if p.segment else ''}{p.message}"
                       for p in alone.problems[:3]]
            plan.held.append(Held(r.case.case_id, reasons))
    if not good or len(good) == len(part.ready):  # not a per-claim problem: report the whole file
        plan.held = [h for h in plan.held if h.case_id not in {r.case.case_id for r in part.ready}]
        text = writer.write(part.ready, env)
        return text, writer.validate(text)
    part.ready = good
    text = writer.write(good, env)
    return text, writer.validate(text)


def _drop_pending(store: Any) -> None:
    """A change that could not be saved is not kept in memory when the export gives up on it."""
    discard = getattr(store, "drop_pending", None)
    if discard is not None:
        discard()


def _link_fd(src: str, dst: Path) -> None:
    """linkat(AT_SYMLINK_FOLLOW) of /proc/self/fd/N: plain link() would link the /proc symlink itself
    (EXDEV); CPython uses linkat with the flag only when a dir_fd is given."""
    import os

    root = os.open("/", os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.link(src, dst, src_dir_fd=root, follow_symlinks=True)
    finally:
        os.close(root)


def publish(out: Path, data: bytes, replace: bool) -> None:
    """Put DATA at OUT, mode 0600, complete or not at all, leaving no temporary file a kill could strand.

    The data goes into an unnamed file (O_TMPFILE) that is fsync'd and then linked to OUT: a kill
    before the link leaves nothing (the kernel frees an unnamed file with its last descriptor). A
    billing file is never replaced (the link fails if OUT exists); another (csv/jsonl) is linked to
    a private temporary name and renamed over OUT. Without O_TMPFILE, a named temporary file is
    used as atomic_write_bytes does.
    """
    import os

    from workstation import faults
    from workstation.fileio import fsync_dir
    from workstation.session.storage import private_mkdir

    folder = out.parent
    if not folder.exists():
        private_mkdir(folder)
    try:
        fd = os.open(folder, os.O_TMPFILE | os.O_WRONLY | os.O_CLOEXEC, 0o600)  # type: ignore[attr-defined]
    except (AttributeError, OSError) as exc:
        if isinstance(exc, OSError) and exc.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT):
            raise
        if not replace and out.exists():
            raise ExportError(f"{out} already exists") from None
        faults.point("export.write")
        atomic_write_bytes(out, data, mode=0o600)
        faults.point("export.linked")
        return
    try:
        faults.point("export.write")
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        faults.point("export.written")
        os.fsync(fd)
        faults.point("export.synced")
        src = f"/proc/self/fd/{fd}"
        if replace:
            tmp = folder / f".{out.name}.{os.getpid()}.tmp"
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            _link_fd(src, tmp)
            faults.point("export.temp_linked")
            os.replace(tmp, out)
        else:
            try:
                _link_fd(src, out)
            except FileExistsError:
                raise ExportError(f"{out} already exists") from None
        faults.point("export.linked")
        fsync_dir(folder)
        faults.point("export.dir_synced")
    finally:
        os.close(fd)
