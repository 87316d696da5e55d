"""Small modal forms and pickers: 7th character, note links, service line, provider query, export.

Each returns plain data through `dismiss`; the coding screen turns it into store calls.
Enter accepts, Escape cancels, Tab moves between fields.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from workstation.session import query_compliance as compliance
from workstation.session.coding import query_options  # the session core's rules, as the CLI has them


class Picker(ModalScreen[str | None]):
    """A titled list; Enter returns the highlighted option's id, Escape None."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("j", "down", show=False),
        Binding("k", "up", show=False),
    ]

    def __init__(self, title: str, options: list[tuple[str, Text | str]], hint: str = "") -> None:
        super().__init__(classes="modal")
        self.title_text = title
        self.options = options
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield OptionList(*[Option(label, id=key) for key, label in self.options], id="picker")
            yield Static(self.hint or "Enter choose · Esc cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#picker", OptionList).focus()

    @on(OptionList.OptionSelected, "#picker")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_down(self) -> None:
        self.query_one("#picker", OptionList).action_cursor_down()

    def action_up(self) -> None:
        self.query_one("#picker", OptionList).action_cursor_up()


class SeventhPicker(Picker, inherit_bindings=False):
    """The 7th characters of a code: typing a character chooses it at once (A, D, S, 1...), as an
    encoder's designated key does; arrows and Enter work too. j and k are characters here
    (fractures have J and K), not cursor keys."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def on_key(self, event: events.Key) -> None:
        char = (event.character or "").upper()
        if len(char) == 1 and char.isalnum() and any(key == char for key, _ in self.options):
            event.stop()
            event.prevent_default()
            self.dismiss(char)


def seventh_picker(code: str, title: str, chars: list[tuple[str, str]]) -> Picker:
    opts = [(ch, Text.assemble((ch, "bold"), f"  {meaning}")) for ch, meaning in chars]
    return SeventhPicker(f"7th character for {code} {title}", opts,
                         "Type the character (or arrows, Enter) · the placeholder X is added for you · Esc cancel")


@dataclass
class LineFields:
    units: float
    modifiers: list[str]
    pointers: list[str]
    charge: float | None
    date: str = ""  # 24A; "" is the encounter's date of service

    def as_values(self) -> dict[str, str]:
        """Back to the form's text, to reopen it after the store refused the line."""
        return {
            "units": f"{self.units:g}",
            "modifiers": " ".join(self.modifiers),
            "pointers": "".join(self.pointers),
            "charge": "" if self.charge is None else f"{self.charge:.2f}",
            "date": self.date,
        }


class FormScreen(ModalScreen[Any]):
    """Labelled inputs; Enter on the last field (or ctrl+s) submits; errors stay on screen."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "submit", "Save")]
    FIELDS: list[tuple[str, str, str]] = []  # (id, label, placeholder)
    HINT = "Tab next field · Enter save · Esc cancel"

    def __init__(self, title: str, values: dict[str, str] | None = None, error: str = "") -> None:
        super().__init__(classes="modal")
        self.title_text = title
        self.values = values or {}
        self.error = error  # shown on opening: a save the store refused, with what was typed kept

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            for fid, label, placeholder in self.FIELDS:
                yield Label(label, classes="field-label")
                yield Input(self.values.get(fid, ""), placeholder=placeholder, id=fid, compact=True)
            yield Static(self.error, id="form-error", classes="dialog-error")
            yield Static(self.HINT, classes="dialog-hint")

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def entered(self) -> dict[str, str]:
        return {i.id: i.value for i in self.query(Input)}

    def action_submit(self) -> None:
        data = self.entered()
        try:
            result = self.parse(data)
        except ValueError as exc:
            self.query_one("#form-error", Static).update(str(exc))
            return
        self.dismiss(result)

    def parse(self, data: dict[str, str]) -> Any:
        return data

    def action_cancel(self) -> None:
        self.dismiss(None)


def modifier_note(text: str) -> Text:
    """What the modifiers typed so far are, checked against the HCPCS Level II modifier list as
    the coder types: each known one with its meaning, an unknown one in red. Modifiers starting
    with a digit are CPT's (licensed): checked by format only."""
    from workstation.codes import hcpcs

    try:
        known = hcpcs.modifiers()
    except Exception:  # HCPCS not compiled: the store checks the format when the line is saved
        known = {}
    out = Text()
    for m in text.upper().replace(",", " ").split():
        if out:
            out.append("  ")
        if len(m) != 2 or not m.isalnum():
            out.append(f"{m}: two letters or digits", style="bold red")
        elif m[0].isdigit():
            out.append(f"{m} CPT modifier (format only)", style="dim")
        elif m in known:
            out.append(f"{m} ", style="bold")
            out.append(str(known[m].short or known[m].long)[:40])
        elif known:
            out.append(f"{m}: not a HCPCS Level II modifier", style="bold red")
    return out


