"""Issue 13 item 2: a HCPCS Level II quarterly release installed as CMS publishes it.

The zips are built here from the shipped CMS files, under the names CMS gives them: the 2020
annual file (fixed-width text with its readme and procedure notes) and the July 2025 workbook.
"""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from workstation.codes import books, hcpcs
from workstation.codes.errors import LookupError_
from workstation.codes.compile.install import InstallError, install
from workstation.codes.lookup import lookup
from workstation.session.validate import CodingError, validate_line_code
from workstation.session.work import ServiceLine
from tests.billing.factory import ids, make_case as billing_case, make_work, run


@pytest.fixture(autouse=True)
def _fresh_books():
    books.reload()
    yield
    books.reload()


def zip_2020(sources: Path, out: Path, txt: bytes | None = None) -> Path:
    """'2020 Alpha-Numeric HCPCS File': the record file, its readme and the procedure notes."""
    h = sources / "hcpcs"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("HCPC2020_ANWEB_w_disclaimer.txt", txt if txt is not None else (h / "HCPC2020_ANWEB_w_disclaimer.txt").read_bytes())
        z.write(h / "HCPC2020_README.txt", "HCPC2020_README.txt")
        z.write(h / "proc_notes_2020.txt", "proc_notes_2020.txt")
    return out


