"""Practice settings: billing provider, submitter, receiver, payers and the fee schedule.

The same rules as `workstation settings set` (workstation.billing.settings.set_value): a value the
CLI refuses is refused here with the same message. Ctrl+S saves through the store (durable and
audited) before "saved ✓" shows.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from workstation.ui.screens.forms import ConfirmNo, FormScreen

if TYPE_CHECKING:  # annotations only: nothing more is imported at run time
    from types import ModuleType
    from workstation.billing.settings import PracticeSettings

# (setting key as the CLI names it, label)
FIELDS: list[tuple[str, str]] = [
    ("billing_name", "Billing provider (33)"),
    ("npi", "Billing NPI (33a)"),
    ("tax_id", "Tax id, EIN (25)"),
    ("taxonomy", "Taxonomy (33b)"),
    ("address.line1", "Address line 1"),
    ("address.line2", "Address line 2"),
    ("address.city", "City"),
    ("address.state", "State"),
    ("address.zip", "ZIP+4, 9 digits"),
    ("phone", "Phone"),
    ("submitter_id", "Submitter id"),
    ("submitter_name", "Submitter name"),
    ("submitter_contact", "Submitter contact"),
    ("submitter_phone", "Submitter phone"),
    ("receiver_id", "Receiver id"),
    ("receiver_name", "Receiver name"),
    ("default_charge", "Default charge"),
    ("coder_id", "Coder id (audit)"),
]
PLACEHOLDERS = {
    "npi": "10 digits, Luhn check with 80840",
    "tax_id": "9 digits",
    "taxonomy": "e.g. 207Q00000X",
    "address.zip": "e.g. 432150001",
    "default_charge": "for codes not in the fee schedule",
    "coder_id": "blank: the operating-system user",
}


def input_id(key: str) -> str:
    return "set-" + key.replace(".", "-").replace("_", "-")


def _settings_mod() -> ModuleType:
    from workstation.billing import settings

    return settings


def copy_of(s: PracticeSettings) -> PracticeSettings:
    mod = _settings_mod()
    out = mod.PracticeSettings.from_dict(s.to_dict())
    out.coder_id = s.coder_id
    return out


def apply_fields(s: PracticeSettings, values: dict[str, str]) -> list[tuple[str, str]]:
    """Set every changed field with the CLI's rules; (key, message) for each one refused."""
    mod = _settings_mod()
    errors: list[tuple[str, str]] = []
    for key, _ in FIELDS:
        value = values.get(key, "")
        current = mod.get_value(s, key)
        if value.strip() == str(current or "").strip():
            continue
        try:
            mod.set_value(s, key, value)
        except mod.SettingError as exc:
            errors.append((key, str(exc)))
    return errors


class FeeForm(FormScreen):
    FIELDS = [
        ("code", "HCPCS or CPT code (5 characters)", "e.g. 99213"),
        ("amount", "Charge per unit", "e.g. 125.00"),
    ]

    def parse(self, data: dict[str, str]) -> tuple[str, str]:
        mod = _settings_mod()
        code = data["code"].strip().upper()
        if not data["amount"].strip():
            raise ValueError("Enter a charge (x on the list removes an entry)")
        probe = mod.PracticeSettings(fee_schedule={})
        try:
            mod.set_value(probe, f"fee.{code}", data["amount"])
        except mod.SettingError as exc:
            raise ValueError(str(exc)) from None
        return code, probe.fee_schedule[code]


class PayerForm(FormScreen):
    FIELDS = [
        ("payer_id", "Payer id (2010BB NM109)", "e.g. 00952"),
        ("name", "Payer name", "e.g. Medicare Part B"),
        ("plan", "Claim filing indicator (SBR09), optional", "MB, MC, CI, BL ..."),
    ]

    def parse(self, data: dict[str, str]) -> tuple[str, str, str]:
        pid, name, plan = data["payer_id"].strip(), data["name"].strip(), data["plan"].strip().upper()
        if not pid:
            raise ValueError("payer id is empty")
        if not name:
            raise ValueError("a payer needs a name (x on the list removes a payer)")
        if plan and not re.fullmatch(r"[0-9A-Z]{1,2}", plan):
            raise ValueError("claim filing indicator: one or two letters or digits, e.g. MB")
        return pid, name, plan


class FeeList(OptionList):
    BINDINGS = [
        Binding("enter", "edit", "Edit fee"),
        Binding("a", "add", "Add fee"),
        Binding("x,delete", "remove", "Remove fee"),
    ]

    def action_edit(self) -> None:
        self.screen.edit_fee(self.highlighted_id())

    def action_add(self) -> None:
        self.screen.edit_fee(None)

    def action_remove(self) -> None:
        self.screen.remove_fee(self.highlighted_id())

    def highlighted_id(self) -> str | None:
        i = self.highlighted
        return self.get_option_at_index(i).id if i is not None and i < self.option_count else None


