"""Facility settings: what the hospital's inpatient claim (837I) needs, as `workstation facility` edits it.

The billing provider of the 837I (name, NPI, address, taxonomy, tax id), the type of bill, and the
revenue-code charge table the hospital enters from its chargemaster. The NUBC revenue codes are
licensed (UB-04 Data Specifications Manual): none are shipped, the table starts empty. Every value
is checked by `workstation.billing.facility.set_value`, as the CLI checks it. Ctrl+S shows what
would change and asks before it writes (saved through the store: durable and audited).
"""
from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from workstation.billing.facility import (
    FacilitySettingError, FacilitySettings, RevenueCharge, get_value, revenue_charge, set_value,
)
from workstation.ui.screens.forms import Confirm, ConfirmNo, FormScreen

FIELDS: list[tuple[str, str, str]] = [
    ("name", "Facility name (2010AA)", "empty: the hospital named on the case"),
    ("npi", "Facility NPI", "10 digits; empty: the case's facility NPI"),
    ("tax_id", "Tax id, EIN", "9 digits"),
    ("taxonomy", "Taxonomy (PRV)", "e.g. 282N00000X; empty: none sent"),
    ("type_of_bill", "Type of bill (FL4)", "e.g. 111 inpatient, admission through discharge"),
    ("address.line1", "Address line 1", "empty: the case's facility address"),
    ("address.line2", "Address line 2", ""),
    ("address.city", "City", ""),
    ("address.state", "State", "2 letters"),
    ("address.zip", "ZIP+4, 9 digits", "e.g. 432150001"),
]


def input_id(key: str) -> str:
    return "fac-" + key.replace(".", "-").replace("_", "-")


def copy_of(fac: FacilitySettings) -> FacilitySettings:
    return FacilitySettings.from_dict(fac.to_dict())


def apply_fields(fac: FacilitySettings, values: dict[str, str]) -> list[tuple[str, str]]:
    """Set each changed field with the CLI's rules; (key, message) for each one refused."""
    errors: list[tuple[str, str]] = []
    for key, _, _ in FIELDS:
        value = values.get(key, "")
        if value.strip() == get_value(fac, key).strip():
            continue
        try:
            set_value(fac, key, value)
        except FacilitySettingError as exc:
            errors.append((key, str(exc)))
    return errors


def changes(before: FacilitySettings, after: FacilitySettings) -> list[str]:
    """What saving would change, one line each (shown before writing)."""
    out = []
    for key, label, _ in FIELDS:
        old, new = get_value(before, key), get_value(after, key)
        if old != new:
            out.append(f"{label}: {old or '(empty)'} → {new or '(empty)'}")
    rows = lambda f: {(r.code, r.charge, r.basis, r.description) for r in f.revenue}  # noqa: E731
    for code, charge, basis, _ in sorted(rows(after) - rows(before)):
        out.append(f"revenue {code}: {charge} per {basis}")
    gone = {r[0] for r in rows(before)} - {r.code for r in after.revenue}
    out.extend(f"revenue {code}: removed" for code in sorted(gone))
    return out


class RevenueForm(FormScreen):
    FIELDS = [
        ("code", "Revenue code (4 digits, from the hospital's chargemaster)", "NUBC UB-04 FL42"),
        ("charge", "Charge", "e.g. 1850.00"),
        ("basis", "Basis: day (per day of the stay) or stay (once)", "day or stay"),
        ("description", "Description (optional, the hospital's own)", ""),
    ]

    def parse(self, data: dict[str, str]) -> RevenueCharge:
        try:
            return revenue_charge(data["code"], data["charge"], data["basis"] or "stay", data["description"])
        except FacilitySettingError as exc:
            raise ValueError(str(exc)) from None


