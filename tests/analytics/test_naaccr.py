"""The NAACCR XML v26 file: reportable cases only, every item checked against the dictionary, 0600."""
from __future__ import annotations

import stat
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from workstation.analytics import naaccr
from workstation.analytics.registry import registry

from tests.analytics.conftest import Stores

NS = "{http://naaccr.org/naaccrxml}"


def items(el: ET.Element) -> dict[str, str]:
    return {i.attrib["naaccrId"]: i.text or "" for i in el.findall(f"{NS}Item")}


def test_file_of_reportable_cases(stores: Stores, tmp_path: Path) -> None:
    out = tmp_path / "registry.xml"
    res = naaccr.write_registry_xml(out, [stores.folder], include_default=False)
    assert (res.patients, res.tumors) == (1, 1)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    root = ET.parse(out).getroot()
    assert root.tag == f"{NS}NaaccrData"
    assert root.attrib["baseDictionaryUri"] == "http://naaccr.org/naaccrxml/naaccr-dictionary-260.xml"
    patients = root.findall(f"{NS}Patient")
    assert len(patients) == 1
    p = items(patients[0])
    assert p == {"patientIdNumber": "00000001", "nameLast": "Quarrington", "nameFirst": "Wilhelmina",
                 "dateOfBirth": "19500315", "sexAssignedAtBirth": "2"}
    tumors = patients[0].findall(f"{NS}Tumor")
    assert len(tumors) == 1  # seen twice (A1, A3): one tumour, diagnosed at the first encounter
    t = items(tumors[0])
    assert t == {"tumorRecordNumber": "01", "primarySite": "C509", "histologicTypeIcdO3": "8000",
                 "behaviorCodeIcdO3": "3", "laterality": "1", "dateOfDiagnosis": "20260110",
                 "casefindingSource": "22", "primaryPayerAtDx": "60", "secondaryDiagnosis1": "I10"}
    # Every item is in the v26 dictionary under the parent it sits in.
    d = registry().naaccr["items"]
    for parent in (patients[0], tumors[0]):
        for i in parent.findall(f"{NS}Item"):
            assert d[i.attrib["naaccrId"]]["parent"] == parent.tag.removeprefix(NS)
            assert len(i.text) <= d[i.attrib["naaccrId"]]["length"]


def test_no_reportable_case_gives_an_empty_file(stores: Stores, tmp_path: Path) -> None:
    res = naaccr.write_registry_xml(tmp_path / "r.xml", [stores.b], include_default=False)
    assert (res.patients, res.tumors) == (0, 0)
    assert ET.parse(tmp_path / "r.xml").getroot().findall(f"{NS}Patient") == []


def _dictionary() -> naaccr.Dictionary:
    return naaccr.Dictionary(registry().naaccr)


def test_items_are_checked_before_writing() -> None:
    d = _dictionary()
    assert d.check("patientIdNumber", "7", "Patient") == "00000007"
    with pytest.raises(naaccr.NaaccrError, match="not in the NAACCR"):
        d.check("primarySiteX", "C509", "Tumor")
    with pytest.raises(naaccr.NaaccrError, match="belongs under Tumor"):
        d.check("primarySite", "C509", "Patient")
    with pytest.raises(naaccr.NaaccrError, match="allows 4"):
        d.check("primarySite", "C5091", "Tumor")
    with pytest.raises(naaccr.NaaccrError, match="digits"):
        d.check("histologicTypeIcdO3", "80X0", "Tumor")
    with pytest.raises(naaccr.NaaccrError, match="date"):
        d.check("dateOfDiagnosis", "20260230", "Tumor")


def test_a_bad_item_writes_nothing(stores: Stores, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(naaccr, "CASEFINDING_DISEASE_INDEX", "222")
    out = tmp_path / "r.xml"
    with pytest.raises(naaccr.NaaccrError):
        naaccr.write_registry_xml(out, [stores.folder], include_default=False)
    assert not out.exists()


def test_payer_at_diagnosis() -> None:
    from workstation.cases.model import Case, Coverage, Encounter, Person

    def c(cov: Coverage) -> Case:
        return Case("X", Person("A", "B"), Encounter("office", "2026-01-01"), cov)

    assert naaccr.payer_at_dx(c(Coverage(plan_type="MB"))) == "60"
    assert naaccr.payer_at_dx(c(Coverage(plan_type="MC"))) == "31"
    assert naaccr.payer_at_dx(c(Coverage(self_pay=True))) == "02"
    assert naaccr.payer_at_dx(c(Coverage(plan_type="WC"))) == "99"


def test_period_selects_tumours_by_their_first_encounter(stores: Stores, tmp_path: Path) -> None:
    # The breast tumour was first coded on 2026-01-10 (A1); A3 in March is the same tumour.
    res = naaccr.write_registry_xml(tmp_path / "q1.xml", [stores.folder], include_default=False,
                                    date_from="2026-01-01", date_to="2026-01-31")
    assert res.tumors == 1
    res = naaccr.write_registry_xml(tmp_path / "march.xml", [stores.folder], include_default=False,
                                    date_from="2026-03-01")
    assert res.tumors == 0
