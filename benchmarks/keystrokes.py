"""Keys per code on the coding screen: demo cases coded to their answer key, as a coder would.

    .venv/bin/python benchmarks/keystrokes.py [--way both|suggest|search] [--cases DEMO-001,DEMO-002] [--size 160x48] [-v]

Drives the real app with Textual's pilot, on a temporary session holding the demo worklist, with
the real search engine and the real suggestion reader. For every case of the answer key
(tests/cases/answer_key.py) it codes the diagnoses in their order, the procedures, then the
service lines, pressing keys the way a coder at the keyboard would, and counts every key. It
does so two ways, each on a fresh session, and prints the figures of each:

(a) suggest: the coder opens the Suggestions list first (ctrl+g: the case opens on the search
    box, where g would type a g), and for each code of the key that the list holds moves to its
    row with the arrows and presses Enter (a 7th character: typed). For a code the list does not
    hold, Esc closes the list and the code is searched for as in (b); the list is opened again
    (ctrl+g) for the next code it holds. The keys of opening and closing the list count, on the
    code they come before.
(b) search: search only.

Searching for a code:
- a diagnosis: `/` (not when the search box is focused and empty, as when a case opens), then
  words of the note typed one at a time (the words of the code's title that the note uses, in
  the title's order, each cut to its first 5 letters), stopping as soon as the code is among
  the first 8 results on screen; then Down into the results, Down to the row, `d`; a 7th
  character: typed in the chooser. If the note's words never bring it up, the code itself is
  typed (what a coder who knows the code does) and Enter codes it when it is the first row.
- a procedure (ICD-10-PCS): `/`, the code, Enter (the PCS builder by characters is not counted).
- a service line: `/`, the HCPCS or CPT code, Enter (its line form opens), then in the form only
  the fields that differ from what it offers (Tab to a field: its text is selected, typing
  replaces it), and Enter.

At the end the stored coding is compared with the answer key; a case that does not match is
reported and left out of the figures. Prints per case and the median and worst keys per code.
Asserts nothing about speed.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "cases"))

STOP = {"and", "the", "with", "without", "for", "due", "not", "other", "unspecified", "of", "to", "in", "or",
        "by", "as", "on", "at", "an", "a", "type", "specified", "site", "encounter", "initial", "subsequent"}
VISIBLE = 8  # results a coder reads without scrolling


@dataclass
class CodeKeys:
    code: str
    kind: str  # dx, pcs, line
    keys: int
    how: str


@dataclass
class CaseRun:
    case_id: str
    codes: list[CodeKeys] = field(default_factory=list)
    matches: bool = False
    problem: str = ""


class Keys:
    """The pilot's press, counting every key."""

    def __init__(self, pilot: Any) -> None:
        self.pilot = pilot
        self.count = 0

    async def press(self, *keys: str) -> None:
        self.count += len(keys)
        await self.pilot.press(*keys)

    async def type(self, text: str) -> None:
        await self.press(*[{" ": "space", "/": "slash", ".": "full_stop", ",": "comma"}.get(ch, ch) for ch in text])


async def settle(pilot: Any, rounds: int = 3) -> None:
    for _ in range(rounds):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.05)


def note_words(case: Any) -> set[str]:
    text = " ".join(d.text for d in case.documents).lower()
    return set(re.findall(r"[a-z0-9]+", text))


PREFIX = 5  # letters of a word a coder types ("diabe", "chron"): the search matches word starts


def title_words(title: str, words: set[str]) -> list[str]:
    """The title's words the note uses too, in the title's order, each cut to its first letters."""
    out = []
    for w in re.findall(r"[A-Za-z0-9]+", title.lower()):
        if w not in STOP and w in words and w[:PREFIX] not in out:
            out.append(w[:PREFIX])
    return out


def shown_codes(screen: Any) -> list[str]:
    opts = screen.codes.results
    out = []
    for i in range(min(opts.option_count, VISIBLE)):
        oid = opts.get_option_at_index(i).id
        if oid:
            out.append(oid.split(":", 1)[1])
    return out


