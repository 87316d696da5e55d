"""Compile time apart from run time: coding never imports a compiler or an XML parser.

The compilers of the official sources live in `workstation.codes.compile` (and run from
`workstation.codes.build` / `codebooks install`). The workstation at work reads only the compiled
books. A fresh interpreter starts the app (worklist, then a case's coding screen with a search
typed), looks codes up, searches, scrubs a coded demo case and opens every compiled book, then
lists what it imported.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]

# Modules only a build may import: the compilers, and the XML parsers they use.
BUILD_ONLY = ("workstation.codes.compile", "workstation.codes.build", "xml.etree", "xml.parsers", "pyexpat",
              "xml.dom", "xml.sax.expatreader")

RUN_TIME = textwrap.dedent("""
    import asyncio, json, sys
    from pathlib import Path

    from workstation.cases.demo import demo_cases
    from workstation.cli import main as _cli  # the entry point itself
    from workstation.session.store import SessionStore
    from workstation.ui.app import WorkstationApp

    store = SessionStore.open(Path(sys.argv[1]))
    store.add_cases(demo_cases())

    async def drive() -> None:
        app = WorkstationApp(store, label="s.json")
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.pause()
            await pilot.press("enter")  # open the first case's coding screen
            await pilot.pause()
            await pilot.press("/", *"t2dm ckd")
            await pilot.pause(0.3)
            app.exit(0)

    asyncio.run(drive())

    from workstation.billing.edits import scrub
    from workstation.codes import books, index_tables
    from workstation.codes.hcpcs import hcpcs
    from workstation.codes.icd10pcs import icd10pcs
    from workstation.codes.lookup import lookup
    from workstation.codes.mce import mce
    from workstation.search.engine import get_engine

    for code in ("E11.22", "S72.012A", "0DTJ4ZZ", "G0439", "J2506", "99213"):
        try:
            lookup(code, date="2025-03-01")
        except Exception:
            pass
    get_engine().search("dm2 w ckd stage 3", date="2025-03-01", sex="F", age=70)
    case = store.cases()[0]
    store.assign_dx(case.case_id, "E11.22")
    scrub(case, store.work(case.case_id))
    books.icd10cm(2026), icd10pcs().decode("0DTJ4ZZ"), hcpcs().get("G0439"), mce().sex("N40.0")
    for kind in index_tables.KINDS:
        index_tables.load(kind)
    store.close()
    print(json.dumps(sorted(sys.modules)))
""")


@pytest.mark.slow
def test_coding_imports_no_compiler_and_no_xml_parser(tmp_path):
    folder = tmp_path / "s"
    folder.mkdir(mode=0o700)
    out = subprocess.run([sys.executable, "-c", RUN_TIME, str(folder / "s.json")], cwd=PROJECT,
                         capture_output=True, text=True, timeout=300,
                         env={**__import__("os").environ, "PYTHONPATH": str(PROJECT)})
    assert out.returncode == 0, out.stderr[-3000:]
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert {"workstation.ui.app", "workstation.ui.screens.coding", "workstation.search.engine"} <= set(loaded)  # it ran
    assert [m for m in loaded if m.startswith(BUILD_ONLY)] == []


def test_the_compilers_are_the_only_modules_that_parse_xml():
    """Statically too: under workstation/codes, only compile/ imports an XML parser."""
    codes = PROJECT / "workstation" / "codes"
    offenders = [
        str(p.relative_to(PROJECT))
        for p in codes.rglob("*.py")
        if "compile" not in p.relative_to(codes).parts
        and any(w in p.read_text(encoding="utf-8") for w in ("import xml", "from xml"))
    ]
    assert offenders == []
