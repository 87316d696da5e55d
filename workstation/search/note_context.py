"""The case being coded, as a tie-breaker of the search ranking: what its notes say.

A coder searches with the words of the note in front of them ("chron kidne" for "CKD stage 3a
... chronic kidney disease"). Among the engine's results for those words, the codes whose titles
the note also uses ("3a", "diastolic", "right") and the codes the suggestion reader found in the
same note (suggest/) are the likelier ones, so they move up. The engine's own ranking
(engine.py) is unchanged; this only re-orders the rows it returned, by adding to each row's score:

- up to `NOTE_WORDS` points for the share of its title's words the note uses, and
- `SUGGESTED` points when the code is a suggestion for the case (or the header of one, the
  suggestion with its 7th character: S82.61X- for S82.61XA).

Nothing is added or removed: the coder still sees every row the engine found, and chooses.
The weights were set on the demo worklist (benchmarks/keystrokes.py), not on a held-out set.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from workstation.search.tokenize import STOP_WORDS

NOTE_WORDS = 20.0
SUGGESTED = 15.0

_WORD = re.compile(r"[a-z0-9]+")


class Ranked(Protocol):
    code: str
    title: str
    score: float


R = TypeVar("R", bound=Ranked)


@dataclass(frozen=True)
class NoteContext:
    """The words of a case's notes and the codes suggested from them."""

    words: frozenset[str] = frozenset()
    suggested: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(cls, texts: Iterable[str], suggested: Iterable[str] = ()) -> "NoteContext":
        return cls(frozenset(_WORD.findall(" ".join(texts).lower())), frozenset(suggested))

    def bonus(self, code: str, title: str) -> float:
        title_words = [w for w in _WORD.findall(title.lower()) if w not in STOP_WORDS]
        points = NOTE_WORDS * sum(1 for w in title_words if w in self.words) / len(title_words) if title_words else 0.0
        head = code.rstrip("-").rstrip(".")
        if code in self.suggested or (head and any(s.startswith(head) for s in self.suggested)):
            points += SUGGESTED
        return points

    def rank(self, results: list[R]) -> list[R]:
        """The same rows, the note's likelier codes first (a stable sort: ties keep the engine's order)."""
        if not self.words and not self.suggested:
            return list(results)
        return sorted(results, key=lambda r: -(r.score + self.bonus(r.code, r.title)))