class PayerList(FeeList):
    BINDINGS = [
        Binding("enter", "edit", "Edit payer"),
        Binding("a", "add", "Add payer"),
        Binding("x,delete", "remove", "Remove payer"),
    ]

    def action_edit(self) -> None:
        self.screen.edit_payer(self.highlighted_id())

    def action_add(self) -> None:
        self.screen.edit_payer(None)

    def action_remove(self) -> None:
        self.screen.remove_payer(self.highlighted_id())


class SettingsScreen(Screen):
    """Every practice setting on one scrollable page; Ctrl+S saves, Esc goes back."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "back", "Back"),
        Binding("f3", "focus_payers", "Payers"),
        Binding("f4", "focus_fees", "Fee schedule"),
        Binding("f5", "facility", "Facility (837I)"),
        Binding("f1", "app.help", "Keys"),  # ? types into the fields here
    ]
    HELP_DESCRIPTIONS = {
        "save": "Save every change (checked as `workstation settings set` checks it; durable and audited)",
        "back": "Back (asks first when changes are not saved)",
        "focus_payers": "Go to the payer list",
        "focus_fees": "Go to the fee schedule",
        "facility": "The hospital's facility settings for its inpatient claims (837I)",
        "app.help": "This help (? works too outside a text field)",
    }
    HELP_EXTRA = [
        ("Tab / Shift+Tab", "Next / previous field"),
        ("Enter", "In a field: next field; on a payer or fee: edit it"),
        ("a", "On the payer list or fee schedule: add an entry"),
        ("x / Delete", "On the payer list or fee schedule: remove the entry"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.saved: PracticeSettings | None = None  # what the store holds
        self.working: PracticeSettings | None = None  # with payer and fee changes not yet saved
        self.status = ""

    def compose(self) -> ComposeResult:
        yield Static("Practice settings", id="title-bar")
        with VerticalScroll(id="settings-body"):
            yield Static("Loading settings…", id="settings-status")
            yield Static("Billing provider, submitter and receiver", classes="section")
            for key, label in FIELDS:
                with Horizontal(classes="setting-row"):
                    yield Label(label, classes="setting-label")
                    yield Input(placeholder=PLACEHOLDERS.get(key, ""), id=input_id(key), compact=True)
            yield Static("Payers   (Enter edit · a add · x remove)", classes="section")
            yield PayerList(id="payers", compact=True)
            yield Static("Fee schedule   (Enter edit · a add · x remove)", classes="section")
            yield FeeList(id="fees", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(exclusive=True, group="settings")
    async def load(self) -> None:
        mod = _settings_mod()
        s = await self.app.store_call(mod.PracticeSettings.from_store, self.app.store)
        self.saved = s
        self.working = copy_of(s)
        for key, _ in FIELDS:
            self.query_one(f"#{input_id(key)}", Input).value = str(mod.get_value(s, key) or "")
        self.show_lists()
        self.show_status()
        self.set_focus(self.query_one(f"#{input_id(FIELDS[0][0])}", Input))

    # ------------------------------------------------------------ lists

    def show_lists(self, fee_key: str | None = None, payer_key: str | None = None) -> None:
        s = self.working
        payers = self.query_one("#payers", PayerList)
        keep_p = payer_key or payers.highlighted_id()
        payers.clear_options()
        for p in s.payers:
            payers.add_option(Option(Text.assemble((f"{p.payer_id:<12}", "bold"), f" {p.name}", (f"  {p.plan_type}" if p.plan_type else "", "dim")), id=p.payer_id))
        if not s.payers:
            payers.add_option(Option(Text("no payers: a adds one", style="dim"), disabled=True))
        fees = self.query_one("#fees", FeeList)
        keep_f = fee_key or fees.highlighted_id()
        fees.clear_options()
        for code in sorted(s.fee_schedule):
            fees.add_option(Option(Text.assemble((f"{code:<7}", "bold"), f"{s.fee_schedule[code]:>10}"), id=code))
        if not s.fee_schedule:
            fees.add_option(Option(Text("no fees: a adds one", style="dim"), disabled=True))
        for lst, keep in ((payers, keep_p), (fees, keep_f)):
            ids = [lst.get_option_at_index(i).id for i in range(lst.option_count)]
            if keep in ids:
                lst.highlighted = ids.index(keep)

    def edit_fee(self, code: str | None) -> None:
        values = {"code": code or "", "amount": self.working.fee_schedule.get(code, "") if code else ""}

        def done(result: tuple[str, str] | None) -> None:
            if result:
                new_code, amount = result
                if code and code != new_code:
                    self.working.fee_schedule.pop(code, None)
                self.working.fee_schedule[new_code] = amount
                self.show_lists(fee_key=new_code)
                self.show_status(f"fee {new_code} = {amount}: not saved yet (Ctrl+S)")

        self.app.push_screen(FeeForm(f"Fee schedule: {code}" if code else "Fee schedule: new entry", values), done)

    def remove_fee(self, code: str | None) -> None:
        if code and code in self.working.fee_schedule:
            self.working.fee_schedule.pop(code)
            self.show_lists()
            self.show_status(f"fee {code} removed: not saved yet (Ctrl+S)")

    def edit_payer(self, payer_id: str | None) -> None:
        p = self.working.payer_by_id(payer_id) if payer_id else None
        values = {"payer_id": p.payer_id, "name": p.name, "plan": p.plan_type} if p else {}

        def done(result: tuple[str, str, str] | None) -> None:
            if result:
                mod = _settings_mod()
                pid, name, plan = result
                payers = [x for x in self.working.payers if x.payer_id not in (pid, payer_id)]
                at = next((i for i, x in enumerate(self.working.payers) if x.payer_id in (pid, payer_id)), len(payers))
                payers.insert(min(at, len(payers)), mod.Payer(name, pid, plan))
                self.working.payers = payers
                self.show_lists(payer_key=pid)
                self.show_status(f"payer {pid} set: not saved yet (Ctrl+S)")

        self.app.push_screen(PayerForm(f"Payer: {payer_id}" if payer_id else "Payer: new", values), done)

    def remove_payer(self, payer_id: str | None) -> None:
        if payer_id and self.working.payer_by_id(payer_id):
            self.working.payers = [p for p in self.working.payers if p.payer_id != payer_id]
            self.show_lists()
            self.show_status(f"payer {payer_id} removed: not saved yet (Ctrl+S)")

    # ------------------------------------------------------------ status and saving

    def entered(self) -> dict[str, str]:
        return {key: self.query_one(f"#{input_id(key)}", Input).value for key, _ in FIELDS}

    def dirty(self) -> bool:
        if self.saved is None:
            return False
        probe = copy_of(self.working)
        if apply_fields(probe, self.entered()):
            return True
        return probe.to_dict() != self.saved.to_dict()

    def show_status(self, message: str = "", error: bool = False) -> None:
        t = Text()
        if message:
            t.append(message + "\n", style="bold red" if error else "bold")
        problems = self.saved.problems() if self.saved is not None else []
        if problems:
            t.append("Claims cannot go out until these are fixed:\n", style="bold")
            for _, msg in problems:
                t.append(f"  ✖ {msg}\n", style="red")
        elif not message:
            t.append("Ctrl+S saves · checked as `workstation settings set` checks", style="dim")
        self.query_one("#settings-status", Static).update(t)

    def action_save(self) -> None:
        if self.saved is None:
            return
        candidate = copy_of(self.working)
        errors = apply_fields(candidate, self.entered())
        if errors:
            lines = "\n".join(f"{key}: {msg}" for key, msg in errors)
            self.show_status(f"Not saved:\n{lines}", error=True)
            self.set_focus(self.query_one(f"#{input_id(errors[0][0])}", Input))
            self.query_one("#settings-body").scroll_home(animate=False)
            return
        self.save(candidate)

    @work(exclusive=True, group="settings-save")
    async def save(self, candidate: PracticeSettings) -> None:
        mod = _settings_mod()
        try:
            await self.app.store_call(candidate.save, self.app.store)
            s = await self.app.store_call(mod.PracticeSettings.from_store, self.app.store)
        except Exception as exc:  # StoreError: the message says what failed
            self.show_status(f"Not saved: {exc}", error=True)
            return
        self.saved = s
        self.working = copy_of(s)
        for key, _ in FIELDS:  # normalised as stored (ZIP without dash, state upper-cased ...)
            self.query_one(f"#{input_id(key)}", Input).value = str(mod.get_value(s, key) or "")
        self.show_lists()
        self.show_status("saved ✓")
        self.query_one("#title-bar", Static).update("Practice settings · saved ✓")

    def action_back(self) -> None:
        if self.dirty():
            self.app.push_screen(
                ConfirmNo("Leave without saving?", "Changes on this page are not saved: y leaves without them, n stays (then Ctrl+S saves)."),
                lambda ok: ok and self.app.pop_screen(),
            )
            return
        self.app.pop_screen()

    def action_focus_payers(self) -> None:
        self.set_focus(self.query_one("#payers"))

    def action_facility(self) -> None:
        from workstation.ui.screens.facility import FacilityScreen

        self.app.push_screen(FacilityScreen())

    def action_focus_fees(self) -> None:
        self.set_focus(self.query_one("#fees"))

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()
