"""The CLI, the store, the scrubber and the app answer the same question the same way.

Each test here pins a divergence the architecture review found (2026-12): a rule that two rooms
used to decide differently.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.billing.factory import ids, make_case, make_work, run
from workstation.cli import main
from workstation.codes import formats
from workstation.codes.errors import LookupError_
from workstation.codes.lookup import lookup
from workstation.paths import sessions_dir
from workstation.session.store import resolve_path
from workstation.session.validate import CodingError, validate_line_code
from workstation.session.work import ServiceLine

# code, system by shape, a code a service line may carry
SHAPES = [
    ("99213", "cpt", True),     # CPT Category I
    ("0001F", "cpt", True),     # Category II
    ("0591T", "cpt", True),     # Category III
    ("0001U", "cpt", True),     # Proprietary Laboratory Analyses
    ("0001A", "cpt", True),     # vaccine administration (refused by the store before)
    ("0002M", "cpt", True),     # Multianalyte Assays with Algorithmic Analyses
    ("G0439", "hcpcs", True),
    ("J2506", "hcpcs", True),
    ("E11.22", "icd10cm", False),
    ("0SR90JZ", "icd10pcs", False),
    ("1234X", None, False),
    ("9921", None, False),
]


@pytest.mark.parametrize("code, system, line_code", SHAPES)
def test_one_answer_for_a_code_shape(code, system, line_code):
    assert formats.system_of(code) == system
    assert formats.is_line_code(code) == line_code
    # The store takes exactly the line codes of the right shape (no CPT file imported here).
    if line_code:
        assert validate_line_code(code) == code
    else:
        with pytest.raises(CodingError):
            validate_line_code(code)
    # The scrubber flags the shape exactly when the store refuses it.
    edits = run(make_case(), make_work(["Z00.00"], [ServiceLine(code, pointers=["A"], charge=100.0)]))
    assert ("line.code_format" in ids(edits)) == (system not in ("cpt", "hcpcs"))
    # lookup knows every CPT shape the store takes, and names a malformed one.
    if system == "cpt":
        assert lookup(code)["system"] == "cpt"
    if system is None:
        with pytest.raises(LookupError_, match="malformed"):
            lookup(code)


def test_cpt_codes_ending_in_a_and_m_are_accepted_everywhere():
    for code in ("0001A", "0002M"):
        assert lookup(code)["title"] == "description requires a CPT licence"
        assert validate_line_code(code) == code


def _session_named(name: str) -> None:
    assert main(["sessions", "new", name, "--demo"]) == 0


@pytest.mark.parametrize("argv", [
    ["scrub", "--session", "monday"],
    ["export", "--session", "monday", "--format", "csv", "--dry-run"],
    ["settings", "--session", "monday", "show"],
    ["settings", "show", "--session", "monday"],
    ["--session", "monday", "scrub"],
    ["--session", "monday", "export", "--format", "csv", "--dry-run"],
])
def test_a_bare_store_name_means_sessions_name_json_for_every_command(argv, monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)  # ./monday must never be what they open
    _session_named("monday")
    assert (sessions_dir() / "monday.json").exists() and not (tmp_path / "monday").exists()
    assert main(argv) in (0, 1)  # 1: scrub/export found something to say; never "no session"
    err = capsys.readouterr().err
    assert "no session" not in err and "does not exist" not in err


def test_import_into_a_bare_name_adds_to_sessions_name_json(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    note = tmp_path / "note.txt"
    note.write_text("Patient: Sample, Ann\nDOB: 1970-01-02\nSex: F\nDate of service: 2026-01-05\n"
                    "Encounter: office\n\nFollow-up visit.\n", encoding="utf-8")
    main(["import", "--session", "tuesday", str(note)])
    assert (sessions_dir() / "tuesday.json").exists() and not (tmp_path / "tuesday").exists()


def test_the_app_opens_a_bare_name_in_sessions(monkeypatch, tmp_path):
    from workstation.ui import app as app_mod

    monkeypatch.chdir(tmp_path)
    opened: list[str] = []

    def fake_run(self):
        opened.append(str(self.store.path))
        return 0

    monkeypatch.setattr(app_mod.WorkstationApp, "run", fake_run)
    assert main(["--session", "wednesday"]) == 0
    assert opened == [str(sessions_dir() / "wednesday.json")]


def test_resolve_path_rule():
    assert resolve_path(None) == sessions_dir() / "default.json"
    assert resolve_path("monday") == sessions_dir() / "monday.json"
    assert resolve_path("monday.json") == sessions_dir() / "monday.json"
    assert resolve_path("./monday.json") == Path.cwd() / "monday.json"  # a path with a folder: as given
    assert str(resolve_path("/tmp/x.json")) == "/tmp/x.json"


def test_the_code_year_comes_from_one_rule():
    inpatient = make_case(encounter_type="inpatient", dos="2026-09-28")
    inpatient.encounter.discharge_date = "2026-10-02"
    assert inpatient.coding_date == "2026-10-02"
    office = make_case(dos="2026-09-28")
    office.encounter.discharge_date = "2026-10-02"  # a stray discharge date on an office visit
    assert office.coding_date == "2026-09-28"
    from workstation.billing.claim import build_claim

    assert build_claim(office, make_work()).date_of_service == "2026-09-28"
    assert build_claim(inpatient, make_work()).date_of_service == "2026-10-02"


def test_the_app_starts_without_the_command_modules():
    from workstation.cli import names_a_command

    assert not names_a_command([]) and not names_a_command(["--session", "monday", "--demo"])
    assert not names_a_command(["--session=monday"])
    assert names_a_command(["scrub"]) and names_a_command(["--session", "monday", "scrub"])
    assert names_a_command(["--help"]) and names_a_command(["--sesion", "x"])  # the full parser explains
