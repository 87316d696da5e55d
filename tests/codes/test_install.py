"""Issue 13 item 2: `codebooks install` of a release laid out as CMS/CDC publish it."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from workstation.codes import books
from workstation.codes.compile.install import InstallError, install

CM = "icd10cm"


@pytest.fixture(autouse=True)
def _fresh_books():
    books.reload()
    yield
    books.reload()


def cms_zip(sources: Path, out: Path, fy: int, *, april: bool = False, tabular: bytes | None = None) -> Path:
    """A release zip as CMS names its files, made from the shipped FY2025/FY2026 sources."""
    folder = f"{fy} April 1 ICD-10-CM/Table and Index" if april else f"{fy} Code Tables, Tabular and Index/Table and Index"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        tab = tabular if tabular is not None else (sources / f"{CM}/icd10cm-tabular-{fy}-april.xml").read_bytes()
        z.writestr(f"{folder}/icd10cm_tabular_{fy}.xml", tab)
        if fy == 2025:  # the tables among the sources are FY2025's
            for kind in ("drug", "neoplasm", "eindex"):
                z.write(sources / f"{CM}/icd10cm-{kind}-2025.xml", f"{folder}/icd10cm_{kind}_{fy}.xml")
    return out


def files_of(d: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(d.glob("*"))} if d.exists() else {}


@pytest.mark.slow
def test_install_a_cms_zip_then_refuse_older_and_corrupt_with_nothing_changed(sources: Path, tmp_path: Path) -> None:
    z26 = cms_zip(sources, tmp_path / "2026-code-tables-tabular-and-index.zip", 2026)
    before = books.icd10cm(date="2026-05-01")
    assert before.origin == "shipped"
    [done] = install(z26, log=lambda s: None)
    assert done.name == "icd10cm-2026" and "shipped" in done.replaced
    target = books.installed_dir()
    assert target.is_relative_to(Path(__import__("os").environ["WORKSTATION_DATA_DIR"]))
    e = books.manifest()["codebooks"]["icd10cm-2026"]
    assert e["origin"] == "installed" and e["counts"]["billable"] == 74_719
    assert [s["path"].rsplit("/", 1)[-1] for s in e["sources"]][:1] == ["icd10cm_tabular_2026.xml"]
    assert all(len(s["sha256"]) == 64 for s in e["sources"]) and len(e["sources"]) == 1
    book = books.icd10cm(date="2026-05-01")
    assert book.origin == "installed" and book.get("C50.A0").billable
    assert books.icd10cm(date="2026-10-01").fiscal_year == 2027  # FY2027 still the shipped provisional book
    snapshot = files_of(target)

    # older than the installed release
    z25 = cms_zip(sources, tmp_path / "2025.zip", 2025)
    with pytest.raises(InstallError, match=r"icd10cm_tabular_2025\.xml: FY2025 is older than the installed"):
        install(z25, log=lambda s: None)
    assert files_of(target) == snapshot
    # the same release again
    with pytest.raises(InstallError, match="already installed"):
        install(z26, log=lambda s: None)
    # a cut-off XML
    cut = (sources / f"{CM}/icd10cm-tabular-2026-april.xml").read_bytes()[:5_000_000]
    with pytest.raises(InstallError, match=r"icd10cm_tabular_2026\.xml.*not a readable tabular XML"):
        install(cms_zip(sources, tmp_path / "cut.zip", 2026, tabular=cut), log=lambda s: None)
    # a zip that is not a release, and a file that is not a zip
    other = tmp_path / "photos.zip"
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("readme.txt", "holiday photos")
    with pytest.raises(InstallError, match=r"photos\.zip: not a CMS/CDC release"):
        install(other, log=lambda s: None)
    junk = tmp_path / "release.zip"
    junk.write_bytes(b"PK\x03\x04 broken")
    with pytest.raises(InstallError, match=r"release\.zip"):
        install(junk, log=lambda s: None)
    assert files_of(target) == snapshot
    # files are the user's data: the folder is private
    assert target.stat().st_mode & 0o077 == 0


@pytest.mark.slow
def test_install_compiles_the_drug_neoplasm_and_external_cause_tables(sources: Path, tmp_path: Path) -> None:
    from workstation.codes import index_tables

    done = install(cms_zip(sources, tmp_path / "2025.zip", 2025), log=lambda s: None)
    assert [d.name for d in done] == ["icd10cm-2025", "icd10cm-drug-2025", "icd10cm-neoplasm-2025", "icd10cm-eindex-2025"]
    m = books.manifest()["codebooks"]
    for kind in ("drug", "neoplasm", "eindex"):
        e = m[f"icd10cm-{kind}-2025"]
        assert e["origin"] == "installed" and e["sources"][0]["path"].endswith(f"icd10cm_{kind}_2025.xml")
        shipped = books.read_manifest()["codebooks"][f"icd10cm-{kind}-2025"]
        assert e["counts"]["terms"] == shipped["counts"]["terms"]
        assert index_tables.load(kind).doc is not None
    assert index_tables.drug_table().rows("penicillin")
    # a table whose <version> is not the release's year is refused, nothing changed
    bad = tmp_path / "bad"
    (bad / "t").mkdir(parents=True)
    (bad / "t" / "icd10cm_tabular_2026.xml").write_bytes((sources / f"{CM}/icd10cm-tabular-2026-april.xml").read_bytes())
    (bad / "t" / "icd10cm_drug_2026.xml").write_bytes((sources / f"{CM}/icd10cm-drug-2025.xml").read_bytes())
    snapshot = files_of(books.installed_dir())
    with pytest.raises(InstallError, match=r"icd10cm_drug_2026\.xml: its <version> says 2025"):
        install(bad, log=lambda s: None)
    assert files_of(books.installed_dir()) == snapshot


@pytest.mark.slow
def test_an_april_update_serves_from_april_1(sources: Path, tmp_path: Path) -> None:
    folder = tmp_path / "april"
    with zipfile.ZipFile(cms_zip(sources, tmp_path / "a.zip", 2026, april=True)) as z:
        z.extractall(folder)  # install from the unpacked folder
    [done] = install(folder, log=lambda s: None)
    assert done.name == "icd10cm-2026-april"
    assert books.release_for_date("2026-03-31")["name"] == "icd10cm-2026"
    assert books.release_for_date("2026-04-01")["name"] == "icd10cm-2026-april"
    assert books.icd10cm(date="2026-04-01").origin == "installed"
    assert books.icd10cm(date="2026-03-31").origin == "shipped"
    # `codebooks info` shows which book serves which dates, and where from
    r = subprocess.run([sys.executable, "-m", "workstation", "codebooks", "info"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert any(l.strip().startswith("icd10cm-2026-april") and "2026-04-01" in l and "installed" in l and str(folder) in l for l in lines)
    assert any(l.strip().startswith("icd10cm-2027") and "2026-10-01" in l and "provisional" in l for l in lines)
    assert any(l.strip().startswith("icd10cm-2025") and "shipped" in l for l in lines)


def test_cli_refuses_a_missing_path_with_exit_2(tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "workstation", "codebooks", "install", str(tmp_path / "nope.zip")],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "nope.zip" in r.stderr


@pytest.mark.slow
def test_install_an_icd10pcs_release(sources: Path, tmp_path: Path) -> None:
    from workstation.codes import icd10pcs
    from workstation.codes.dated import dated_books

    z = tmp_path / "2025-icd-10-pcs-code-tables-and-index.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as f:
        for kind in ("tables", "index", "definitions"):
            f.write(sources / f"icd10pcs/icd10pcs_{kind}_2025.xml", f"Zip File 2 2025 Code Tables and Index/icd10pcs_{kind}_2025.xml")
    [done] = install(z, log=lambda s: None)
    assert done.name == "icd10pcs-2025" and done.entry["counts"]["codes"] == 78_948
    e = books.manifest()["codebooks"]["icd10pcs-2025"]
    assert e["origin"] == "installed" and len(e["sources"]) == 3
    assert icd10pcs.icd10pcs().release == "FY2025 (installed)"
    assert icd10pcs.icd10pcs().is_valid("0BH17EZ")
    assert "icd10pcs" in {d.system for d in dated_books("2026-11-20", ("icd10pcs",))}
    # a tables file without its index is refused, nothing changed
    snapshot = files_of(books.installed_dir())
    part = tmp_path / "part.zip"
    with zipfile.ZipFile(part, "w") as f:
        f.write(sources / "icd10pcs/icd10pcs_tables_2025.xml", "icd10pcs_tables_2025.xml")
    with pytest.raises(InstallError, match="icd10pcs_index_2025.xml"):
        install(part, log=lambda s: None)
    assert files_of(books.installed_dir()) == snapshot


@pytest.mark.slow
def test_install_the_alphabetic_index_xml_in_the_cms_layout(sources: Path, tmp_path: Path) -> None:
    """No CMS icd10cm_index XML is among the sources: it is rebuilt here from the flattened CSV
    in the layout of the official XSD (checked against it for a slice of letters), put in a
    CMS-named release zip beside the tabular and installed through the shipped compiler."""
    import xmlschema

    from workstation.codes import index_tables
    from tests.codes.cms_index_xml import index_xml_from_csv

    flat = sources / f"{CM}/icd10cm-index-2025.flattened.csv"
    schema = xmlschema.XMLSchema(str(sources / f"{CM}/icd10cm-index-2025.xsd"))
    part = tmp_path / "slice.xml"
    part.write_bytes(index_xml_from_csv(flat, 2025, letters="FQZ"))
    assert not list(schema.iter_errors(str(part)))  # the layout is the XSD's
    whole = index_xml_from_csv(flat, 2025)
    z = cms_zip(sources, tmp_path / "2025-code-tables-tabular-and-index.zip", 2025)
    with zipfile.ZipFile(z, "a") as f:
        f.writestr("2025 Code Tables, Tabular and Index/Table and Index/icd10cm_index_2025.xml", whole)
    done = install(z, log=lambda s: None)
    assert "icd10cm-index-2025" in [d.name for d in done]
    e = books.manifest()["codebooks"]["icd10cm-index-2025"]
    shipped = books.read_manifest()["codebooks"]["icd10cm-index-2025"]
    assert e["origin"] == "installed" and e["sources"][0]["path"].endswith("icd10cm_index_2025.xml")
    assert e["counts"]["terms"] == shipped["counts"]["terms"] == 81_024
    assert e["counts"]["see_refs"] == shipped["counts"]["see_refs"]
    # the installed book serves, and its terms resolve as the shipped one's do
    assert books.book_entry("icd10cm-index")[0] == "icd10cm-index-2025"
    assert index_tables.load("index").doc == books.load_doc("icd10cm-index-2025", index_tables_shipped_dir())
    [plantar] = index_tables.alphabetic_index().find("Fasciitis, plantar")
    assert plantar.codes == ["M72.2"]
    [ckd] = index_tables.alphabetic_index().find("Diabetes, type 2, with, chronic kidney disease")
    assert ckd.codes == ["E11.22"]
    [aband] = index_tables.alphabetic_index().find("Abandonment")
    assert aband.see == "Maltreatment" and aband.see_ids
    r = subprocess.run([sys.executable, "-m", "workstation", "index", "Fasciitis, plantar", "--date", "2026-10-01"],
                       capture_output=True, text=True)
    assert r.returncode == 0 and "M72.20, M72.21, M72.22" in r.stdout
    # a cut-off index XML is refused, with the file named and nothing changed
    snapshot = files_of(books.installed_dir())
    cut = tmp_path / "cut"
    (cut / "t").mkdir(parents=True)
    (cut / "t" / "icd10cm_tabular_2026.xml").write_bytes((sources / f"{CM}/icd10cm-tabular-2026-april.xml").read_bytes())
    (cut / "t" / "icd10cm_index_2026.xml").write_bytes(whole.replace(b"<version>2025", b"<version>2026")[: len(whole) // 2])
    with pytest.raises(InstallError, match=r"icd10cm_index_2026\.xml: .*XML error"):
        install(cut, log=lambda s: None)
    assert files_of(books.installed_dir()) == snapshot


def index_tables_shipped_dir() -> Path:
    from workstation.paths import codebooks_dir

    return codebooks_dir()