def row_for(target: str, shown: list[str]) -> int:
    """Where the target is on screen: itself, or the code it is built from with a 7th character."""
    bases = {target}
    if len(target.replace(".", "")) == 7:
        stem = target[:-1].rstrip("X")
        bases |= {target[:-1], stem, stem.rstrip(".")}
    for i, c in enumerate(shown):
        if c in bases:
            return i
    return -1


async def pick_seventh(k: Keys, screen: Any, target: str) -> str:
    """The 7th-character chooser, when it opened: the character typed (one key)."""
    from workstation.ui.screens.forms import Picker

    if isinstance(screen.app.screen, Picker):
        await k.type(target[-1].lower())
        await settle(screen.app._pilot)
        return f", 7th {target[-1]}"
    return ""


async def code_dx(k: Keys, screen: Any, target: str, words: set[str]) -> CodeKeys:
    from workstation.ui import core

    start = k.count
    if screen.focused is not screen.codes.search_box or screen.codes.search_box.value:
        await k.press("slash")  # (a case opens on the empty search box: no "/" needed then)
    hit = core.icd10cm(screen.dos).get(target)
    title = hit.title if hit else ""
    typed = ""
    row = -1
    for w in title_words(title, words):
        await k.type(("" if not typed else " ") + w)
        typed += ("" if not typed else " ") + w
        await settle(screen.app._pilot)
        row = row_for(target, shown_codes(screen))
        if row >= 0:
            break
    how = f"words {typed!r}"
    if row < 0:
        if typed:
            await k.press("slash")  # select what is typed: the code replaces it
        await k.type(target)
        await settle(screen.app._pilot)
        row = row_for(target, shown_codes(screen))
        how = f"code {target}" + (f" (after {typed!r})" if typed else "")
        if row == 0 and screen.codes.typed_code_row() is not None:
            await k.press("enter")  # the code typed in full is the first row: Enter codes it
            await settle(screen.app._pilot)
            return CodeKeys(target, "dx", k.count - start, how + ", Enter" + await pick_seventh(k, screen, target))
    if row < 0:
        return CodeKeys(target, "dx", k.count - start, how + ": not found")
    await k.press("down", *["down"] * row, "d")
    await settle(screen.app._pilot)
    how += f", row {row + 1}" + await pick_seventh(k, screen, target)
    return CodeKeys(target, "dx", k.count - start, how)


async def code_pcs(k: Keys, screen: Any, target: str) -> CodeKeys:
    start = k.count
    await k.press("slash")
    await k.type(target)
    await settle(screen.app._pilot)
    row = row_for(target, shown_codes(screen))
    if row < 0:
        return CodeKeys(target, "pcs", k.count - start, "not found")
    if row == 0 and screen.codes.typed_code_row() is not None:
        await k.press("enter")
    else:
        await k.press("down", *["down"] * row, "d")
    await settle(screen.app._pilot)
    return CodeKeys(target, "pcs", k.count - start, "code")


async def fill_line_form(k: Keys, screen: Any, line: Any) -> bool:
    """In the line form, only the fields that differ from what it offers (Tab to a field: its text
    is selected, typing replaces it), then Enter. False when no line form opened."""
    from workstation.ui.screens.forms import LineForm

    form = screen.app.screen
    if not isinstance(form, LineForm):
        return False
    offered = {fid: form.query_one(f"#{fid}").value for fid, _, _ in form.FIELDS}
    wanted = {
        "units": f"{line.units:g}",
        "modifiers": " ".join(line.modifiers),
        "pointers": "".join(line.pointers),
        "charge": "",
        "date": line.date,
    }
    at = 0  # the form opens on its first field
    for i, (fid, _, _) in enumerate(form.FIELDS):
        if offered[fid] == wanted[fid] or (fid == "units" and float(offered[fid] or 1) == float(wanted[fid])):
            continue
        await k.press(*["tab"] * (i - at))
        at = i
        await k.type(wanted[fid])
    await k.press("enter")
    await settle(screen.app._pilot)
    return True