class RevenueList(OptionList):
    BINDINGS = [
        Binding("enter", "edit", "Edit charge"),
        Binding("a", "add", "Add charge"),
        Binding("x,delete", "remove", "Remove charge"),
    ]

    def action_edit(self) -> None:
        self.screen.edit_revenue(self.highlighted_id())  # type: ignore[attr-defined]

    def action_add(self) -> None:
        self.screen.edit_revenue(None)  # type: ignore[attr-defined]

    def action_remove(self) -> None:
        self.screen.remove_revenue(self.highlighted_id())  # type: ignore[attr-defined]

    def highlighted_id(self) -> str | None:
        i = self.highlighted
        return self.get_option_at_index(i).id if i is not None and i < self.option_count else None


class FacilityScreen(Screen[None]):
    """The hospital's 837I settings on one page; Ctrl+S shows the changes and asks, Esc goes back."""

    CSS_PATH = "facility.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "back", "Back"),
        Binding("f4", "focus_revenue", "Revenue charges"),
        Binding("f1", "app.help", "Keys"),
    ]
    HELP_DESCRIPTIONS = {
        "save": "Save (shows what changes and asks first; checked as `workstation facility` checks)",
        "back": "Back (asks first when changes are not saved)",
        "focus_revenue": "Go to the revenue-code charge table",
        "app.help": "This help",
    }
    HELP_EXTRA = [
        ("Tab / Shift+Tab", "Next / previous field"),
        ("a / Enter / x", "On the charge table: add, edit, remove a revenue code"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.saved: FacilitySettings | None = None
        self.working: FacilitySettings | None = None

    def compose(self) -> ComposeResult:
        yield Static("Facility settings (the hospital's 837I)", id="title-bar")
        with VerticalScroll(id="fac-body"):
            yield Static("Loading…", id="fac-status")
            yield Static("Billing provider and type of bill", classes="fac-section")
            for key, label, placeholder in FIELDS:
                with Horizontal(classes="fac-row"):
                    yield Label(label, classes="fac-label")
                    yield Input(placeholder=placeholder, id=input_id(key), compact=True)
            yield Static("Revenue-code charge table   (a add · Enter edit · x remove)", classes="fac-section")
            yield Static("NUBC revenue codes are licensed and not shipped: enter the hospital's own from its "
                         "chargemaster.", id="fac-licence")
            yield RevenueList(id="fac-revenue", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(exclusive=True, group="facility")
    async def load(self) -> None:
        fac = await self.app.store_call(FacilitySettings.from_store, self.app.store)  # type: ignore[attr-defined]
        self.show(fac)
        self.set_focus(self.query_one(f"#{input_id(FIELDS[0][0])}", Input))

    def show(self, fac: FacilitySettings, message: str = "") -> None:
        self.saved, self.working = fac, copy_of(fac)
        for key, _, _ in FIELDS:
            self.query_one(f"#{input_id(key)}", Input).value = get_value(fac, key)
        self.show_revenue()
        self.show_status(message)

    def show_revenue(self, keep: str | None = None) -> None:
        lst = self.query_one("#fac-revenue", RevenueList)
        keep = keep or lst.highlighted_id()
        lst.clear_options()
        assert self.working is not None
        for r in self.working.revenue:
            lst.add_option(Option(Text.assemble((f"{r.code:<6}", "bold"), f"{r.charge:>10}", f"  per {r.basis:<5}",
                                                (f"  {r.description}" if r.description else "", "dim")), id=r.code))
        if not self.working.revenue:
            lst.add_option(Option(Text("no revenue codes: a adds one", style="dim"), disabled=True))
        ids = [lst.get_option_at_index(i).id for i in range(lst.option_count)]
        if keep in ids:
            lst.highlighted = ids.index(keep)

    def show_status(self, message: str = "", error: bool = False) -> None:
        t = Text()
        if message:
            t.append(message + "\n", style="bold red" if error else "bold")
        problems = self.saved.problems() if self.saved is not None else []
        if problems:
            t.append("As saved, inpatient claims (837I) cannot go out until these are fixed:\n", style="bold")
            for p in problems:
                t.append(f"  ✖ {p}\n", style="red")
        elif not message:
            t.append("Ready for the 837I · Ctrl+S saves (asks first)", style="dim")
        self.query_one("#fac-status", Static).update(t)

    def edit_revenue(self, code: str | None) -> None:
        assert self.working is not None
        row = next((r for r in self.working.revenue if r.code == code), None) if code else None
        values = ({"code": row.code, "charge": row.charge, "basis": row.basis, "description": row.description}
                  if row else {"basis": "stay"})

        def done(result: RevenueCharge | None) -> None:
            if result is None or self.working is None:
                return
            rows = self.working.revenue
            at = next((i for i, r in enumerate(rows) if r.code in (code, result.code)), len(rows))
            rows = [r for r in rows if r.code not in (code, result.code)]
            rows.insert(min(at, len(rows)), result)
            self.working.revenue = rows
            self.show_revenue(keep=result.code)
            self.show_status(f"revenue {result.code} = {result.charge} per {result.basis}: not saved yet (Ctrl+S)")

        self.app.push_screen(RevenueForm(f"Revenue code {code}" if code else "Revenue code: new", values), done)

    def remove_revenue(self, code: str | None) -> None:
        if code and self.working is not None and any(r.code == code for r in self.working.revenue):
            self.working.revenue = [r for r in self.working.revenue if r.code != code]
            self.show_revenue()
            self.show_status(f"revenue {code} removed: not saved yet (Ctrl+S)")

    def entered(self) -> dict[str, str]:
        return {key: self.query_one(f"#{input_id(key)}", Input).value for key, _, _ in FIELDS}

    def candidate(self) -> tuple[FacilitySettings | None, list[tuple[str, str]]]:
        if self.working is None:
            return None, []
        cand = copy_of(self.working)
        return cand, apply_fields(cand, self.entered())

    def dirty(self) -> bool:
        cand, errors = self.candidate()
        return bool(errors) or (cand is not None and self.saved is not None and cand.to_dict() != self.saved.to_dict())

    def action_save(self) -> None:
        cand, errors = self.candidate()
        if cand is None or self.saved is None:
            return
        if errors:
            self.show_status("Not saved:\n" + "\n".join(f"{k}: {m}" for k, m in errors), error=True)
            self.set_focus(self.query_one(f"#{input_id(errors[0][0])}", Input))
            self.query_one("#fac-body").scroll_home(animate=False)
            return
        what = changes(self.saved, cand)
        if not what:
            self.show_status("nothing changed")
            return
        body = Text("Save these facility settings to the session?\n\n" + "\n".join(f"  {w}" for w in what))
        still = cand.problems()
        if still:
            body.append("\n\nStill missing for the 837I:\n" + "\n".join(f"  ✖ {p}" for p in still), style="yellow")

        def answered(ok: bool | None) -> None:
            if ok:
                self.save(cand)
            else:
                self.show_status("not saved (Ctrl+S saves)")

        self.app.push_screen(Confirm("Save facility settings?", body), answered)

    @work(exclusive=True, group="facility-save")
    async def save(self, cand: FacilitySettings) -> None:
        try:
            await self.app.store_call(cand.save, self.app.store)  # type: ignore[attr-defined]
            fac = await self.app.store_call(FacilitySettings.from_store, self.app.store)  # type: ignore[attr-defined]
        except Exception as exc:  # StoreError: the message says what failed
            self.show_status(f"Not saved: {exc}", error=True)
            return
        self.show(fac, "saved ✓")
        self.query_one("#title-bar", Static).update("Facility settings (the hospital's 837I) · saved ✓")

    def action_back(self) -> None:
        if self.dirty():
            self.app.push_screen(
                ConfirmNo("Leave without saving?", "Changes on this page are not saved: y leaves without them, "
                                                   "n stays (then Ctrl+S saves)."),
                lambda ok: ok and self.app.pop_screen(),
            )
            return
        self.app.pop_screen()

    def action_focus_revenue(self) -> None:
        self.set_focus(self.query_one("#fac-revenue"))

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()
