"""`workstation code --poa/--stay/--pcs-date`, `workstation drg`, `facility` and `claim837i` end to end."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import orjson
import pytest

from workstation.cases.demo import demo_cases
from workstation.cli import main
from workstation.session.store import SessionStore


@pytest.fixture
def session(tmp_path: Path) -> Path:
    path = tmp_path / "s.json"
    with SessionStore.open(path, create=True) as store:
        store.add_cases([c for c in demo_cases() if c.case_id in ("DEMO-001", "DEMO-008", "DEMO-028")])
    return path


def test_code_poa_and_drg(session: Path, capsys: pytest.CaptureFixture[str]) -> None:
    s = str(session)
    assert main(["code", "--session", s, "DEMO-028", "--dx", "I50.21", "N17.9", "--poa", "Y"]) == 0
    assert "POA Y" in capsys.readouterr().out
    assert main(["drg", "--session", s, "--case", "DEMO-028", "--json"]) == 0
    doc = orjson.loads(capsys.readouterr().out)
    assert (doc["drg"], doc["version_label"], doc["ccs"]) == (292, "v43.1", ["N17.9"])
    assert any("N17.9" in x for x in doc["decided_by"])
    assert main(["drg", "--session", s, "--case", "DEMO-028", "--if-add", "J96.01"]) == 0
    out = capsys.readouterr().out
    assert "DRG 292" in out and "-> DRG 291" in out and "J96.01" in out
    assert main(["code", "--session", s, "DEMO-028", "--poa", "N17.9=X"]) == 2
    assert main(["drg", "--session", s, "--case", "DEMO-001"]) == 2  # outpatient: not grouped


def test_poa_refused_on_outpatient_case(session: Path) -> None:
    s = str(session)
    assert main(["code", "--session", s, "DEMO-001", "--dx", "E11.22"]) == 0
    assert main(["code", "--session", s, "DEMO-001", "--poa", "E11.22=Y"]) == 2


def test_facility_and_837i(session: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    s = str(session)
    out = tmp_path / "out" / "d008.837"
    assert main(["code", "--session", s, "DEMO-008", "--dx", "K35.80", "--pcs", "0DTJ4ZZ", "--poa", "Y",
                 "--pcs-date", "0DTJ4ZZ=2026-01-29", "--stay", "admission_type=1", "admission_source=1",
                 "patient_status=01", "admit_hour=09", "discharge_hour=12", "admitting_dx=R10.31"]) == 0
    # Not configured: refused with the reason, nothing written.
    assert main(["claim837i", "--session", s, "--case", "DEMO-008", "--out", str(out)]) == 2
    assert "revenue-code charge table" in capsys.readouterr().err and not out.exists()
    assert main(["facility", "--session", s, "--tax-id", "311234567", "--type-of-bill", "111",
                 "--revenue", "0120:1850.00:day"]) == 0
    assert main(["code", "--session", s, "DEMO-008", "--pcs-date", "0DTJ4ZZ=2026-03-01"]) == 2  # outside the stay
    assert main(["claim837i", "--session", s, "--case", "DEMO-008", "--out", str(out)]) == 0
    text = out.read_text()
    assert "HI*ABK:K3580:::::::Y~" in text and "HI*ABJ:R1031~" in text and "HI*DR:399~" in text
    assert "HI*BBR:0DTJ4ZZ:D8:20260129~" in text and "CL1*1*1*01~" in text
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
