"""HCPCS Level II, modifiers and Place of Service: counts from the files, spot checks, errors."""
from __future__ import annotations

import json
import re
import shutil

import pytest

from workstation.codes.compile import hcpcs as hcpcs_mod
from workstation.codes.hcpcs import hcpcs, modifiers, place_of_service, section_of
from workstation.codes.errors import SourceError
from workstation.codes.lookup import lookup


def test_counts_recomputed_from_the_files(sources):
    lines = (sources / hcpcs_mod.SOURCES["long"]).read_text(encoding="utf-8").splitlines()[1:]
    n_codes = sum(1 for line in lines if re.match(r"^[A-V]\d{4},", line))
    n_mods = sum(1 for line in lines if re.match(r"^\s*[A-Z0-9]{2},", line))
    assert (n_codes, n_mods) == (8387, 383)
    assert len(hcpcs()) == n_codes
    assert len(modifiers()) == n_mods
    pos = json.loads((sources / hcpcs_mod.SOURCES["pos"]).read_text(encoding="utf-8"))
    assert len(place_of_service()) == len(pos) == 51


def test_g0439_long_and_short(sources):
    g = hcpcs().get("g0439")
    assert g.long == "Annual wellness visit, includes a personalized prevention plan of service (pps), subsequent visit"
    assert (g.short, g.short_release, g.short_current) == ("Ppps, subseq visit", "2022", True)
    assert g.section.name == "Procedures/Professional Services (Temporary)"
    assert g.added == "20110101"


def test_sections_by_range():
    assert section_of("A0425").name == "Transportation Services Including Ambulance"
    assert section_of("A4206").name == "Medical and Surgical Supplies"
    assert section_of("J9035").name == "Chemotherapy Drugs"
    assert section_of("L5000").name == "Prosthetic Procedures"
    assert section_of("L3000").name == "Orthotic Procedures and Devices"
    assert all(c.section is not None for c in hcpcs().all_codes())


def test_modifier_and_place_of_service():
    lt = modifiers()["LT"]
    assert lt.long == "Left side (used to identify procedures performed on the left side of the body)"
    assert lt.short == "Left side"
    assert "59" not in modifiers()  # a CPT modifier: licensed, not in HCPCS Level II
    pos = place_of_service()
    assert pos["11"].name == "Office" and not pos["11"].telehealth
    assert pos["02"].telehealth and pos["10"].telehealth
    assert pos["23"].name.startswith("Emergency Room")


def test_2020_fixed_width_layout(sources):
    old = hcpcs_mod.parse_2020(sources / hcpcs_mod.SOURCES["fixed_2020"])
    j = old["J1100"]
    assert (j["short"], j["betos"], j["added"]) == ("Dexamethasone sodium phos", "O1E", "19820101")
    # continuation records are joined into the long description
    assert old["G0439"]["long"].endswith("(pps), subsequent visit")


def test_lookup_hcpcs_and_the_icd10cm_twin():
    r = lookup("G0439")
    assert r["system"] == "hcpcs" and r["title"].startswith("Annual wellness visit")
    assert r["also"]["code"] == "G04.39"  # the same five characters are an ICD-10-CM code
    assert lookup("G04.39")["system"] == "icd10cm"
    assert lookup("E11.22")["system"] == "icd10cm"


def test_malformed_csv_names_file_and_line(sources, tmp_path):
    root = tmp_path / "src"
    for rel in hcpcs_mod.SOURCES.values():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(sources / rel, root / rel)
    long = root / hcpcs_mod.SOURCES["long"]
    lines = long.read_text(encoding="utf-8").splitlines()
    lines[2] = "X12,Not a code"
    long.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"HCPC2025_JUL_ANWEB_v3\.derived\.csv:3: malformed HCPCS code"):
        hcpcs_mod.compile_hcpcs(root)


def test_malformed_fixed_width_names_file_and_line(tmp_path):
    path = tmp_path / "HCPC2020.txt"
    good = "G0439001003" + "Annual wellness visit".ljust(80) + "Ppps, subseq visit".ljust(28)
    path.write_text("disclaimer\n" + good.ljust(321) + "\nthis is not a record\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"HCPC2020\.txt:3: not a HCPCS record"):
        hcpcs_mod.parse_2020(path)
