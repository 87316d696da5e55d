"""Export from the app: choose a format, read the summary of what would go out, then write.

The work is the export area's (`workstation.export.batch`): `plan_export` for the summary,
`run_export` to number, write, validate and mark exported. Files go to `exports/` beside the
session store (a 0700 folder: they hold patient data).
"""
from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text

from workstation.export import batch
from workstation.ui.screens.forms import Confirm, ConfirmNo, Picker

if TYPE_CHECKING:  # annotations only: nothing more is imported at run time
    from workstation.export.batch import Plan
    from workstation.session.store import SessionStore

FORMATS = [
    ("837", "837P professional + 837I inpatient facility claims (X12 005010X222A1 / X223A2)", "837p"),
    ("837p", "837P claim file (ANSI X12 005010X222A1)", "x12"),
    ("837i", "837I hospital inpatient claims (ANSI X12 005010X223A2)", "837i"),
    ("cms1500", "CMS-1500 claim forms (text)", "txt"),
    ("statement", "Patient statements (self-pay)", "txt"),
    ("csv", "Coding summary (CSV)", "csv"),
    ("jsonl", "Coding summary (JSON lines)", "jsonl"),
]


def export_dir(store: SessionStore) -> Path:
    base = Path(getattr(store, "path", "") or ".").parent / "exports"
    base.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(base, 0o700)
    return base


def out_path(store: SessionStore, fmt: str, ext: str, now: datetime) -> Path:
    return export_dir(store) / f"{fmt}-{now:%Y%m%d-%H%M%S}.{ext}"


def plan_text(plan: Plan, fmt: str, path: Path) -> Text:
    """The summary before writing: what goes out, what is held and why (cases not yet coded counted)."""
    t = Text()
    total = sum((r.total for r in plan.ready), 0)
    t.append(f"{len(plan.ready)} case(s) ready for {fmt}", style="bold")
    t.append(f", total charges ${total:,.2f}\n" if fmt in batch.BILLING_FORMATS else "\n")
    for r in plan.ready:
        warn = f"  {r.warnings} warning(s)" if r.warnings else ""
        where = f"  {r.kind.upper()}" if fmt == "837" else ""
        t.append(f"  {r.case.case_id}  ${r.total:,.2f}{where}{warn}")
        if getattr(r.claim, "frequency", "1") == "7":
            # A replacement (CLM05-3 = 7) quotes the payer's number of the claim it replaces.
            ref = getattr(r.claim, "payer_claim_number", "") or "payer claim number missing"
            t.append(f"  REPLACEMENT claim (frequency 7) for batch {r.work.export_batch or '?'}, ref {ref}", style="bold yellow")
        elif getattr(r.work, "sent_before", False) or r.work.export_batch:
            t.append(f"  (exported before, batch {r.work.export_batch})", style="yellow")
        t.append("\n")
    again = set(getattr(plan, "needs_again", []))
    not_coded = [h for h in plan.held if any(x.startswith("status is") for x in h.reasons)]
    sent = [h for h in plan.held if h.case_id in again]
    other = [h for h in plan.held if h not in not_coded and h not in sent and not h.skipped]
    skipped = [h for h in plan.held if h.skipped and h.case_id not in again]
    if other:
        t.append(f"\n{len(other)} held back:\n", style="bold")
        for h in other:
            t.append(f"  {h.case_id}: " + "; ".join(h.reasons) + "\n")
    if sent:
        t.append(f"\n{len(sent)} exported before, not sent again\n", style="dim")
    if skipped:
        t.append(f"\n{len(skipped)} not for {fmt} (self-pay, insured or not an inpatient stay)\n", style="dim")
    if not_coded:
        t.append(f"\n{len(not_coded)} not coded yet, not in this batch\n", style="dim")
    for p in plan.settings_problems:
        t.append(f"\npractice settings: {p}", style="bold red")
    if plan.ready:
        paths = batch.x12_paths(fmt, path) if fmt in batch.X12_FORMATS else {fmt: path}
        for kind, p in paths.items():
            n = sum(1 for r in plan.ready if r.kind == kind) if fmt in batch.X12_FORMATS else len(plan.ready)
            if n:
                t.append(f"\nwill write {p}" + (f" ({kind.upper()}, {n} claim(s))" if fmt in batch.X12_FORMATS else ""))
        t.append("\n")
    return t


