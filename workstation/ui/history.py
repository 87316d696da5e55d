"""Where the coder has been in the code books: back (`,`) and forward (`.`), as a browser does."""
from __future__ import annotations

Visit = tuple[str, str]  # (code, system)


class CodeHistory:
    """Visited codes, oldest first, and the position in them."""

    def __init__(self) -> None:
        self.visits: list[Visit] = []
        self.pos = -1

    def visit(self, came_from: Visit | None, to: Visit) -> None:
        """A new visit drops what was forward of here; where the coder came from is kept too,
        so `,` returns there."""
        del self.visits[self.pos + 1:]
        if came_from and came_from != to and (not self.visits or self.visits[-1] != came_from):
            self.visits.append(came_from)
        if not self.visits or self.visits[-1] != to:
            self.visits.append(to)
        self.pos = len(self.visits) - 1

    def can_go(self, delta: int) -> bool:
        return 0 <= self.pos + delta < len(self.visits)

    def step(self, delta: int) -> Visit | None:
        if not self.can_go(delta):
            return None
        self.pos += delta
        return self.visits[self.pos]
