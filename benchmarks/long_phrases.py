"""Recall of long descriptive phrases (older classifications' wording) in the code search.

    .venv/bin/python benchmarks/long_phrases.py [--show]

Two sets of phrases with their ICD-10-CM codes, each code read in the FY2026 tabular:
benchmarks/long_phrases_heldout.py, written by hand before this round's tuning of the
episode-of-care, trimester and "with mention of" reading and held out; and
benchmarks/long_phrases_dev.py, other conditions, the set the reading was tuned on. Prints
recall@1 and recall@10 over the FY2026 book, with no patient given. A 7th-character header
(O32.0 for O32.0XX0) counts: the coder's chooser adds the 7th character.

The issue's own measurement used the CMS General Equivalence Mappings (GEMs); the GEM files are
not among the project's sources (shared/codebook-sources), so that held-out set cannot be run here.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def _hit(book: object, hit: str, key: str) -> bool:
    """The key's code, or the 7th-character header it is completed from (the coder's chooser
    adds the 7th character: O32.0 with 0 is O32.0XX0)."""
    if hit == key:
        return True
    return bool(book.needs_seventh(hit)) and book.with_seventh(hit, key[-1]) == key  # type: ignore[attr-defined]


def measure(name: str, phrases: tuple[tuple[str, str], ...], show: bool) -> None:
    from workstation.codes import books
    from workstation.search.engine import get_engine

    engine = get_engine()
    book = books.icd10cm(date="2026-03-01")
    at1 = at10 = 0
    start = time.perf_counter()
    for phrase, code in phrases:
        codes = [h.code for h in engine.search(phrase, system="icd10cm", limit=10, date="2026-03-01")]
        rank = next((i + 1 for i, c in enumerate(codes) if _hit(book, c, code)), 0)
        at1 += rank == 1
        at10 += rank > 0
        if show:
            print(f"  {'-' if not rank else rank:>2}  {code:<9} {phrase}   top: {codes[:3]}")
    n = len(phrases)
    ms = (time.perf_counter() - start) * 1000 / n
    print(f"{name} ({n}): recall@1 {at1 / n:.3f} ({at1}/{n}), recall@10 {at10 / n:.3f} ({at10}/{n}); "
          f"{ms:.1f} ms per search")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--show", action="store_true", help="print each phrase's rank")
    args = ap.parse_args()
    import long_phrases_dev
    import long_phrases_heldout
    from workstation.search.engine import get_engine

    get_engine().search("warm", system="icd10cm", limit=1, date="2026-03-01")
    measure("long descriptive phrases, held out (long_phrases_heldout.py)", long_phrases_heldout.PHRASES, args.show)
    measure("long descriptive phrases, development set (long_phrases_dev.py, tuned on)", long_phrases_dev.PHRASES,
            args.show)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