def start_export(app: Any) -> None:
    options = [(fmt, Text.assemble((f"{fmt:<10}", "bold"), label)) for fmt, label, _ in FORMATS]

    def chosen(fmt: str | None) -> None:
        if fmt:
            app.run_worker(_plan(app, batch, fmt), group="export", exclusive=True)

    app.push_screen(Picker("Export: which format?", options), chosen)


def again_text(plan: Plan) -> Text:
    """The cases already exported that would go out again, with the batch each went in."""
    by_id = {h.case_id: h for h in plan.held}
    t = Text()
    ids = list(plan.needs_again)
    t.append(f"{len(ids)} case(s) were exported before:\n", style="bold")
    for cid in ids:
        why = "; ".join(by_id[cid].reasons) if cid in by_id else ""
        why = why.split(": export again only", 1)[0]  # the CLI's --again hint; here the question is the way
        t.append(f"  {cid}: {why}\n")
    t.append("\nSending a claim twice can bill the payer twice. To correct a claim already sent, "
             "reopen the case and code it again: it then goes out as a replacement (frequency 7).\n")
    t.append("\nInclude them in this batch? (default: no)", style="bold")
    return t


async def _plan(app: Any, batch: Any, fmt: str, again: bool | None = None) -> None:
    try:
        plan = await app.store_call(batch.plan_export, app.store, fmt, again=bool(again))
    except Exception as exc:  # ExportError says what to do
        app.notify(str(exc), title="Export", severity="error", timeout=10)
        return
    if again is None and getattr(plan, "needs_again", None):
        # Exporting a case again needs an explicit yes (default no).
        def answered(yes: bool | None) -> None:
            app.run_worker(_plan(app, batch, fmt, again=bool(yes)), group="export", exclusive=True)

        app.push_screen(ConfirmNo(f"Export {len(plan.needs_again)} case(s) again?", again_text(plan)), answered)
        return
    again = bool(again)
    ext = next(e for f, _, e in FORMATS if f == fmt)
    now = datetime.now()
    path = out_path(app.store, fmt, ext, now)
    body = plan_text(plan, fmt, path)
    if not plan.ready:
        app.push_screen(Confirm("Nothing to export", body), lambda _ok: None)
        return

    def confirmed(ok: bool | None) -> None:
        if ok:
            app.run_worker(_write(app, batch, fmt, path, now, again), group="export", exclusive=True)

    app.push_screen(Confirm(f"Export {len(plan.ready)} case(s) as {fmt}?", body), confirmed)


async def _write(app: Any, batch: Any, fmt: str, path: Path, now: datetime, again: bool = False) -> None:
    try:
        result = await app.store_call(batch.run_export, app.store, fmt, path, now=now, again=again)
    except Exception as exc:
        app.notify(str(exc), title="Export failed: nothing written", severity="error", timeout=12)
        return
    if result.files:  # X12: each file, its batch and what pyx12 checked it against
        msg = "\n".join(f"{f.path}\n{f.kind.upper()} batch {f.batch}: {len(f.cases)} case(s), "
                        f"total ${f.total_charge:,.2f}, validated (pyx12 {f.validation.standard if f.validation else '?'})"
                        for f in result.files)
        held = [h for h in result.held if not h.skipped and not any(x.startswith("status is") for x in h.reasons)]
        if held:
            msg += f"\n{len(held)} held back: " + ", ".join(h.case_id for h in held)
        app.notify(msg, title="Exported", timeout=12)
        _reload(app)
        return
    msg = f"{result.path}\nbatch {result.batch}: {len(result.exported)} case(s)"
    if fmt in ("837p", "cms1500", "statement"):
        msg += f", total ${result.total_charge:,.2f}"
    if result.validation is not None:
        msg += "\n837P validated"
    app.notify(msg, title="Exported", timeout=12)
    _reload(app)


def _reload(app: Any) -> None:
    screen = app.screen
    if hasattr(screen, "load_case"):
        screen.load_case()
    elif hasattr(screen, "action_reload"):  # the worklist: the statuses changed
        screen.action_reload()
