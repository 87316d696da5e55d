"""`workstation codebooks install PATH`: a release as CMS/CDC publish it, compiled into the user's data.

PATH is a .zip (as downloaded) or a folder. What is recognised, by the names CMS and CDC give:

- ICD-10-CM: `icd10cm_tabular_YYYY.xml` (CDC also writes `icd10cm-tabular-YYYY.xml`, and the April
  update `icd10cm-tabular-YYYY-april.xml` / `icd10cm_tabular_April_YYYY.xml`; "april" anywhere in the
  file's name or its folder's marks the April 1 update). The tabular and the Drug, Neoplasm and
  External Cause (and Alphabetic Index) XML beside it (`icd10cm_drug_YYYY.xml` ...) are compiled
  with the same compilers as the shipped books; the order/addenda files are recorded (sha256).
- ICD-10-PCS: `icd10pcs_tables_YYYY.xml` with `icd10pcs_index_YYYY.xml` and
  `icd10pcs_definitions_YYYY.xml` beside it. The newest PCS release serves every date (as the
  shipped FY2025 one does); dates outside its year are shown as dated on the claim.
- HCPCS Level II: the quarterly alpha-numeric file, `HCPC2025_JUL_ANWEB_v3.xlsx` and/or its
  fixed-width `HCPC2025_JUL_ANWEB_v3.txt` (annual files: `HCPC2020_ANWEB_w_disclaimer.txt`,
  `HCPC2020_CONTR_ANWEB.xlsx`, the January release), with the readme, record layout and notes
  beside it (recorded by sha256). It serves from the quarter's first day until the next book; a
  code it adds is not valid before its ADD DT, a code it ends not after its TERM DT
  (`codes/compile/hcpcs_release.py`).

The compiled book goes to `<user data>/codebooks/` (never into the clone) with its own manifest:
source names, sha256 and counts. From then on it serves its dates: a full October release
replaces a provisional book of the same year; an April update serves from April 1 of its fiscal
year (a code it adds is not valid before). Refused, with the file named and nothing changed: a
zip that holds no release, a tabular XML that does not parse or is incomplete, a release older
than (or the same as) one installed.
"""
from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from workstation.codes.compile import icd10cm
from workstation.codes.errors import SourceError
from workstation.codes.bookfile import pack, read_manifest, sha256_file, update_manifest
from workstation.fileio import atomic_write_bytes

_TABULAR = re.compile(r"^icd10cm[_-]tabular[_-](?:(?:april)[_-])?(\d{4})(?:[_-]april)?\.xml$", re.I)
_COMPANIONS = re.compile(
    r"^icd10cm[_-](?:index|drug|neoplasm|eindex|order|codes|codes[_-]addenda|order[_-]addenda)[_-].*\d{4}.*\.(xml|txt)$", re.I)
# A complete tabular has every chapter and tens of thousands of codes; a cut-off file that still
# parses (an editor's "save as" of part of it) has fewer.
MIN_BILLABLE = 60_000
MAX_UNZIPPED = 2_000_000_000


class InstallError(Exception):
    """The release cannot be installed; the message names the file and the reason. Nothing changed."""


@dataclass
class Installed:
    name: str
    entry: dict[str, Any]
    replaced: str = ""  # the book it takes over from for its dates ("shipped icd10cm-2027 (provisional)")
    companions: list[str] = field(default_factory=list)


def _same_quarter(shipped: dict[str, Any], entry: dict[str, Any]) -> str:
    """The shipped HCPCS book of the same quarter, which an installed one serves in place of."""
    if entry.get("system") != "hcpcs":
        return ""
    return next((n for n, e in shipped.items() if e.get("system") == "hcpcs" and e.get("origin", "shipped") != "installed"
                 and e.get("effective_from") == entry["effective_from"]), "")


def _unpack(path: Path, into: Path) -> Path:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InstallError(f"{path}: not a readable zip ({exc})") from None
    with zf:
        total = 0
        for info in zf.infolist():
            name = info.filename
            if name.startswith("/") or ".." in Path(name).parts:
                raise InstallError(f"{path}: unsafe member name {name!r}")
            total += info.file_size
            if total > MAX_UNZIPPED:
                raise InstallError(f"{path}: unpacks to more than {MAX_UNZIPPED // 1_000_000} MB")
        try:
            zf.extractall(into)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise InstallError(f"{path}: a damaged zip ({exc})") from None
        # A CMS download often holds the tables in a zip of its own.
        for inner in list(into.rglob("*.zip")):
            _unpack(inner, inner.parent / (inner.stem + ".unzipped"))
    return into


