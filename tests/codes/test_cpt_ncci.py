"""Licensed CPT import and NCCI PTP/MUE import, all into a temporary user data folder."""
from __future__ import annotations

import shutil
import stat

import pytest

from workstation.cli import main
from workstation.codes import cpt as cpt_mod
from workstation.codes import ncci as ncci_mod
from workstation.codes.errors import SourceError
from workstation.codes.lookup import LookupError_, lookup

# Fabricated rows: real CPT descriptors are the AMA's and never go in the repository.
FAKE_CPT = (
    "code,short,long\n"
    "99213,FAKE SHORT ONE,Fabricated long descriptor one for tests\n"
    "0001F,FAKE SHORT TWO,Fabricated long descriptor two for tests\n"
    "0042T,FAKE SHORT THREE,Fabricated long descriptor three for tests\n"
)
SAMPLES = "ncci-format-samples"
PTP = "ccipra-v322r0-f1.FORMAT-SAMPLE.txt"
MUE = "MCR_MUE_PractitionerServices_Eff_07-01-2026.excerpt.csv"


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    d = tmp_path / "userdata"
    monkeypatch.setenv("WORKSTATION_DATA_DIR", str(d))
    return d


def test_cpt_format():
    assert cpt_mod.is_cpt_format("99213") and cpt_mod.is_cpt_format("0001F") and cpt_mod.is_cpt_format("0042t")
    assert cpt_mod.is_cpt_format("0591T") and cpt_mod.is_cpt_format("0001U")
    assert not cpt_mod.is_cpt_format("9921") and not cpt_mod.is_cpt_format("1234X") and not cpt_mod.is_cpt_format("G0439")


def test_cpt_without_licence_is_accepted_by_format():
    assert cpt_mod.cpt() is None
    r = lookup("99213")
    assert (r["system"], r["title"], r["licensed"]) == ("cpt", "description requires a CPT licence", False)


def test_cpt_import_then_lookup(tmp_path, data_dir, capsys):
    src = tmp_path / "licensed.csv"
    src.write_text(FAKE_CPT, encoding="utf-8")
    assert main(["codebooks", "import-cpt", str(src)]) == 0
    assert "imported 3 CPT codes" in capsys.readouterr().out
    dest = data_dir / "cpt.json"
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    r = lookup("99213")
    assert r["title"] == "Fabricated long descriptor one for tests" and r["short"] == "FAKE SHORT ONE" and r["licensed"]
    with pytest.raises(LookupError_, match="not in the imported CPT file"):
        lookup("99214")


def test_cpt_malformed_file_names_line(tmp_path, capsys):
    src = tmp_path / "bad.csv"
    src.write_text(FAKE_CPT + "ABCDE,x,y\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"bad\.csv:5: 'ABCDE' is not a CPT code"):
        cpt_mod.parse_cpt_csv(src)
    assert main(["codebooks", "import-cpt", str(src)]) == 2
    assert "bad.csv:5" in capsys.readouterr().err
    assert cpt_mod.cpt() is None  # nothing written


@pytest.fixture
def imported(sources, tmp_path, data_dir):
    for name in (PTP, MUE):
        shutil.copy(sources / SAMPLES / name, tmp_path / name)
    report = ncci_mod.import_ncci([tmp_path / PTP, tmp_path / MUE])
    return report


def test_ncci_absent_until_imported():
    assert ncci_mod.ncci() is None


def test_ncci_import_counts(imported, sources, data_dir):
    ptp_rows = [l for l in (sources / SAMPLES / PTP).read_text(encoding="utf-8").splitlines()
                if l.count("\t") >= 5 and l.split("\t")[3].isdigit()]
    kinds = {kind: n for _, kind, n in imported.files}
    assert kinds["ptp"] == len(ptp_rows) == 13
    assert kinds["mue"] > 0
    assert stat.S_IMODE((data_dir / "ncci.sqlite3").stat().st_mode) == 0o600


def test_ptp_conflicts_by_date(imported):
    n = ncci_mod.ncci()
    assert n.ptp_conflict("0001U", "0029U", "2024-01-01") == ("0001U", "0029U", "1")
    assert n.ptp_conflict("0029U", "0001U", "2024-01-01") == ("0001U", "0029U", "1")  # either order
    assert n.ptp_conflict("0001U", "0029U", "2026-07-01") is None   # deleted 2026-06-30
    assert n.ptp_conflict("0001U", "0029U", "2018-06-30") is None   # before its effective date
    assert n.ptp_conflict("0001U", "0417U", "2030-01-01").modifier_indicator == "1"  # no deletion date
    assert n.ptp_conflict("0001A", "36591", "2022-06-01").modifier_indicator == "0"
    assert n.ptp_conflict("0001A", "90473", "2022-01-01") is None   # indicator 9: deleted retroactively


def test_mue_by_date(imported):
    n = ncci_mod.ncci()
    assert n.mue("0001U", "2026-07-01") == (1, "2 Date of Service Edit: Policy")
    assert n.mue("0002M", "2026-08-15") == (1, "3 Date of Service Edit: Clinical")
    assert n.mue("0001U", "2026-06-30") is None  # the imported table is not yet in force
    assert n.mue("99999", "2026-07-01") is None


def test_ncci_cli(imported, capsys):
    assert main(["ncci", "ptp", "0001U", "0029U", "--date", "2024-01-01"]) == 0
    assert "column 1 0001U, column 2 0029U" in capsys.readouterr().out


def test_ncci_malformed_names_file_and_line(sources, tmp_path, data_dir):
    text = (sources / SAMPLES / PTP).read_text(encoding="utf-8").splitlines()
    text[9] = text[9].replace("20220101", "2022-01-01", 1)
    bad = tmp_path / "ccipra-bad.txt"
    bad.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"ccipra-bad\.txt:10: effective date '2022-01-01'"):
        ncci_mod.import_ncci([bad])
    assert ncci_mod.ncci() is None  # a failed import leaves nothing behind
    mue = tmp_path / "mue.csv"
    shutil.copy(sources / SAMPLES / MUE, mue)
    with pytest.raises(SourceError, match="--effective"):
        ncci_mod.import_ncci([mue])


def test_ncci_release_names_what_was_imported(imported):
    assert ncci_mod.ncci().release == "PTP v322r0, MUE 2026-07-01"
