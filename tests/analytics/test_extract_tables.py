"""The extract scrubs with the imported NCCI tables and CPT file, looked up once per store (not
once per case): the edit rows are the ones scrub() gives each case, in one process and in the
pool of worker processes."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.analytics.conftest import COMMERCIAL, PATIENT_1, PATIENT_2, case
from workstation.analytics import extract as ex
from workstation.billing.edits import scrub
from workstation.billing.settings import PracticeSettings
from workstation.codes import cpt as cpt_mod
from workstation.codes import ncci as ncci_mod
from workstation.session.store import SessionStore
from workstation.session.work import ServiceLine

FAKE_CPT = ("code,short,long\n"  # codes only are real; the descriptors are made up (CPT text is licensed)
            "0001U,FAKE ONE,Fabricated descriptor one for tests\n"
            "0030U,FAKE TWO,Fabricated descriptor two for tests\n")


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("WORKSTATION_DATA_DIR", str(tmp_path / "data"))
    yield
    ncci_mod._reset()


def _import_tables(sources: Path, tmp_path: Path) -> None:
    """NCCI and a CPT file, imported after the cases were coded (the site licensed CPT later)."""
    samples = sources / "ncci-format-samples"
    ncci_mod.import_ncci([samples / "ccipra-v322r0-f1.FORMAT-SAMPLE.txt",
                          samples / "MCR_MUE_PractitionerServices_Eff_07-01-2026.excerpt.csv"])
    src = tmp_path / "cpt.csv"
    src.write_text(FAKE_CPT, encoding="utf-8")
    cpt_mod.import_cpt(src)


def _store(path: Path, prefix: str) -> Path:
    with SessionStore.open(path) as s:
        s.add_cases([case(f"{prefix}1", PATIENT_1, "2026-08-03", COMMERCIAL),
                     case(f"{prefix}2", PATIENT_2, "2026-08-04", COMMERCIAL)])
        for cid in (f"{prefix}1", f"{prefix}2"):
            s.assign_dx(cid, "I10")
        # An NCCI pair (0001U / 0030U, modifier indicator 1, no bypass modifier) ...
        s.add_line(f"{prefix}1", ServiceLine("0001U", charge=100, pointers=["A"]))
        s.add_line(f"{prefix}1", ServiceLine("0030U", charge=100, pointers=["A"]))
        # ... and a CPT code the imported CPT file does not have.
        s.add_line(f"{prefix}2", ServiceLine("99213", charge=100, pointers=["A"]))
        s.set_status(f"{prefix}1", "coded")
        s.set_status(f"{prefix}2", "coded")
    return path


def _expected(paths: list[Path]) -> list[tuple[str, str, str]]:
    out = []
    for p in paths:
        with SessionStore.open(p, create=False, readonly=True) as s:
            settings = PracticeSettings.from_store(s)
            for cid in s.case_ids():
                out += [(cid, e.edit_id, e.target) for e in scrub(s.case(cid), s.work(cid), settings=settings)]
    return sorted(out)


@pytest.mark.parametrize("jobs", [1, 2])
def test_extract_edits_use_the_imported_ncci_and_cpt(data, sources: Path, tmp_path: Path, jobs: int) -> None:
    folder = tmp_path / "stores"
    folder.mkdir(mode=0o700)
    paths = [_store(folder / "one.json", "N"), _store(folder / "two.json", "M")]
    _import_tables(sources, tmp_path)
    con, result = ex.load_connection(paths, include_default=False, jobs=jobs)
    got = sorted(con.execute("SELECT case_id, edit_id, target FROM all_edits").fetchall())
    assert got == _expected(paths)
    ids = {e for _c, e, _t in got}
    assert {"ncci.ptp", "line.code_unknown"} <= ids  # both tables were read
    assert result.scrubbed == 4 and not result.skipped
