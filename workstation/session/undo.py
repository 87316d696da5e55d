"""Undo history of a case: its coding as it stood before each of the last changes.

Each entry is the case's diagnoses, procedures and service lines (and its status, when the change
was a status change such as "marked coded") just before a change, with a label saying what the
change was ("E11.22 added"). The history lives on the case's work record (`CaseWork.undo`), so
it is written, journaled and replayed like any change to the case and survives a restart: `u`
after reopening the app still undoes. `SessionStore.push_undo` records an entry *before* the
change it belongs to (a crash between the two leaves an entry that restores what is already
there, never one that skips a change); `SessionStore.undo` pops the last entry and puts the
coding back in one journaled, audited change.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from workstation.session.work import CaseWork, ServiceLine

DEPTH = 30  # entries kept per case (the issue asks for at least 20); the oldest go first


@dataclass(frozen=True)
class UndoEntry:
    label: str  # what the change was: "E11.22 added"
    diagnoses: tuple[str, ...]
    procedures: tuple[str, ...]
    lines: tuple[ServiceLine, ...]
    status: str | None = None  # set when the change to undo was a status change

    @classmethod
    def before(cls, label: str, work: CaseWork, status_change: bool = False) -> "UndoEntry":
        lines = tuple(ServiceLine(**{**l.__dict__, "modifiers": list(l.modifiers), "pointers": list(l.pointers)})
                      for l in work.lines)
        return cls(label, tuple(work.diagnoses), tuple(work.procedures), lines, work.status if status_change else None)

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "diagnoses": list(self.diagnoses), "procedures": list(self.procedures),
                "lines": [asdict(l) for l in self.lines], "status": self.status}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "UndoEntry":
        return cls(str(d.get("label", "")), tuple(d.get("diagnoses") or ()), tuple(d.get("procedures") or ()),
                   tuple(ServiceLine(**l) for l in d.get("lines") or ()), d.get("status"))


def entries(work: CaseWork) -> list[UndoEntry]:
    """The case's undo history, oldest first."""
    return [UndoEntry.from_dict(d) for d in work.undo]


def last(work: CaseWork) -> UndoEntry | None:
    return UndoEntry.from_dict(work.undo[-1]) if work.undo else None


def pushed(work: CaseWork, entry: UndoEntry) -> list[dict[str, Any]]:
    """The history with `entry` on top, cut to DEPTH."""
    return ([*work.undo, entry.to_dict()])[-DEPTH:]
