"""`workstation report ...` end to end."""
from __future__ import annotations

import stat
from pathlib import Path

import orjson
import pytest

from workstation.cli import main

from tests.analytics.conftest import Stores


def test_report_json(stores: Stores, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "claims", "--no-default", "--format", "json", "--store", str(stores.folder)]) == 0
    doc = orjson.loads(capsys.readouterr().out)
    assert doc["sections"][1]["rows"] == [{"claims": 6, "clean": 4, "clean_pct": 66.67}]


def test_extract_then_report(stores: Stores, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = stores.folder / "broken.json"
    broken.write_bytes(b"garbage")
    broken.chmod(0o600)
    out = tmp_path / "x"
    assert main(["report", "extract", str(stores.folder), "--out", str(out), "--no-default"]) == 0
    io = capsys.readouterr()
    assert "8 cases" in io.out and "skipped" in io.err and "broken.json" in io.err
    assert main(["report", "case_mix", "--extract", str(out), "--from", "2026-02-01", "--format", "csv"]) == 0
    assert "# by_month\nmonth,cases,diagnoses,procedures,lines\n2026-02,3,3,0,2\n2026-03,1,2,0,1\n" in capsys.readouterr().out


def test_registry_xml_needs_out(stores: Stores, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "registry", str(stores.folder), "--no-default", "--format", "naaccr-xml"]) == 2
    assert "--out" in capsys.readouterr().err
    out = tmp_path / "reg.xml"
    assert main(["report", "registry", str(stores.folder), "--no-default", "--format", "naaccr-xml", "--out", str(out)]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert main(["report", "claims", "--format", "naaccr-xml", "--out", str(out)]) == 2


def test_bad_filter_is_a_usage_error(stores: Stores, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "case_mix", str(stores.folder), "--no-default", "--to", "soon"]) == 2
    assert "not a date" in capsys.readouterr().err


def test_the_analytics_core_runs_headless() -> None:
    import subprocess
    import sys

    code = ("import sys, workstation.analytics.extract, workstation.analytics.reports, "
            "workstation.analytics.naaccr, workstation.commands.report; "
            "print('textual' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
