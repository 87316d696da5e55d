"""Undo on the coding screen: the coding of a case as it was before each change.

Each change the coder makes (a diagnosis, a procedure, a line, a move, a removal, marking coded)
pushes the case's coding as it stood just before, read on the store thread in the same call as
the change, so two quick keys cannot take each other's picture. `u` writes the last one back
through the store (`SessionStore.restore_coding`): the undo is itself a journaled, audited change.
The stack lives as long as the app (a new session starts with nothing to undo).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from workstation.session.work import CaseWork, ServiceLine

DEPTH = 50  # changes kept per case (the issue asks for at least 20)


@dataclass(frozen=True)
class Snapshot:
    label: str  # what the change was: "E11.22 added"
    diagnoses: tuple[str, ...]
    procedures: tuple[str, ...]
    lines: tuple[ServiceLine, ...]
    status: str | None  # set when the change undone was a status change

    @classmethod
    def of(cls, label: str, work: CaseWork, status_change: bool = False) -> "Snapshot":
        lines = tuple(ServiceLine(**{**l.__dict__, "modifiers": list(l.modifiers), "pointers": list(l.pointers)})
                      for l in work.lines)
        return cls(label, tuple(work.diagnoses), tuple(work.procedures), lines, work.status if status_change else None)


@dataclass
class UndoJournal:
    stacks: dict[str, list[Snapshot]] = field(default_factory=dict)

    def push(self, case_id: str, snap: Snapshot) -> None:
        stack = self.stacks.setdefault(case_id, [])
        stack.append(snap)
        del stack[:-DEPTH]

    def pop(self, case_id: str) -> Snapshot | None:
        stack = self.stacks.get(case_id)
        return stack.pop() if stack else None

    def peek(self, case_id: str) -> Snapshot | None:
        stack = self.stacks.get(case_id)
        return stack[-1] if stack else None

    def depth(self, case_id: str) -> int:
        return len(self.stacks.get(case_id, []))