def _find_tabular(folder: Path, label: str) -> tuple[Path, int, bool]:
    hits = []
    for p in sorted(folder.rglob("*.xml")):
        m = _TABULAR.match(p.name)
        if m:
            april = "april" in p.name.lower() or "april" in str(p.parent.relative_to(folder)).lower()
            hits.append((p, int(m.group(1)), april))
    if not hits:
        raise InstallError(f"{label}: not a CMS/CDC release: no icd10cm_tabular_YYYY.xml, icd10pcs_tables_YYYY.xml "
                           "or HCPCYYYY_MON_ANWEB file in it")
    if len(hits) > 1:
        raise InstallError(f"{label}: more than one tabular in it ({', '.join(h[0].name for h in hits)}); install one release at a time")
    return hits[0]


def _rank(entry: dict[str, Any]) -> tuple[int, int]:
    return int(entry["fiscal_year"]), 1 if entry.get("update") == "april" else 0


_PCS = re.compile(r"^icd10pcs[_-]tables[_-](\d{4})\.xml$", re.I)
MIN_PCS_CODES = 50_000


@dataclass
class _Prepared:
    """A compiled release, checked, not yet written."""

    name: str
    doc: dict[str, Any]
    entry: dict[str, Any]
    source: Path
    april: bool = False
    companions: list[str] = field(default_factory=list)


def _sources(folder: Path, files: list[Path]) -> list[dict[str, str]]:
    return [{"path": p.relative_to(folder).as_posix(), "sha256": sha256_file(p)} for p in files]


def _prepare_icd10cm(folder: Path, label: str, mine: dict[str, Any]) -> _Prepared | None:
    try:
        tab, fy, april = _find_tabular(folder, label)
    except InstallError:
        if any(_PCS.match(p.name) for p in folder.rglob("*.xml")) or _hcpcs_files(folder):
            return None
        raise
    try:
        doc = icd10cm.compile_tabular(tab)
    except SourceError as exc:
        raise InstallError(f"{tab.name}: {exc}") from None
    if doc["version"] and doc["version"] != str(fy):
        raise InstallError(f"{tab.name}: its <version> says {doc['version']}, its name says {fy}")
    counts = icd10cm.count_levels(doc)
    if counts["chapter"] != 22 or counts["billable"] < MIN_BILLABLE:
        raise InstallError(f"{tab.name}: incomplete tabular ({counts['chapter']} chapters, "
                           f"{counts['billable']} billable codes; a release has 22 and over {MIN_BILLABLE:,})")
    update = "april" if april else "october"
    name = f"icd10cm-{fy}-april" if april else f"icd10cm-{fy}"
    cm = [e for e in mine.values() if e.get("system") == "icd10cm"]
    newest = max(cm, key=_rank, default=None)
    if newest is not None and (fy, 1 if april else 0) < _rank(newest):
        raise InstallError(f"{tab.name}: FY{fy}{' April' if april else ''} is older than the installed "
                           f"{newest['release']}; nothing changed")
    src_sha = sha256_file(tab)
    if name in mine and any(s["sha256"] == src_sha for s in mine[name].get("sources", [])):
        raise InstallError(f"{tab.name}: this release is already installed ({mine[name]['release']}); nothing changed")
    companions = sorted(p for p in folder.rglob("*") if p.is_file() and _COMPANIONS.match(p.name))
    entry = {
        "system": "icd10cm",
        "fiscal_year": fy,
        "update": update,
        "release": f"FY{fy} ({update} {'update' if april else 'release'}, installed)",
        "effective_from": f"{fy - 1}-10-01",
        "effective_to": f"{fy}-09-30",
        "sources": _sources(folder, [tab] + companions),
        "counts": counts,
    }
    if april:
        entry["update_from"] = f"{fy}-04-01"
    return _Prepared(name, doc, entry, tab, april, [p.name for p in companions])


