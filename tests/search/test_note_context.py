"""The case's notes as a tie-breaker of the ranking (search/note_context.py): both sides."""
from __future__ import annotations

from dataclasses import dataclass

from workstation.search.note_context import NoteContext


@dataclass
class Row:
    code: str
    title: str
    score: float


ROWS = [Row("N18.30", "Chronic kidney disease, stage 3 unspecified", 80.0),
        Row("N18.31", "Chronic kidney disease, stage 3a", 79.0),
        Row("N18.32", "Chronic kidney disease, stage 3b", 79.0)]


def test_the_code_whose_words_the_note_uses_comes_first() -> None:
    ctx = NoteContext.of(["CKD stage 3a, chronic kidney disease followed by nephrology"])
    assert [r.code for r in ctx.rank(ROWS)][0] == "N18.31"


def test_a_suggested_code_and_its_header_move_up() -> None:
    ctx = NoteContext.of(["kidney"], suggested=["N18.32"])
    assert [r.code for r in ctx.rank(ROWS)][0] == "N18.32"
    headers = [Row("S82.61", "Displaced fracture of lateral malleolus of right fibula", 70.0),
               Row("S82.62", "Displaced fracture of lateral malleolus of left fibula", 71.0)]
    assert NoteContext.of([], suggested=["S82.61XA"]).rank(headers)[0].code == "S82.61"


def test_no_context_keeps_the_engine_order_and_every_row() -> None:
    assert NoteContext().rank(ROWS) == ROWS
    ctx = NoteContext.of(["nothing relevant here"])
    ranked = ctx.rank(ROWS)
    assert sorted(r.code for r in ranked) == [r.code for r in ROWS]  # nothing added or dropped
    assert [r.code for r in ranked] == ["N18.30", "N18.31", "N18.32"]  # ties keep their order