class LineForm(FormScreen):
    # The fields a coder changes most come first (on the demo worklist's answer key: the
    # pointers on 39 of 67 lines, modifiers on 17, the date on 22 inpatient lines, units on 8),
    # so the usual change is typed at once, with no Tab; Enter on any field saves.
    FIELDS = [
        ("pointers", "Diagnosis pointers (24E), letters A-L", "e.g. AB"),
        ("modifiers", "Modifiers (24D), up to four", "e.g. 25 RT"),
        ("units", "Units (24G)", "1"),
        ("date", "Service date (24A), blank = the date of service", "YYYY-MM-DD"),
        ("charge", "Charge (24F), blank = fee schedule", "e.g. 125.00"),
    ]

    def on_mount(self) -> None:
        super().on_mount()
        note = Static(modifier_note(self.values.get("modifiers", "")), id="modifier-note", classes="field-note")
        self.query_one("#modifiers", Input).parent.mount(note, after=self.query_one("#modifiers", Input))

    @on(Input.Changed, "#modifiers")
    def _modifiers_typed(self, event: Input.Changed) -> None:
        notes = self.query("#modifier-note")
        if notes:
            notes.first(Static).update(modifier_note(event.value))

    def parse(self, data: dict[str, str]) -> LineFields:
        try:
            units = float(data["units"] or "1")
        except ValueError:
            raise ValueError("Units must be a number, e.g. 1 or 2.5") from None
        if units <= 0:
            raise ValueError("Units must be more than zero")
        mods = [m.upper() for m in data["modifiers"].replace(",", " ").split()]
        if len(mods) > 4 or any(len(m) != 2 or not m.isalnum() for m in mods):
            raise ValueError("Modifiers: up to four two-character codes, e.g. 25 RT")
        raw = data["pointers"].upper().replace(",", " ")
        ptrs = [p for p in raw if not p.isspace()]
        if len(ptrs) > 4 or any(p not in "ABCDEFGHIJKL" for p in ptrs):
            raise ValueError("Pointers: up to four letters A-L, e.g. AB")
        charge = None
        if data["charge"].strip():
            try:
                charge = float(data["charge"].replace("$", "").replace(",", ""))
            except ValueError:
                raise ValueError("Charge must be an amount, e.g. 125.00") from None
            if charge < 0:
                raise ValueError("Charge cannot be negative")
        day = data.get("date", "").strip()
        if day:
            from datetime import date

            try:
                date.fromisoformat(day)
            except ValueError:
                raise ValueError("Service date must be YYYY-MM-DD, e.g. 2026-03-02") from None
            if len(day) != 10:
                raise ValueError("Service date must be YYYY-MM-DD, e.g. 2026-03-02")
        return LineFields(units, mods, ptrs, charge, day)