def _prepare_tables(folder: Path, tabular: _Prepared) -> list[_Prepared]:
    """The Alphabetic Index, Drug and Neoplasm tables and External Cause Index beside a tabular,
    compiled with the shipped compiler; each replaces the FY2025 one from then on."""
    from workstation.codes import index_tables as index_books
    from workstation.codes.compile import index_tables
    from workstation.codes.icd10cm import ICD10CM

    fy = int(tabular.entry["fiscal_year"])
    out: list[_Prepared] = []
    book = ICD10CM(fy, "", tabular.doc)
    for kind in index_books.KINDS:
        pat = re.compile(rf"^icd10cm[_-]{kind}[_-](?:april[_-])?{fy}(?:[_-]april)?\.xml$", re.I)
        found = [p for p in sorted(folder.rglob("*.xml")) if pat.match(p.name)]
        if not found:
            continue
        src = found[0]
        head = src.read_bytes()[:2000].decode("utf-8", "replace")
        if (v := re.search(r"<version>\s*(\d{4})\s*</version>", head)) and int(v.group(1)) != fy:
            raise InstallError(f"{src.name}: its <version> says {v.group(1)}, the release is FY{fy}")
        try:
            rows, heads = index_tables.parse_index_xml(src, kind)
            doc, counts = index_tables.compile_book(kind, rows, heads)
        except (SourceError, ValueError) as exc:
            raise InstallError(f"{src.name}: {exc}") from None
        codes = [c for r in rows for c in r.codes] + [c for r in rows if r.cells for c in r.cells if c]
        counts = {**counts, **index_tables.code_counts(codes, {fy: book})}
        name = f"icd10cm-{kind}-{fy}"
        entry = {
            "system": f"icd10cm-{kind}",
            "release": f"FY{fy} (installed)",
            "fiscal_year": fy,
            "title": index_books.TITLES[kind],
            "sources": _sources(folder, [src]),
            "counts": counts,
        }
        out.append(_Prepared(name, doc, entry, src))
    return out


def _prepare_icd10pcs(folder: Path, label: str, mine: dict[str, Any]) -> _Prepared | None:
    from workstation.codes import icd10pcs
    from workstation.codes.compile import icd10pcs as pcs_compile

    hits = [(p, int(m.group(1))) for p in sorted(folder.rglob("*.xml")) if (m := _PCS.match(p.name))]
    if not hits:
        return None
    if len(hits) > 1:
        raise InstallError(f"{label}: more than one ICD-10-PCS tables file in it; install one release at a time")
    tables, fy = hits[0]
    parts = {}
    for kind in ("index", "definitions"):
        found = [p for p in tables.parent.glob("*.xml") if p.name.lower() == f"icd10pcs_{kind}_{fy}.xml"]
        if not found:
            raise InstallError(f"{label}: {tables.name} is there but not icd10pcs_{kind}_{fy}.xml; a PCS release has both")
        parts[kind] = found[0]
    try:
        labels: dict[str, int] = {}
        version, axes, compiled = pcs_compile.compile_tables(tables, labels)
        doc = {"version": version, "labels": list(labels), "axes": axes, "tables": compiled,
               "index": pcs_compile.compile_index(parts["index"]),
               "definitions": pcs_compile.compile_definitions(parts["definitions"])}
    except (SourceError, ET.ParseError, ValueError) as exc:
        raise InstallError(f"{tables.name}: {exc}") from None
    if version and version != str(fy):
        raise InstallError(f"{tables.name}: its <version> says {version}, its name says {fy}")
    n = icd10pcs.count_codes(doc)
    if n < MIN_PCS_CODES:
        raise InstallError(f"{tables.name}: incomplete tables ({n} valid codes; a release has over {MIN_PCS_CODES:,})")
    name = f"icd10pcs-{fy}"
    pcs = [e for e in mine.values() if e.get("system") == "icd10pcs"]
    newest = max(pcs, key=lambda e: int(e["fiscal_year"]), default=None)
    if newest is not None and fy < int(newest["fiscal_year"]):
        raise InstallError(f"{tables.name}: FY{fy} is older than the installed {newest['release']}; nothing changed")
    src_sha = sha256_file(tables)
    if name in mine and any(s["sha256"] == src_sha for s in mine[name].get("sources", [])):
        raise InstallError(f"{tables.name}: this release is already installed; nothing changed")
    entry = {
        "system": "icd10pcs",
        "fiscal_year": fy,
        "release": f"FY{fy} (installed)",
        "effective_from": f"{fy - 1}-10-01",
        "effective_to": f"{fy}-09-30",
        "sources": _sources(folder, [tables, parts["index"], parts["definitions"]]),
        "counts": {"tables": len(compiled), "rows": sum(len(t[3]) for t in compiled), "codes": n,
                   "index_terms": len(doc["index"])},
    }
    return _Prepared(name, doc, entry, tables)