def zip_2025_jul(sources: Path, out: Path, xlsx: bytes | None = None) -> Path:
    """'July 2025 Alpha-Numeric HCPCS File' (the workbook; the copy among the sources is trimmed
    to HCPCS and LONG_DESCRIPTION)."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("HCPC2025_JUL_ANWEB_v3.xlsx", xlsx if xlsx is not None else (sources / "hcpcs/HCPC2025_JUL_ANWEB_v3.xlsx").read_bytes())
    return out


def files_of(d: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(d.glob("*"))} if d.exists() else {}


@pytest.mark.slow
def test_a_quarterly_release_serves_from_its_first_day_by_add_and_termination_dates(sources: Path, tmp_path: Path) -> None:
    [done] = install(zip_2020(sources, tmp_path / "2020-alpha-numeric-hcpcs-file.zip"), log=lambda s: None)
    assert done.name == "hcpcs-2020-jan"
    e = books.manifest()["codebooks"]["hcpcs-2020-jan"]
    assert e["origin"] == "installed" and e["effective_from"] == "2020-01-01"
    assert [s["path"] for s in e["sources"]] == ["HCPC2020_ANWEB_w_disclaimer.txt", "HCPC2020_README.txt", "proc_notes_2020.txt"]
    assert all(len(s["sha256"]) == 64 for s in e["sources"])
    # counts as the file has them: 6,710 codes and 369 modifiers (7,079 first records)
    assert e["counts"]["codes"] == 6_710 and e["counts"]["modifiers"] == 369 and e["counts"]["with_own_short"] == 6_710
    assert books.installed_dir().is_relative_to(Path(__import__("os").environ["WORKSTATION_DATA_DIR"]))

    # which book serves which day: the 2020 file up to the day before July 2025
    assert hcpcs.hcpcs("2020-01-01").name == "hcpcs-2020-jan"
    assert hcpcs.hcpcs("2025-06-30").name == "hcpcs-2020-jan"
    assert hcpcs.hcpcs("2025-07-01").name == "hcpcs-2025"
    # the claim says which quarter's book serves a date outside its quarter (codeset.dated_hcpcs)
    from workstation.codes.dated import dated_books

    assert dated_books("2020-02-01", ("hcpcs",)) == []
    [late] = dated_books("2021-05-01", ("hcpcs",))
    assert late.release == "2020 January (installed)" and "nearest before that date" in late.message
    # a code the release adds (ADD DT 2020-01-01) is not valid before
    book = hcpcs.hcpcs("2020-01-01")
    assert book.invalid_on("A4226", "2020-01-01") == ""
    assert "added 2020-01-01" in book.invalid_on("A4226", "2019-12-31")
    # a code it ends (TERM DT 2019-12-31, action D) is not valid after
    assert book.invalid_on("G0365", "2019-12-31") == ""
    assert "terminated 2019-12-31" in book.invalid_on("G0365", "2020-01-01")
    # the store, lookup and the scrubber ask the same book for the line's date
    with pytest.raises(CodingError, match="A4226 was added 2020-01-01"):
        validate_line_code("A4226", "2019-12-31")
    assert validate_line_code("A4226", "2020-01-01") == "A4226"
    with pytest.raises(CodingError, match="G0365 was terminated 2019-12-31"):
        validate_line_code("G0365", "2020-02-03")
    with pytest.raises(LookupError_, match="not in HCPCS 2020 January.*2025 July"):
        lookup("G0316", date="2025-06-30")  # a 2022 code: not in the release in force then
    assert lookup("G0316", date="2025-07-01")["release"] == "2025 July"
    assert lookup("A4226", date="2020-01-01")["release"] == "2020 January"
    claim = run(case=billing_case(dos="2025-06-30"),
                work=make_work(["Z00.00"], [ServiceLine("G0365", pointers=["A"]), ServiceLine("G0316", pointers=["A"])]))
    assert {"line.code_not_in_force", "line.code_unknown"} <= ids(claim)
    fine = run(case=billing_case(dos="2025-06-30"), work=make_work(["Z00.00"], [ServiceLine("G0439", pointers=["A"])]))
    assert not {"line.code_not_in_force", "line.code_unknown"} & ids(fine)

    # the July 2025 workbook installs over it, in place of the shipped July 2025 book
    z25 = zip_2025_jul(sources, tmp_path / "july-2025-alpha-numeric-hcpcs-file.zip")
    [jul] = install(z25, log=lambda s: None)
    assert jul.name == "hcpcs-2025-jul" and "hcpcs-2025" in jul.replaced
    assert jul.entry["counts"]["codes"] == 8_387 and jul.entry["counts"]["modifiers"] == 383
    assert "no ADD DT / TERM DT" in jul.entry["missing"]
    assert hcpcs.hcpcs("2025-07-01").name == "hcpcs-2025-jul" and hcpcs.hcpcs().origin == "installed"
    assert hcpcs.hcpcs("2025-07-01").get("G0439").short  # short descriptions kept from the shipped book
    r = subprocess.run([sys.executable, "-m", "workstation", "codebooks", "info"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    lines = [l.strip() for l in r.stdout.splitlines()]
    assert any(l.startswith("hcpcs-2020-jan") and "2020-01-01 .. 2025-06-30" in l and "installed" in l for l in lines)
    assert any(l.startswith("hcpcs-2025 ") and "replaced by hcpcs-2025-jul" in l and "shipped" in l for l in lines)
    assert any(l.startswith("hcpcs-2025-jul") and "july-2025-alpha-numeric-hcpcs-file.zip" in l for l in lines)

    # refused, with the file named and nothing changed: a repeat, an older release, corrupt files
    snapshot = files_of(books.installed_dir())
    with pytest.raises(InstallError, match=r"HCPC2025_JUL_ANWEB_v3\.xlsx: this release is already installed"):
        install(z25, log=lambda s: None)
    with pytest.raises(InstallError, match=r"HCPC2020_ANWEB_w_disclaimer\.txt: HCPCS 2020 January is older than the installed 2025 July"):
        install(tmp_path / "2020-alpha-numeric-hcpcs-file.zip", log=lambda s: None)
    raw = (sources / "hcpcs/HCPC2025_JUL_ANWEB_v3.xlsx").read_bytes()
    cut = tmp_path / "oct"
    cut.mkdir()
    (cut / "HCPC2025_OCT_ANWEB.xlsx").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(InstallError, match=r"HCPC2025_OCT_ANWEB\.xlsx: .*not a readable workbook"):
        install(cut, log=lambda s: None)
    txt = (sources / "hcpcs/HCPC2020_ANWEB_w_disclaimer.txt").read_bytes()
    short = tmp_path / "2026"
    short.mkdir()
    (short / "HCPC2026_JAN_ANWEB.txt").write_bytes(txt[: len(txt) // 3].rsplit(b"\n", 1)[0] + b"\n")
    with pytest.raises(InstallError, match=r"HCPC2026_JAN_ANWEB\.txt: incomplete release"):
        install(short, log=lambda s: None)
    assert files_of(books.installed_dir()) == snapshot


def test_the_workbook_and_the_text_of_one_quarter_must_agree(sources: Path, tmp_path: Path) -> None:
    folder = tmp_path / "2026 Jan"
    folder.mkdir()
    (folder / "HCPC2026_JAN_ANWEB_v2.txt").write_bytes((sources / "hcpcs/HCPC2020_ANWEB_w_disclaimer.txt").read_bytes())
    (folder / "HCPC2026_JAN_ANWEB_v2.xlsx").write_bytes((sources / "hcpcs/HCPC2025_JUL_ANWEB_v3.xlsx").read_bytes())
    with pytest.raises(InstallError, match=r"HCPC2026_JAN_ANWEB_v2\.xlsx: its codes differ from HCPC2026_JAN_ANWEB_v2\.txt"):
        install(folder, log=lambda s: None)
    assert not (books.installed_dir() / "manifest.json").exists()
    both = tmp_path / "two"
    both.mkdir()
    (both / "HCPC2025_JUL_ANWEB_v3.xlsx").write_bytes((sources / "hcpcs/HCPC2025_JUL_ANWEB_v3.xlsx").read_bytes())
    (both / "HCPC2025_OCT_ANWEB.xlsx").write_bytes((sources / "hcpcs/HCPC2025_JUL_ANWEB_v3.xlsx").read_bytes())
    with pytest.raises(InstallError, match="more than one quarter"):
        install(both, log=lambda s: None)


def test_release_names() -> None:
    from workstation.codes.compile.hcpcs_release import release_of

    r = release_of("HCPC2025_JUL_ANWEB_v3.xlsx")
    assert r is not None and (r.year, r.quarter, r.version, r.effective_from) == (2025, "JUL", 3, "2025-07-01")
    assert release_of("HCPC2026_APR_ANWEB.txt").effective_from == "2026-04-01"  # type: ignore[union-attr]
    assert release_of("HCPC2020_ANWEB_w_disclaimer.txt").quarter == "JAN"  # type: ignore[union-attr]
    assert release_of("HCPC2020_CONTR_ANWEB.xlsx").quarter == "JAN"  # type: ignore[union-attr]
    for other in ("HCPC2025_JUL_ANWEB_Transaction Report_v3.xlsx", "HCPC2025_JUL_recordlayout.txt",
                  "proc_notes_JUL2025.txt", "NOC codes_JUL 2025.xlsx", "HCPC2025_JUL_README_v3.txt"):
        assert release_of(other) is None


def test_search_marks_hcpcs_codes_not_valid_on_the_date(sources: Path, tmp_path: Path) -> None:
    from workstation.paths import codebooks_dir
    from workstation.search import index
    from workstation.search.engine import SearchEngine

    install(zip_2020(sources, tmp_path / "2020-alpha-numeric-hcpcs-file.zip"), log=lambda s: None)
    # The shipped index holds both codes (July 2025); whether they may be billed on a date is
    # asked of the HCPCS book in force then, the installed 2020 file before July 2025.
    engine = SearchEngine(index.SearchIndex.from_doc(books.load_doc(index.BOOK, codebooks_dir())))
    [gone] = engine.search("G0365", system="hcpcs", limit=1, date="2020-02-01")
    assert not gone.billable and "terminated 2019-12-31" in gone.note and gone.kind == "not valid on its date"
    [ok] = engine.search("G0365", system="hcpcs", limit=1, date="2019-12-31")
    assert ok.billable and not ok.note
    [later] = engine.search("G0316", system="hcpcs", limit=1, date="2025-06-30")
    assert not later.billable and "not in HCPCS 2020 January" in later.note
    [now] = engine.search("G0316", system="hcpcs", limit=1, date="2025-07-01")
    assert now.billable and not now.note


@pytest.mark.slow
def test_a_full_layout_workbook_reads_as_its_text_file(sources: Path, tmp_path: Path) -> None:
    """The CMS columns (RECID continuation rows, ADD DT / TERM DT as numbers) read from a workbook
    give the same records as the fixed-width file they were written from."""
    from workstation.codes.compile.hcpcs_release import read_text, read_workbook
    from tests.codes.cms_hcpcs_xlsx import workbook_from_text

    txt = sources / "hcpcs/HCPC2020_ANWEB_w_disclaimer.txt"
    folder = tmp_path / "2020"
    folder.mkdir()
    (folder / "HCPC2020_ANWEB_w_disclaimer.txt").write_bytes(txt.read_bytes())
    xlsx = workbook_from_text(txt, folder / "HCPC2020_ANWEB_w_disclaimer.xlsx")
    norm = lambda rs: {r.code: (" ".join(r.long.split()), r.short, r.added, r.terminated, r.action) for r in rs}  # noqa: E731
    from_xlsx, from_txt = norm(read_workbook(xlsx)), norm(read_text(txt))
    assert from_xlsx == from_txt and len(from_xlsx) == 7_079
    assert from_xlsx["G0365"][3] == "2019-12-31" and from_xlsx["A4226"][2] == "2020-01-01"
    # both forms of one release in a folder: they agree, the text is compiled, both recorded
    [done] = install(folder, log=lambda s: None)
    assert [s["path"] for s in done.entry["sources"]][:2] == ["HCPC2020_ANWEB_w_disclaimer.txt", "HCPC2020_ANWEB_w_disclaimer.xlsx"]
    assert done.entry["counts"]["codes"] == 6_710