class QueryForm(FormScreen):
    FIELDS = [
        ("question", "Question for the provider", "e.g. Please clarify the type of diabetes"),
        ("indicators", "Clinical indicators from the record", "e.g. A1c 8.2 on insulin since 2019"),
        ("options", "Options offered, separated by ;", "Type 1; Type 2; Other; Clinically undetermined"),
        ("yes_no", "Yes/no form only to settle present on admission (poa) or confirm a documented "
                   "condition (confirm); blank: multiple choice", "blank, poa or confirm"),
    ]

    def __init__(self, title: str, values: dict[str, str] | None = None, error: str = "", gap: str = "") -> None:
        super().__init__(title, values, error)
        self.gap = gap  # the documentation gap the draft came from (cdi/gaps.py key), if any

    def parse(self, data: dict[str, str]) -> dict[str, Any]:
        if not data["question"].strip():
            raise ValueError("A query needs a question")
        options = query_options([o.strip() for o in data["options"].split(";") if o.strip()])
        yes_no = data.get("yes_no", "").strip().lower()
        problems = compliance.check(data["question"], data["indicators"], options, yes_no)  # as the store will
        if problems:
            raise ValueError("Not compliant: " + "; ".join(str(p) for p in problems))
        # A drafted query's quoted indicators are one per line; the one-line box shows them " | "-separated.
        indicators = "\n".join(p.strip() for p in data["indicators"].split(" | ") if p.strip())
        return {"question": data["question"].strip(), "indicators": indicators, "options": options,
                "yes_no": yes_no, "gap": self.gap}


class AnswerForm(FormScreen):
    """The provider's answer to a query (the options offered are shown as a hint)."""

    FIELDS = [("answer", "Provider's answer", "as documented by the provider")]

    def __init__(self, title: str, values: dict[str, str] | None = None, options: str = "", error: str = "") -> None:
        super().__init__(title, values, error)
        if options:
            self.FIELDS = [("answer", f"Provider's answer (offered: {options})", "as documented by the provider")]

    def parse(self, data: dict[str, str]) -> str:
        if not data["answer"].strip():
            raise ValueError("Record the provider's answer, or Esc to leave the query open")
        return data["answer"].strip()


class Confirm(ModalScreen[bool]):
    """A summary and a yes/no: y or Enter confirms, n or Escape cancels."""

    BINDINGS = [
        Binding("y,enter", "yes", "Confirm"),
        Binding("n,escape", "no", "Cancel"),
    ]

    def __init__(self, title: str, body: Text | str) -> None:
        super().__init__(classes="modal")
        self.title_text = title
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                yield Static(self.body)
            yield Static("y / Enter confirm · n / Esc cancel", classes="dialog-hint")

    def action_yes(self) -> None:
        self.dismiss(True)

    def action_no(self) -> None:
        self.dismiss(False)


class ConfirmNo(Confirm):
    """Yes/no where only y confirms: Enter, n and Escape answer No (for what cannot be undone)."""

    BINDINGS = [
        Binding("y", "yes", "Yes"),
        Binding("n,escape,enter", "no", "No (default)"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                yield Static(self.body)
            yield Static("y yes · n / Enter / Esc no", classes="dialog-hint")


class Notice(ModalScreen[None]):
    """Something to read (an import report, an audit entry): Enter or Escape closes."""

    BINDINGS = [Binding("escape,enter,q", "close", "Close")]

    def __init__(self, title: str, body: Text | str) -> None:
        super().__init__(classes="modal")
        self.title_text = title
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            with VerticalScroll(classes="dialog-body", id="notice-body"):
                yield Static(self.body)
            yield Static("Enter / Esc close", classes="dialog-hint")

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#notice-body"))

    def action_close(self) -> None:
        self.dismiss(None)


class PathForm(FormScreen):
    """A file or folder to import (~ is expanded); it must exist."""

    FIELDS = [("path", "File or folder: FHIR R4 bundles, JSON cases, or text notes", "e.g. ~/encounters or ~/bundle.json")]
    HINT = "Enter import · Esc cancel"

    def parse(self, data: dict[str, str]) -> str:
        import os

        raw = data["path"].strip()
        if not raw:
            raise ValueError("Type the path of a file or folder to import")
        path = os.path.expanduser(raw)
        if not os.path.exists(path):
            raise ValueError(f"No such file or folder: {path}")
        return path


class ClaimNumberForm(FormScreen):
    FIELDS = [("number", "Payer claim number of the claim sent before (box 22, REF*F8); blank clears", "from the remittance or claim status")]
