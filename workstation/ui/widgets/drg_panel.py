"""The DRG panel: the MS-DRG of an inpatient case, regrouped in a worker after every change.

Shows the DRG, MDC, grouper version, which secondary diagnoses are the CC/MCC (and which are
excluded by the principal), and what would change the DRG. Grouping runs in a thread worker
(`exclusive=True`: a newer change cancels the older result), so a keystroke never waits on it.
Outpatient cases hide the panel.

`next_poa` is the POA key's cycle (Y N U W E, then back to none) used by the coding screen.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.widgets import Static

from workstation.session.work import POA_VALUES

if TYPE_CHECKING:  # annotations only: nothing more is imported at run time
    from workstation.cases.model import Case
    from workstation.grouping.drg import DrgResult
    from workstation.grouping.whatif import WhatIf
    from workstation.session.work import CaseWork


def next_poa(current: str) -> str:
    """The POA key: none -> Y -> N -> U -> W -> E (exempt) -> none."""
    order = ("",) + POA_VALUES
    i = order.index(current) if current in order else 0
    return order[(i + 1) % len(order)]


def render_drg(result: DrgResult | None = None, error: str = "", whatif: WhatIf | None = None) -> Text:
    """The panel's text for a DrgResult (or the reason there is none)."""
    t = Text()
    if error:
        t.append("MS-DRG  ", style="bold")
        t.append(error, style="dim")
        return t
    if result is None:
        t.append("MS-DRG  grouping…", style="dim")
        return t
    head = f"DRG {result.drg:03d}" if result.drg is not None else "no DRG"
    t.append(f"MS-DRG {result.version_label}  ", style="bold")
    t.append(f"{head} {result.drg_title}\n", style="bold" if result.ok else "bold red")
    if result.mdc is not None:
        t.append(f"  MDC {result.mdc:02d} {result.mdc_title}\n")
    if result.weight is None:
        short = (f"not available, CMS IPPS FY{result.fiscal_year} Table 5 not installed (codebooks install)"
                 if "not installed" in result.weight_note else result.weight_note)
        t.append(f"  weight/GMLOS: {short}\n", style="dim")
    else:
        t.append(f"  weight {result.weight:.4f}  GMLOS {result.gmlos}  AMLOS {result.amlos}\n")
    for d in result.secondaries:
        if d.hac_not_poa:
            t.append("  HAC ", style="bold red")
            t.append(f"{d.code} acquired in hospital (POA {d.poa}): not counted as {d.severity}\n")
        elif d.role in ("MCC", "CC"):
            t.append(f"  {d.role:<3} ", style="bold green" if d.drives else "green")
            t.append(f"{d.code}" + ("  decides the severity" if d.drives else "") + "\n")
        elif d.role == "excluded":
            t.append("  x   ", style="yellow")
            t.append(f"{d.code} {d.severity} excluded by the principal\n")
    if result.patient_status_assumed:
        t.append("  patient status not entered: grouped as 01\n", style="dim")
    if whatif is not None and whatif.changes:
        seen: dict[int | None, list[str]] = {}
        for c in whatif.changes:
            tag = f" (answer to {c.candidate.why.split()[0]})" if c.candidate.source == "query" else ""
            seen.setdefault(c.drg, []).append(c.candidate.code + tag)
        t.append("  would change it (coder/CDI only, never in a query): ", style="bold")
        t.append("; ".join(f"DRG {drg} with {', '.join(codes[:4])}{'…' if len(codes) > 4 else ''}"
                           for drg, codes in seen.items()) + "\n")
    return t


class DrgPanel(Static):
    """Live MS-DRG of the case on the coding screen (hidden for outpatient cases)."""

    DEFAULT_CSS = """
    DrgPanel { height: auto; padding: 0 1; border: round $accent; display: none; }
    DrgPanel.inpatient { display: block; }
    """

    def compute(self, case: Case, work_state: CaseWork) -> None:
        inpatient = getattr(getattr(case, "encounter", None), "type", "") == "inpatient"
        self.set_class(inpatient, "inpatient")
        if not inpatient:
            return
        self._group(case, work_state)

    @work(thread=True, exclusive=True, group="drg")
    def _group(self, case: Case, work_state: CaseWork) -> None:
        from workstation.grouping.drg import GroupingError
        from workstation.grouping.whatif import what_would_change

        try:
            w = what_would_change(case, work_state)
            text = render_drg(w.base, whatif=w)
        except (GroupingError, ValueError, RuntimeError) as exc:
            text = render_drg(error=str(exc))
        except Exception as exc:  # noqa: BLE001 - a grouping failure must never take the screen down
            text = render_drg(error=f"grouping failed: {exc.__class__.__name__}")
        self.app.call_from_thread(self.update, text)