MIN_HCPCS_CODES = 5_000


def _hcpcs_files(folder: Path) -> list[Path]:
    from workstation.codes.compile.hcpcs_release import release_of

    return [p for p in sorted(folder.rglob("*")) if p.is_file() and release_of(p.name)]


def _prepare_hcpcs(folder: Path, label: str, mine: dict[str, Any]) -> _Prepared | None:
    """A HCPCS quarterly release: the workbook and/or the fixed-width text of one quarter."""
    from workstation.codes import hcpcs
    from workstation.codes.compile import hcpcs as hcpcs_compile, hcpcs_release
    from workstation.codes.errors import SourceError

    files = _hcpcs_files(folder)
    if not files:
        return None
    rels = {p: hcpcs_release.release_of(p.name) for p in files}
    quarters = sorted({(r.year, r.quarter) for r in rels.values() if r})
    if len(quarters) > 1:
        raise InstallError(f"{label}: HCPCS files of more than one quarter in it "
                           f"({', '.join(p.name for p in files)}); install one release at a time")
    top = max(r.version for r in rels.values() if r)
    files = [p for p in files if rels[p] and rels[p].version == top]  # v3 corrects v2 of the same quarter
    by_ext: dict[str, Path] = {}
    for p in files:
        ext = p.suffix.lower()
        if ext in by_ext:
            raise InstallError(f"{label}: two HCPCS {ext} files of one quarter ({by_ext[ext].name}, {p.name})")
        by_ext[ext] = p
    main = by_ext.get(".txt") or by_ext[".xlsx"]
    release = rels[main]
    assert release is not None
    try:
        records = hcpcs_release.read_release(main)
    except SourceError as exc:
        raise InstallError(f"{main.name}: {exc}") from None
    if ".txt" in by_ext and ".xlsx" in by_ext:  # the two forms of one release must agree
        try:
            other = hcpcs_release.read_release(by_ext[".xlsx"])
        except SourceError as exc:
            raise InstallError(f"{by_ext['.xlsx'].name}: {exc}") from None
        a, b = {r.code for r in records}, {r.code for r in other}
        if a != b:
            diff = sorted(a ^ b)
            raise InstallError(f"{by_ext['.xlsx'].name}: its codes differ from {main.name} "
                               f"({len(diff)} codes, e.g. {', '.join(diff[:5])}); nothing changed")
    try:
        doc = hcpcs_compile.compile_release(records, release.label, hcpcs.hcpcs())
    except SourceError as exc:
        raise InstallError(f"{main.name}: {exc}") from None
    n_codes = len(doc["codes"])
    if n_codes < MIN_HCPCS_CODES:
        raise InstallError(f"{main.name}: incomplete release ({n_codes} codes; a quarterly file has over {MIN_HCPCS_CODES:,})")
    name = release.name
    installed = [{**e, "name": n} for n, e in mine.items() if e.get("system") == "hcpcs"]
    newest = max(installed, key=lambda e: e["effective_from"], default=None)
    if newest is not None and release.effective_from < newest["effective_from"]:
        raise InstallError(f"{main.name}: HCPCS {release.label} is older than the installed {newest['release']}; nothing changed")
    src_sha = sha256_file(main)
    if name in mine and any(s["sha256"] == src_sha for s in mine[name].get("sources", [])):
        raise InstallError(f"{main.name}: this release is already installed ({mine[name]['release']}); nothing changed")
    # The readme, record layout, notes and transaction report beside it: recorded, not compiled.
    companions = sorted(p for p in main.parent.iterdir()
                        if p.is_file() and p not in by_ext.values() and p.suffix.lower() != ".zip")
    start = release.effective_from
    dates = doc["dates"]
    entry = {
        "system": "hcpcs",
        "release": f"{release.label} (installed)",
        "quarter": release.quarter,
        "version": release.version,
        "effective_from": start,
        "sources": _sources(folder, [main] + [p for p in by_ext.values() if p != main] + companions),
        "counts": {
            "codes": n_codes,
            "modifiers": len(doc["modifiers"]),
            "with_dates": len(dates),
            "added_this_quarter": sum(1 for c, (a, _t) in dates.items() if a and a >= start and c in doc["codes"]),
            "terminated": sum(1 for c, (_a, t) in dates.items() if t and c in doc["codes"]),
            "with_own_short": sum(1 for c in doc["codes"].values() if c[2] == release.label),
            "places_of_service": len(doc["pos"]),
        },
    }
    if not dates:
        entry["missing"] = (f"{main.name} has no ADD DT / TERM DT columns: codes are valid for every date the "
                            "release serves, and short descriptions are the shipped book's")
    return _Prepared(name, doc, entry, main, companions=[p.name for p in companions])


