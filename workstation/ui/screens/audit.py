"""The audit trail, read-only: when, who, action, before → after, newest first.

One case's entries from the coding screen; the whole session's (settings included) from the
worklist. Enter shows one entry in full.
"""
from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from workstation.ui.screens.forms import Notice
from workstation.ui.text import clean_text, plain


def short(value: Any, limit: int = 80) -> str:
    """A value on one line: lists and dicts compact, long text cut with an ellipsis."""
    if value is None:
        return "—"
    if isinstance(value, list):
        text = "[" + ", ".join(short(v, limit) for v in value) + "]"
    elif isinstance(value, dict):
        text = "{" + ", ".join(f"{k}: {short(v, limit)}" for k, v in value.items()) + "}"
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def changed_parts(before: Any, after: Any) -> tuple[Any, Any]:
    """For two dicts, only the keys that differ (a settings record or a line is mostly unchanged)."""
    if isinstance(before, dict) and isinstance(after, dict):
        keys = [k for k in {**before, **after} if before.get(k) != after.get(k)]
        if len(before) == 1 and len(after) == 1 and keys:  # {"practice": {...}} -> look inside
            (k,) = keys
            inner_b, inner_a = changed_parts(before.get(k), after.get(k))
            if isinstance(inner_b, dict) or isinstance(inner_a, dict):
                return ({f"{k}.{x}": y for x, y in inner_b.items()} if isinstance(inner_b, dict) else inner_b,
                        {f"{k}.{x}": y for x, y in inner_a.items()} if isinstance(inner_a, dict) else inner_a)
            return {k: inner_b}, {k: inner_a}
        keep = [k for k in keys if k != "index"]
        if "index" in before or "index" in after:
            keep = ["index"] + keep
        return {k: before.get(k) for k in keep}, {k: after.get(k) for k in keep}
    return before, after


def _before(entry: dict[str, Any]) -> Any:
    """The practice record's first save replaces the demo defaults: compare with those."""
    before = entry.get("before")
    if entry.get("action") == "set_setting" and before == {"practice": None}:
        from workstation.billing.settings import PracticeSettings

        defaults = PracticeSettings().to_dict()
        defaults.pop("coder_id", None)
        return {"practice": defaults}
    return before


def entry_change(entry: dict[str, Any]) -> tuple[Any, Any]:
    return changed_parts(_before(entry), entry.get("after"))


def change_text(entry: dict[str, Any], limit: int = 80) -> str:
    b, a = entry_change(entry)
    return f"{short(b, limit)} → {short(a, limit)}"


def when_text(stamp: str) -> str:
    """2026-11-27T16:04:05.123Z -> 2026-11-27 16:04:05Z (UTC, as stored)."""
    s = str(stamp or "")
    return (s[:10] + " " + s[11:19] + "Z") if len(s) >= 19 else s


class AuditTable(DataTable):
    """The trail; Enter is shown in the footer as what it does here."""

    BINDINGS = [Binding("enter", "select_cursor", "Full entry")]


class AuditScreen(Screen):
    AUTO_FOCUS = "#audit"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("enter", "show_entry", "Full entry"),
        Binding("j", "cursor(1)", "Down", show=False),
        Binding("k", "cursor(-1)", "Up", show=False),
    ]
    HELP_EXTRA = [
        ("↑ ↓ / j k / PgUp PgDn", "Scroll the trail (read-only: nothing here changes the session)"),
    ]

    def __init__(self, case_id: str | None = None) -> None:
        super().__init__()
        self.case_id = case_id
        self.entries: list[dict[str, Any]] = []

    def compose(self) -> ComposeResult:
        what = f"case {self.case_id}" if self.case_id else "the whole session"
        yield Static(f"Audit trail · {what} · newest first · read-only", id="title-bar")
        yield Static("Loading…", id="audit-count")
        yield AuditTable(id="audit", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(exclusive=True, group="audit")
    async def load(self) -> None:
        entries = await self.app.store_call(self.app.store.audit, self.case_id)
        self.entries = list(reversed(entries))
        table = self.query_one("#audit", DataTable)
        table.clear(columns=True)
        table.add_column("When (UTC)", key="when")
        table.add_column("Who", key="who")
        if self.case_id is None:
            table.add_column("Case", key="case")
        table.add_column("Action", key="action")
        table.add_column("Before → after", key="change")
        for i, e in enumerate(self.entries):
            row = [when_text(e.get("when", "")), str(e.get("who", ""))]
            if self.case_id is None:
                row.append(str(e.get("case_id") or "(session)"))
            row += [str(e.get("action", "")).replace("_", " "), change_text(e)]
            table.add_row(*(plain(c) for c in row), key=str(i))  # notes and names are data, not markup
        n = len(self.entries)
        self.query_one("#audit-count", Static).update(
            f"{n} entr{'y' if n == 1 else 'ies'}" + ("" if n else ": nothing has changed yet"))

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_cursor(self, delta: int) -> None:
        table = self.query_one("#audit", DataTable)
        table.action_cursor_down() if delta > 0 else table.action_cursor_up()

    def action_show_entry(self) -> None:
        table = self.query_one("#audit", DataTable)
        if not self.entries or table.cursor_row is None or table.cursor_row >= len(self.entries):
            return
        e = self.entries[table.cursor_row]
        b, a = entry_change(e)
        body = Text()
        body.append(f"{when_text(e.get('when', ''))}  {e.get('who', '')}\n", style="bold")
        body.append(f"case {e.get('case_id') or '(session)'} · {str(e.get('action', '')).replace('_', ' ')}\n\n")
        body.append("Before\n", style="bold")
        body.append(short(b, 4000) + "\n\n")
        body.append("After\n", style="bold")
        body.append(short(a, 4000))
        self.app.push_screen(Notice("Audit entry", clean_text(body)))

    @on(DataTable.RowSelected, "#audit")
    def _selected(self) -> None:
        self.action_show_entry()
