"""Case finding and the SEER site recode, both sides of each rule; the registry codebook compiler."""
from __future__ import annotations

from pathlib import Path

import pytest

from workstation.analytics.registry import CHECK, NOT_REPORTABLE, REPORTABLE, registry
from workstation.codes.compile import registry as book
from workstation.codes.errors import SourceError


def test_reportable_code_maps_to_icdo3_and_recode() -> None:
    f = registry().find("C50.911", 2026)
    assert f is not None and f.status == REPORTABLE
    assert (f.site, f.histology, f.behavior, f.laterality) == ("C509", "8000", "3", "1")
    assert (f.recode, f.recode_name) == ("39", "Breast")
    lung = registry().find("C34.90", 2026)
    assert lung.status == REPORTABLE and lung.recode_name == "Lung and Bronchus"


def test_listed_but_not_reportable() -> None:
    f = registry().find("D04.10", 2026)  # carcinoma in situ of skin: flag O in the table
    assert f is not None and f.status == NOT_REPORTABLE


def test_uncovered_neoplasm_code_is_check_and_not_guessed() -> None:
    for code in ("C44.01", "C50.A0", "C43.111"):
        f = registry().find(code, 2026)
        assert f is not None and f.status == CHECK, code
        assert (f.site, f.histology, f.behavior, f.recode) == ("", "", "", ""), code


def test_other_codes_are_not_registry_codes() -> None:
    assert registry().find("I10", 2026) is None
    assert registry().find("E11.9", 2026) is None
    # Outside chapter 2 but in the table (malignant pleural effusion): reportable.
    assert registry().find("J91.0", 2026).status == REPORTABLE


def test_site_recode_rules() -> None:
    reg = registry()
    assert reg.site_recode("C443", "8720", "3") == "37"  # melanoma of the skin: histology in
    assert reg.site_recode("C443", "8090", "3") == "38"  # other skin: histology not in melanoma range
    assert reg.site_recode("C509", "9140", "3") == "78"  # Kaposi sarcoma: histology out of breast
    assert reg.site_recode("C719", "9380", "0") == "81"  # benign brain: behavior 0
    assert reg.site_recode("C509", "8500", "0") == ""  # benign breast: no group
    # Precursor lymphoid neoplasms: 9727 counts up to 2009 only.
    assert reg.site_recode("C421", "9727", "3", 2009) == "67"
    assert reg.site_recode("C421", "9727", "3", 2015) == "70"


def test_compiler_counts_and_licences(sources: Path) -> None:
    doc = book.compile_registry(sources)
    flags = [v[5] for v in doc["icdo3"].values()]
    assert len(flags) == 1484 and flags.count("Y") == 1463
    assert doc["naaccr"]["version"] == "260" and len(doc["naaccr"]["items"]) == 771
    assert doc["naaccr"]["items"]["primarySite"] == {"num": 400, "name": "Primary Site", "length": 4,
                                                     "parent": "Tumor", "type": "text", "padding": ""}
    assert "Information Management Services" in doc["licences"]["imsweb-algorithms-LICENSE"]
    assert "Redistributions of source code must retain" in book.notice_text(doc)


def test_compiled_book_matches_sources(sources: Path) -> None:
    from workstation.codes.books import load_doc

    assert load_doc("registry") == __import__("orjson").loads(__import__("orjson").dumps(book.compile_registry(sources)))


def test_compiler_rejects_a_bad_source(tmp_path: Path) -> None:
    p = tmp_path / "map.csv"
    p.write_text("CODE,SITE\nC50,C509\n")
    with pytest.raises(SourceError, match="header"):
        book.compile_icdo3_map(p)
    p.write_text(",".join(book.MAP_HEADER) + "\nC509,C509,8000,3,9,0,X,\n")
    with pytest.raises(SourceError, match="reportability"):
        book.compile_icdo3_map(p)