def install(path: Path, log: Callable[[str], None] = print) -> list[Installed]:
    """Install what a release holds (ICD-10-CM tabular, ICD-10-PCS tables); InstallError, with
    nothing changed, when any part cannot be."""
    from workstation.codes import books

    path = Path(path)
    if not path.exists():
        raise InstallError(f"{path}: no such file or folder")
    target = books.installed_dir()
    mine = read_manifest(target).get("codebooks", {}) if (target / "manifest.json").exists() else {}
    with tempfile.TemporaryDirectory(prefix="ws-install-") as tmp:
        if path.is_dir():
            folder, label = path, str(path)
        elif zipfile.is_zipfile(path):
            folder, label = _unpack(path, Path(tmp) / "release"), str(path)
        else:
            raise InstallError(f"{path}: not a zip or a folder of a CMS/CDC release")
        prepared = [p for p in (_prepare_icd10cm(folder, label, mine), _prepare_icd10pcs(folder, label, mine),
                                _prepare_hcpcs(folder, label, mine)) if p]
        if prepared and prepared[0].entry["system"] == "icd10cm":
            prepared += _prepare_tables(folder, prepared[0])
        shipped = books.manifest()["codebooks"]
        # Everything is checked: now write the books, then the manifest that points at them.
        target.mkdir(parents=True, exist_ok=True, mode=0o700)
        written: list[Path] = []
        done: list[Installed] = []
        try:
            entries = {}
            for p in prepared:
                data = pack(p.doc)
                p.entry.update({"installed_from": str(path.resolve()), "file": f"{p.name}.json.gz",
                                "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()})
                if p.name not in mine:
                    written.append(target / p.entry["file"])
                atomic_write_bytes(target / p.entry["file"], data)
                entries[p.name] = p.entry
                old_name = p.name if p.name in shipped else _same_quarter(shipped, p.entry)
                old = shipped.get(old_name) if old_name else None
                replaced = f"{old.get('origin', 'shipped')} {old_name} ({old['release']})" if old else ""
                done.append(Installed(p.name, p.entry, replaced, p.companions))
            update_manifest(target, entries)
        except BaseException:
            for f in written:
                f.unlink(missing_ok=True)
            raise
    books.reload()
    for d, p in zip(done, prepared):
        n = d.entry["counts"].get("billable", d.entry["counts"].get("codes", d.entry["counts"].get("terms")))
        log(f"installed {d.name}: {n} codes from {p.source.name} (sha256 {d.entry['sources'][0]['sha256'][:16]}...)")
        if d.replaced:
            log(f"  serves its dates in place of the {d.replaced}")
        if d.entry["system"] == "hcpcs" and not d.entry.get("missing"):
            log(f"  serves from {d.entry['effective_from']}: a code it adds is not valid before its add date, "
                "a code it ends not after its termination date")
        if d.entry["system"] == "hcpcs" and d.entry.get("missing"):
            log(f"  serves from {d.entry['effective_from']}; {d.entry['missing']}")
        if p.april:
            log(f"  serves from {d.entry['update_from']}; before that the FY{d.entry['fiscal_year']} October release serves")
    return done