async def code_line(k: Keys, screen: Any, line: Any, n_dx: int) -> CodeKeys:
    start = k.count
    await k.press("slash")
    await k.type(line.code)
    await settle(screen.app._pilot)
    if screen.codes.typed_code_row() is not None:
        await k.press("enter")  # the code typed in full is the first row: Enter opens its line form
        how = "code, Enter"
    else:
        await k.press("escape", "s")
        how = "code, Esc s"
    await settle(screen.app._pilot)
    if not await fill_line_form(k, screen, line):
        return CodeKeys(line.code, "line", k.count - start, "no line form")
    return CodeKeys(line.code, "line", k.count - start, how)


class Suggested:
    """The coder who opens the Suggestions list (g) first: arrows to the row, Enter; Esc closes
    the list before a code it does not hold is searched for."""

    def __init__(self, k: Keys, screen: Any) -> None:
        self.k = k
        self.screen = screen
        self.open = False
        self.rows: list[Any] | None = None  # the suggestions of the case, read once

    def panel(self) -> Any:
        from workstation.ui.widgets.suggestions import SuggestionsPanel

        return self.screen.app.screen.query_one(SuggestionsPanel)

    async def start(self) -> None:
        """g at the start of the case (counted: it goes to the case's first code)."""
        await self.k.press("ctrl+g")  # g outside a text box; the case opens on the search box
        await settle(self.screen.app._pilot, 5)
        self.open = True
        self.rows = list(self.panel().suggestions)

    def holds(self, target: str) -> bool:
        return any(row_for(target, [s.code]) == 0 for s in self.rows or [])

    async def close(self) -> None:
        if self.open:
            await self.k.press("escape")
            await settle(self.screen.app._pilot)
            self.open = False

    async def accept(self, target: str, kind: str, line: Any = None) -> CodeKeys | None:
        """Accept the target from the list; None when the list does not hold it."""
        if not self.holds(target):
            return None
        k, start = self.k, self.k.count
        if not self.open:
            await k.press("ctrl+g")
            await settle(self.screen.app._pilot, 5)
            self.open = True
        panel = self.panel()
        codes = [s.code for s in panel.suggestions]
        want = next(i for i, c in enumerate(codes) if row_for(target, [c]) == 0 and not panel.suggestions[i].already_coded)
        here = max(0, panel._index())
        await k.press(*(["down"] * (want - here) if want >= here else ["up"] * (here - want)), "enter")
        await settle(self.screen.app._pilot)
        how = f"suggestion row {want + 1}" + await pick_seventh(k, self.screen, target)
        if kind == "line" and not await fill_line_form(k, self.screen, line):
            how += ": no line form"
        return CodeKeys(target, kind, k.count - start, how)


def matches(store: Any, case_id: str, exp: Any) -> str:
    w = store.work(case_id)
    problems = []
    if list(w.diagnoses) != list(exp.dx):
        problems.append(f"dx {w.diagnoses} != {list(exp.dx)}")
    if list(w.procedures) != list(exp.pcs):
        problems.append(f"pcs {w.procedures} != {list(exp.pcs)}")
    got = [(l.code, tuple(l.modifiers), float(l.units), tuple(l.pointers), l.date) for l in w.lines]
    want = [(l.code, tuple(l.modifiers), float(l.units), tuple(l.pointers), l.date) for l in exp.lines]
    if got != want:
        problems.append(f"lines {got} != {want}")
    return "; ".join(problems)


