"""Code suggestions measured against answer keys: recall, precision, exact vs. category, keystrokes.

Two sets:
- the demo worklist (sessions/demo/worklist.json) against its answer key (tests/cases/answer_key.py);
- the second set of short synthetic notes with their keys (tests/suggest/notes.py): the first
  22 were written with the rules and used while tuning them; the rest were written afterwards
  and are reported apart ("held out"), measured, not tuned on.

Figures, per set:
- diagnosis recall: the key's ICD-10-CM codes found exactly among the suggestions;
  "category" also counts a suggestion in the same 3-character category (E11.9 for E11.22);
- precision: suggestions (ICD-10-CM and ICD-10-PCS) that are in the key, exactly / by category
  (HCPCS suggestions are counted apart: the demo key's lines are mostly CPT, not suggested);
- PCS recall and precision (inpatient cases), HCPCS Level II recall and precision (the key's
  lines whose code starts with a letter: CPT codes are not shipped, so never suggested), and how
  many HCPCS codes came with the key's units;
- keystrokes per accepted code, in the Suggestions list as the widget works: `g` opens it (1 key
  a case), the cursor starts on the first row and moves to the next row after every key; a
  right suggestion costs Enter (1) plus one key for the 7th character when the suggestion
  still needs one; a wrong one costs one key to pass it (x or Down). An accepted code is charged
  the keys since the previous accepted code. Key codes not suggested are left to the search
  (counted, not charged here).
- time per case (after `suggest.warm()`, which the app can run at start in a background thread).

    .venv/bin/python benchmarks/suggest.py [--show]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@dataclass
class Tally:
    key_dx: int = 0
    exact: int = 0
    category: int = 0            # matched by category only (not exactly)
    suggested: int = 0           # ICD-10-CM + PCS suggestions
    right: int = 0               # suggestions exactly in the key
    right_category: int = 0      # suggestions in a key code's category (not exact)
    key_pcs: int = 0
    pcs_found: int = 0
    key_hcpcs: int = 0
    hcpcs_found: int = 0
    hcpcs_suggested: int = 0
    hcpcs_units_right: int = 0   # found with the key's units
    pcs_suggested: int = 0
    keys_per_code: list[int] = field(default_factory=list)
    left_to_search: int = 0
    seconds: list[float] = field(default_factory=list)


def score_case(t: Tally, suggestions: list, dx: tuple[str, ...], pcs: tuple[str, ...],
               hcpcs_units: tuple[tuple[str, int | None], ...], show: str = "") -> None:
    hcpcs = tuple(c for c, _u in hcpcs_units)
    codes = [s.code for s in suggestions if s.system in ("icd10cm", "icd10pcs")]
    want = set(dx) | set(pcs)
    cats = {c[:3] for c in dx}
    t.key_dx += len(dx)
    for c in dx:
        if c in codes:
            t.exact += 1
        elif any(s.system == "icd10cm" and s.code[:3] == c[:3] for s in suggestions):
            t.category += 1
    t.suggested += len(codes)
    for c in codes:
        if c in want:
            t.right += 1
        elif c[:3] in cats:
            t.right_category += 1
    t.key_pcs += len(pcs)
    t.pcs_found += sum(1 for c in pcs if c in codes)
    t.pcs_suggested += sum(1 for s in suggestions if s.system == "icd10pcs")
    hc = [s.code for s in suggestions if s.system == "hcpcs"]
    t.key_hcpcs += len(hcpcs)
    t.hcpcs_found += sum(1 for c in hcpcs if c in hc)
    t.hcpcs_suggested += len(hc)
    units = {s.code: s.units for s in suggestions if s.system == "hcpcs"}
    t.hcpcs_units_right += sum(1 for c, u in hcpcs_units if c in units and units[c] == u)
    # Keystrokes: g once, then one key a row until the last right row.
    wanted = want | set(hcpcs)
    spent = 1  # g
    for s in suggestions:
        if s.code in wanted:
            spent += 1 + (1 if s.needs_seventh else 0)
            t.keys_per_code.append(spent)
            spent = 0
        else:
            spent += 1
    found = {s.code for s in suggestions}
    t.left_to_search += sum(1 for c in wanted if c not in found)
    if show:
        miss = [c for c in dx + pcs if c not in codes] + [c for c in hcpcs if c not in hc]
        extra = [c for c in codes if c not in want] + [c for c in hc if c not in hcpcs]
        print(f"  {show}: missed {miss or '-'}  extra {extra or '-'}")


def demo(show: bool) -> Tally:
    from tests.cases.answer_key import KEY
    from workstation.cases.model import Case
    from workstation.suggest.suggest import suggest_case

    doc = json.loads((ROOT / "sessions" / "demo" / "worklist.json").read_text())
    t = Tally()
    for raw in doc["cases"]:
        case = Case.from_dict(raw)
        key = KEY.get(case.case_id)
        if key is None:
            continue
        start = time.perf_counter()
        reading = suggest_case(case)
        t.seconds.append(time.perf_counter() - start)
        hcpcs = tuple((ln.code, ln.units) for ln in key.lines if ln.code[:1].isalpha())
        score_case(t, reading.suggestions, key.dx, key.pcs, hcpcs, case.case_id if show else "")
    return t


def synthetic(show: bool, held_out: bool | None = None) -> Tally:
    from tests.suggest.notes import NOTES
    from workstation.suggest.suggest import Patient, suggest_text

    t = Tally()
    for n in NOTES:
        if held_out is not None and n.held_out != held_out:
            continue
        start = time.perf_counter()
        reading = suggest_text(n.text, Patient(n.sex, n.age, n.date, n.setting, n.encounter, n.medicare))
        t.seconds.append(time.perf_counter() - start)
        score_case(t, reading.suggestions, n.dx, n.pcs, n.hcpcs, n.id if show else "")
    return t


def report(name: str, n_cases: int, t: Tally) -> None:
    def ratio(a: int, b: int) -> str:
        return f"{a / b:.3f} ({a}/{b})" if b else "n/a"

    print(f"\n{name}: {n_cases} cases")
    print(f"  diagnosis recall, exact         {ratio(t.exact, t.key_dx)}")
    print(f"  diagnosis recall, exact or category {ratio(t.exact + t.category, t.key_dx)}"
          f"  (category only: {t.category})")
    print(f"  precision, exact                {ratio(t.right, t.suggested)}")
    print(f"  precision, exact or category    {ratio(t.right + t.right_category, t.suggested)}")
    print(f"  ICD-10-PCS recall (inpatient)   {ratio(t.pcs_found, t.key_pcs)}")
    print(f"  ICD-10-PCS precision            {ratio(t.pcs_found, t.pcs_suggested)}")
    print(f"  HCPCS Level II recall           {ratio(t.hcpcs_found, t.key_hcpcs)}"
          f"  (with the key's units: {t.hcpcs_units_right})")
    print(f"  HCPCS Level II precision        {ratio(t.hcpcs_found, t.hcpcs_suggested)}"
          "  (not counted in the precision above)")
    if t.keys_per_code:
        print(f"  keystrokes per accepted code    median {statistics.median(t.keys_per_code):.1f}, "
              f"mean {statistics.mean(t.keys_per_code):.2f} over {len(t.keys_per_code)} accepted codes")
    print(f"  key codes left to the search    {t.left_to_search}")
    ms = sorted(s * 1000 for s in t.seconds)
    print(f"  time per case                   median {statistics.median(ms):.0f} ms, max {ms[-1]:.0f} ms")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--show", action="store_true", help="print each case's misses and extras")
    args = ap.parse_args()
    from workstation.search.engine import get_engine
    from workstation.suggest.suggest import warm

    start = time.perf_counter()
    warm()
    print(f"warm-up (search index {get_engine().loaded_from}, its typo table, Alphabetic Index, MCE): "
          f"{time.perf_counter() - start:.2f} s; the times below are after it, as in the app")
    from tests.suggest.notes import NOTES

    d = demo(args.show)
    report("demo worklist vs tests/cases/answer_key.py", len(d.seconds), d)
    s = synthetic(args.show, held_out=False)
    report("synthetic notes vs tests/suggest/notes.py (written with the rules, used while tuning)",
           sum(1 for n in NOTES if not n.held_out), s)
    h = synthetic(args.show, held_out=True)
    report("synthetic notes, held out (written after tuning, not tuned on)", sum(1 for n in NOTES if n.held_out), h)
    long_note()
    return 0


def long_note(pages: int = 3, chars_per_page: int = 3000) -> None:
    """A note of about three pages: the demo notes joined until the length is reached; the
    index-walk cache is cleared before every run (the notes were read once already)."""
    from workstation.suggest.suggest import Patient, suggest_text

    doc = json.loads((ROOT / "sessions" / "demo" / "worklist.json").read_text())
    parts: list[str] = []
    for raw in doc["cases"]:
        for d in raw["documents"]:
            parts.append(d["text"])
        if sum(len(p) for p in parts) >= pages * chars_per_page:
            break
    text = "\n\n".join(parts)
    runs = []
    from workstation.suggest import matcher

    for _ in range(5):
        matcher._walk.cache_clear()  # no help from the demo cases' walks (the same notes)
        start = time.perf_counter()
        reading = suggest_text(text, Patient("F", 60, "2026-03-01", "inpatient"))
        runs.append(time.perf_counter() - start)
    print(f"\na {len(text):,}-character note ({len(text) // chars_per_page} pages of {chars_per_page:,}): "
          f"{len(reading.suggestions)} suggestions; median of {len(runs)} runs {statistics.median(runs) * 1000:.0f} ms, "
          f"max {max(runs) * 1000:.0f} ms")


if __name__ == "__main__":
    raise SystemExit(main())
