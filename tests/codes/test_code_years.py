"""Issue 13 items 3-4: index hits in the case's year, dated code sets on the claim, impact of a new year."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from workstation.codes.dated import dated_books, year_of
from workstation.session.impact import impact
from workstation.session.store import SessionStore
from workstation.session.work import CaseWork, ServiceLine
from tests.billing.factory import ids, make_case as billing_case, make_work, run
from tests.session.conftest import make_case


def test_index_hit_not_valid_in_the_year_leads_to_its_replacements() -> None:
    y = year_of("M72.2", "2026-10-01")
    assert y.status == "became_header" and y.replaced_by == ["M72.20", "M72.21", "M72.22"]
    assert year_of("M72.2", "2026-09-30").status == "valid"
    gone = year_of("S23.420A", "2026-10-01")
    assert gone.status == "deleted" and gone.replaced_by and all(c.startswith("S23.42") and c.endswith("A") for c in gone.replaced_by)
    assert year_of("S23.420A", "2026-09-30").status == "valid"
    assert year_of("S06.0X-", "2026-10-01").status == "incomplete"


def test_index_cli_with_date_names_the_replacements() -> None:
    r = subprocess.run([sys.executable, "-m", "workstation", "index", "Fasciitis, plantar", "--date", "2026-10-01"],
                       capture_output=True, text=True)
    assert r.returncode == 0 and "M72.2 is a header in FY2027" in r.stdout and "M72.20, M72.21, M72.22" in r.stdout
    r = subprocess.run([sys.executable, "-m", "workstation", "index", "Fasciitis, plantar", "--date", "2026-09-30"],
                       capture_output=True, text=True)
    assert r.returncode == 0 and "header in FY" not in r.stdout


def test_dated_code_sets() -> None:
    late = {d.system for d in dated_books("2026-11-20")}
    assert late == {"icd10pcs", "hcpcs", "mce", "icd10cm"}  # FY2027 ICD-10-CM is provisional
    assert {d.system for d in dated_books("2025-08-01")} == {"mce"}  # PCS FY2025 and HCPCS July 2025 in force
    assert {d.system for d in dated_books("2020-01-15", ("mce",))} == set()


def test_dated_hcpcs_and_pcs_are_warnings_on_the_claim() -> None:
    in_force = run(case=billing_case(dos="2025-08-01"), work=make_work(["Z00.00"], [ServiceLine("G0439", pointers=["A"])]))
    assert "codeset.dated_hcpcs" not in ids(in_force)
    late = run(case=billing_case(dos="2026-01-05"))
    [e] = [e for e in late if e.edit_id == "codeset.dated_hcpcs"]
    assert e.severity == "warning" and "2025 July" in e.message and e.target == "claim"
    inpatient = billing_case(dos="2026-11-02", encounter_type="inpatient", pos="21")
    edits = run(case=inpatient, work=CaseWork("case-1", diagnoses=["J18.9"], procedures=["0BH17EZ"], lines=[]))
    # The grouper's MCE of the code year covers this discharge, so MCE v37 does not serve it.
    assert "codeset.dated_icd10pcs" in ids(edits) and "codeset.dated_mce" not in ids(edits)
    later = billing_case(dos="2027-05-03", encounter_type="inpatient", pos="21")  # past the grouper's years
    edits = run(case=later, work=CaseWork("case-1", diagnoses=["J18.9"], procedures=["0BH17EZ"], lines=[]))
    assert {"codeset.dated_icd10pcs", "codeset.dated_mce"} <= ids(edits)
    office = run(case=billing_case(dos="2026-11-02"), work=make_work(["J18.9"], []))
    assert not {i for i in ids(office) if i.startswith("codeset.")}


def test_impact_of_a_new_year() -> None:
    new_case, old_case, clean = make_case("C-NEW", "2026-10-05"), make_case("C-OLD", "2026-09-01"), make_case("C-OK", "2026-10-05")
    works = {
        "C-NEW": CaseWork("C-NEW", diagnoses=["M72.2", "L03.312"]),
        "C-OLD": CaseWork("C-OLD", diagnoses=["S23.420A"]),
        "C-OK": CaseWork("C-OK", diagnoses=["E11.9"]),
    }
    found = {c.case_id: c for c in impact([new_case, old_case, clean], works, 2026, 2027)}
    assert set(found) == {"C-NEW", "C-OLD"}
    assert found["C-NEW"].must_change and found["C-NEW"].fiscal_year == 2027
    by = {h.code: h for h in found["C-NEW"].codes}
    assert by["M72.2"].change == "became_header" and by["M72.2"].replaced_by == ("M72.20", "M72.21", "M72.22")
    assert by["L03.312"].change == "retitled" and "flank" in by["L03.312"].detail
    assert not found["C-OLD"].must_change and found["C-OLD"].codes[0].change == "deleted"
    assert found["C-OLD"].codes[0].replaced_by


def test_impact_cli(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    with SessionStore.open(path, create=True) as store:
        store.add_cases([make_case("C-OLD", "2026-09-01"), make_case("C-NEW", "2026-10-05")])
        store.assign_dx("C-OLD", "M72.2")
        store.assign_dx("C-NEW", "M72.21")
    r = subprocess.run([sys.executable, "-m", "workstation", "codebooks", "impact", "--session", str(path), "--json"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert (d["from"], d["to"]) == (2026, 2027)
    assert [(c["case_id"], c["must_change"]) for c in d["cases"]] == [("C-OLD", False)]
    r = subprocess.run([sys.executable, "-m", "workstation", "codebooks", "impact", "--session", str(path)],
                       capture_output=True, text=True)
    assert "C-OLD" in r.stdout and "M72.20, M72.21, M72.22" in r.stdout


def test_worklist_marks_cases_a_new_year_affects() -> None:
    from workstation.session.impact import must_change
    from workstation.ui.screens.worklist import row_of

    new_case, old_case = make_case("C-NEW", "2026-10-05"), make_case("C-OLD", "2026-09-01")
    assert must_change(new_case, CaseWork("C-NEW", diagnoses=["E11.9", "M72.2"]))
    assert not must_change(new_case, CaseWork("C-NEW", diagnoses=["E11.9", "L03.312"]))  # retitled only
    assert not must_change(old_case, CaseWork("C-OLD", diagnoses=["M72.2"]))
    row = row_of(new_case, CaseWork("C-NEW", diagnoses=["M72.2"]))
    assert row.new_year and row.cells[-1] == "1 ! new year" and row.matches(["new", "year"])
    assert not row_of(old_case, CaseWork("C-OLD", diagnoses=["M72.2"])).new_year