async def run(case_ids: list[str], size: tuple[int, int], verbose: bool, way: str) -> list[CaseRun]:
    """Code the cases one way: "search" (search only) or "suggest" (the Suggestions list first)."""
    from answer_key import KEY  # tests/cases/answer_key.py

    from textual.widgets import DataTable

    from workstation.cases.demo import demo_cases
    from workstation.session.store import SessionStore
    from workstation.ui import core
    from workstation.ui.app import WorkstationApp

    core.warm()
    runs: list[CaseRun] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = SessionStore.open(Path(tmp) / "keys.json")
        try:
            store.add_cases(demo_cases())
            app = WorkstationApp(store, label="keys.json")
            async with app.run_test(size=size) as pilot:
                app._pilot = pilot  # type: ignore[attr-defined]
                await settle(pilot)
                for cid in case_ids:
                    exp = KEY[cid]
                    case = store.case(cid)
                    table = app.screen.query_one("#cases", DataTable)
                    table.move_cursor(row=table.get_row_index(cid))
                    await pilot.press("enter")
                    await settle(pilot)
                    screen = app.screen
                    k = Keys(pilot)
                    r = CaseRun(cid)
                    words = note_words(case)
                    items: list[tuple[str, Any]] = ([("dx", c) for c in exp.dx] + [("pcs", c) for c in exp.pcs]
                                                    + [("line", ln) for ln in exp.lines])
                    sug = Suggested(k, screen) if way == "suggest" else None
                    if sug is not None and items:
                        await sug.start()  # its keys go to the first code
                    begin = 0
                    for n, (kind, item) in enumerate(items):
                        code = item.code if kind == "line" else item
                        got = await sug.accept(code, kind, item if kind == "line" else None) if sug else None
                        if got is None:
                            if sug is not None:
                                await sug.close()
                            if kind == "dx":
                                got = await code_dx(k, screen, code, words)
                            elif kind == "pcs":
                                got = await code_pcs(k, screen, code)
                            else:
                                got = await code_line(k, screen, item, len(exp.dx))
                        if sug is not None and n == len(items) - 1:
                            await sug.close()
                        got.keys = k.count - begin
                        begin = k.count
                        r.codes.append(got)
                    r.problem = matches(store, cid, exp)
                    r.matches = not r.problem
                    runs.append(r)
                    if verbose:
                        for c in r.codes:
                            print(f"  {way:7} {cid} {c.kind:4} {c.code:9} {c.keys:3} keys  {c.how}", flush=True)
                    await pilot.press("escape", "escape")  # out of any box, back to the worklist
                    await settle(pilot)
                    while not type(app.screen).__name__ == "WorklistScreen":
                        await pilot.press("escape")
                        await settle(pilot)
        finally:
            store.close()
    return runs


def report(way: str, runs: list[CaseRun], size: str) -> None:
    good = [r for r in runs if r.matches]
    print(f"\n== {WAYS[way]} ==")
    print(f"{'case':9} {'codes':>5} {'keys':>5} {'keys/code':>9}  result")
    for r in runs:
        keys = sum(c.keys for c in r.codes)
        print(f"{r.case_id:9} {len(r.codes):5} {keys:5} {keys / max(1, len(r.codes)):9.1f}  "
              + ("coded to the answer key" if r.matches else f"DIFFERS: {r.problem}"))
    per_code = [c for r in good for c in r.codes]
    if not per_code:
        print("no case coded to its answer key")
        return
    keys = [c.keys for c in per_code]
    worst = max(per_code, key=lambda c: c.keys)
    print(f"{len(good)} of {len(runs)} cases coded to the answer key, {len(per_code)} codes, size {size}")
    print(f"keys per code: median {statistics.median(keys):g}, worst {worst.keys} ({worst.code}: {worst.how or worst.kind})")
    for kind in ("dx", "pcs", "line"):
        ks = [c.keys for c in per_code if c.kind == kind]
        if ks:
            print(f"  {kind:4}: {len(ks):3} codes, median {statistics.median(ks):g}, worst {max(ks)}")
    if way == "suggest":
        taken = [c.keys for c in per_code if c.how.startswith("suggestion")]
        if taken:
            print(f"  from the Suggestions list: {len(taken)} codes, median {statistics.median(taken):g}, worst {max(taken)}; "
                  f"searched for: {len(per_code) - len(taken)}")


WAYS = {"suggest": "(a) Suggestions first (g, arrows, Enter), then search for what they miss",
        "search": "(b) search only"}


def main() -> int:
    from answer_key import KEY

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", default="", help="comma-separated case ids (default: every case of the answer key)")
    ap.add_argument("--size", default="160x48")
    ap.add_argument("--way", choices=["both", *WAYS], default="both", help="how the coder works (default: both, one after the other)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print the keys of every code")
    args = ap.parse_args()
    os.environ.setdefault("WORKSTATION_DATA_DIR", tempfile.mkdtemp(prefix="keys-data-"))
    case_ids = [c for c in args.cases.split(",") if c] or list(KEY)
    w, h = (int(x) for x in args.size.split("x"))
    ways = list(WAYS) if args.way == "both" else [args.way]
    for way in ways:
        report(way, asyncio.run(run(case_ids, (w, h), args.verbose, way)), args.size)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
