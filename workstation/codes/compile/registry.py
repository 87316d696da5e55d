"""Cancer-registry reference data: ICD-10-CM -> ICD-O-3 with a reportable flag, SEER site recode, NAACCR v26.

Sources (codebook-sources/registry/, see its README):
- imsweb-algorithms-icd-icd-10-cm-to-icd-o-3.csv: ICD-10-CM code -> ICD-O-3 primary site,
  histology, behavior, grade, laterality, REPORTABILITY (Y reportable, O other) and gender;
- imsweb-algorithms-seersiterecode-site-recode-data-2023.csv: the SEER site recode (2023), rows
  in the order the algorithm tries them: site ranges, histology in/out, behavior, diagnosis years;
- naaccr-dictionary-260.xml: the NAACCR XML v26 base dictionary (item id, number, length, parent).

Compiled layout (`codebooks/registry.json.gz`):
  {"icdo3": {dotted ICD-10-CM code: [site, histology, behavior, grade, laterality, flag, gender]},
   "site_recode": {"edition": "2023", "rows": [{"id", "name", "sites": [[lo, hi]], "hist_in",
                   "hist_out": [[lo, hi]], "beh_in": [b], "year_min", "year_max", "recode"}],
                   "groups": {recode: name}},
   "naaccr": {"version": "260", "specification": "1.8", "uri": ..., "items": {naaccrId: {"num",
              "name", "length", "parent", "type", "padding"}}},
   "licences": {file name: text}}
The licence notices travel inside the book (and in codebooks/registry-NOTICE.txt), as the BSD
licences of the sources require for redistributed copies.
"""
from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Callable

from workstation.codes.errors import SourceError
from workstation.codes.icd10cm import normalize

SYSTEM = "registry"
BOOK = "registry"
MAP_SOURCE = "registry/imsweb-algorithms-icd-icd-10-cm-to-icd-o-3.csv"
RECODE_SOURCE = "registry/imsweb-algorithms-seersiterecode-site-recode-data-2023.csv"
DICTIONARY_SOURCE = "registry/naaccr-dictionary-260.xml"
LICENCES = ("registry/imsweb-algorithms-LICENSE", "registry/naaccr-xml-LICENSE",
            "registry/imsweb-algorithms-icd-readme.txt", "registry/imsweb-algorithms-seersiterecode-readme.txt")
NOTICE = "registry-NOTICE.txt"
NS = "{http://naaccr.org/naaccrxml}"

MAP_HEADER = ["ICD-10-CM-CODE", "ICD-O-3-PRIMARY-SITE", "HISTOLOGY", "BEHAVIOR", "GRADE", "LATERALITY",
              "REPORTABILITY", "GENDER"]
RECODE_HEADER = ["ID", "Name", "Indentation", "Sites IN", "Hist IN", "Hist OUT", "Beh IN", "DX Year Min",
                 "DX Year Max", "Recode"]


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceError(f"missing source file {path}") from None
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path}: not UTF-8 text ({exc})") from None


def compile_icdo3_map(path: Path) -> dict[str, list[str]]:
    rows = list(csv.reader(io.StringIO(_read_text(path))))
    if not rows or rows[0] != MAP_HEADER:
        raise SourceError(f"{path}:1: expected the header {','.join(MAP_HEADER)}")
    out: dict[str, list[str]] = {}
    for n, row in enumerate(rows[1:], 2):
        if not row:
            continue
        if len(row) != len(MAP_HEADER):
            raise SourceError(f"{path}:{n}: expected {len(MAP_HEADER)} fields, found {len(row)}")
        code, site, hist, beh, grade, lat, flag, gender = (x.strip() for x in row)
        if not (len(site) == 4 and site[0] == "C" and site[1:].isdigit()):
            raise SourceError(f"{path}:{n}: primary site {site!r} is not an ICD-O-3 topography code")
        if not (len(hist) == 4 and hist.isdigit()) or beh not in "012369" or len(beh) != 1:
            raise SourceError(f"{path}:{n}: histology {hist!r} / behavior {beh!r} malformed")
        if flag not in ("Y", "O"):
            raise SourceError(f"{path}:{n}: reportability {flag!r}, expected Y or O")
        key = normalize(code)
        if key in out:
            raise SourceError(f"{path}:{n}: {key} listed twice")
        out[key] = [site, hist, beh, grade, lat, flag, gender]
    return out


def _ranges(text: str, path: Path, n: int) -> list[list[int]]:
    out: list[list[int]] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue  # the source has stray empty entries (",9728-9729")
        lo, _, hi = part.partition("-")
        try:
            a = int(lo.lstrip("C"))
            b = int((hi or lo).lstrip("C"))
        except ValueError:
            raise SourceError(f"{path}:{n}: range {part!r} malformed") from None
        out.append([a, b])
    return out


def compile_site_recode(path: Path) -> dict[str, Any]:
    rows = list(csv.reader(io.StringIO(_read_text(path))))
    if not rows or rows[0] != RECODE_HEADER:
        raise SourceError(f"{path}:1: expected the header {','.join(RECODE_HEADER)}")
    out: list[dict[str, Any]] = []
    groups: dict[str, str] = {}
    for n, row in enumerate(rows[1:], 2):
        if not row:
            continue
        if len(row) != len(RECODE_HEADER):
            raise SourceError(f"{path}:{n}: expected {len(RECODE_HEADER)} fields, found {len(row)}")
        rid, name, _indent, sites, hist_in, hist_out, beh_in, ymin, ymax, recode = (x.strip() for x in row)
        if not recode:
            continue  # a heading row ("Digestive System"): no recode of its own
        groups.setdefault(recode, name)
        out.append({
            "id": rid, "name": name, "recode": recode,
            "sites": _ranges(sites, path, n), "hist_in": _ranges(hist_in, path, n),
            "hist_out": _ranges(hist_out, path, n),
            "beh_in": [b.strip() for b in beh_in.split(",") if b.strip()],
            "year_min": int(ymin) if ymin else None, "year_max": int(ymax) if ymax else None,
        })
    return {"edition": "2023", "rows": out, "groups": groups}


def compile_naaccr_dictionary(path: Path) -> dict[str, Any]:
    try:
        root = ET.parse(path).getroot()
    except FileNotFoundError:
        raise SourceError(f"missing source file {path}") from None
    except ET.ParseError as exc:
        raise SourceError(f"{path}: not XML ({exc})") from None
    if root.tag != f"{NS}NaaccrDictionary":
        raise SourceError(f"{path}: not a NAACCR dictionary (root {root.tag})")
    items: dict[str, dict[str, Any]] = {}
    for el in root.iter(f"{NS}ItemDef"):
        a = el.attrib
        try:
            items[a["naaccrId"]] = {"num": int(a["naaccrNum"]), "name": a["naaccrName"], "length": int(a["length"]),
                                    "parent": a["parentXmlElement"], "type": a.get("dataType", "text"),
                                    "padding": a.get("padding", "")}
        except (KeyError, ValueError) as exc:
            raise SourceError(f"{path}: an ItemDef without a valid {exc}") from None
    if not items:
        raise SourceError(f"{path}: no ItemDef")
    return {"version": root.attrib.get("naaccrVersion", ""), "specification": root.attrib.get("specificationVersion", ""),
            "uri": root.attrib.get("dictionaryUri", ""), "items": items}


def compile_registry(sources: Path) -> dict[str, Any]:
    naaccr = compile_naaccr_dictionary(sources / DICTIONARY_SOURCE)
    if naaccr["version"] != "260":
        raise SourceError(f"{sources / DICTIONARY_SOURCE}: NAACCR version {naaccr['version']}, expected 260")
    return {
        "icdo3": compile_icdo3_map(sources / MAP_SOURCE),
        "site_recode": compile_site_recode(sources / RECODE_SOURCE),
        "naaccr": naaccr,
        "licences": {Path(p).name: _read_text(sources / p) for p in LICENCES},
    }


def notice_text(doc: dict[str, Any]) -> str:
    parts = ["Cancer-registry reference data compiled into registry.json.gz.",
             "ICD-10-CM to ICD-O-3 conversion and SEER site recode data: imsweb/algorithms",
             "(commit f8aad8dd3082dd266505d5a6ec7f972761a84feb); NAACCR XML v26 dictionary: imsweb/naaccr-xml",
             "(commit a87b70aea5369d8fb893dd9f743444dfba372e81). Their notices follow.", ""]
    for name, text in sorted(doc["licences"].items()):
        parts += [f"==== {name}", text.rstrip(), ""]
    return "\n".join(parts)


def build_registry(sources: Path, out_dir: Path, log: Callable[[str], None] = print) -> dict[str, dict[str, Any]]:
    from workstation.codes.bookfile import source_entry, write_book
    from workstation.fileio import atomic_write_bytes

    doc = compile_registry(sources)
    flags = [v[5] for v in doc["icdo3"].values()]
    counts = {"icd10cm_codes": len(flags), "reportable": flags.count("Y"), "other": flags.count("O"),
              "site_recode_rows": len(doc["site_recode"]["rows"]), "site_recode_groups": len(doc["site_recode"]["groups"]),
              "naaccr_items": len(doc["naaccr"]["items"])}
    entry = {
        "system": SYSTEM,
        "release": f"ICD-O-3 conversion (IMS), SEER site recode {doc['site_recode']['edition']}, "
                   f"NAACCR XML v{int(doc['naaccr']['version']) // 10}",
        "sources": [source_entry(sources / p, sources) for p in (MAP_SOURCE, RECODE_SOURCE, DICTIONARY_SOURCE, *LICENCES)],
        "counts": counts,
    }
    out = write_book(out_dir, BOOK, doc, entry)
    atomic_write_bytes(out_dir / NOTICE, notice_text(doc).encode())
    log(f"  {BOOK}: {counts['icd10cm_codes']} ICD-10-CM codes ({counts['reportable']} reportable), "
        f"{counts['site_recode_groups']} SEER site recode groups, {counts['naaccr_items']} NAACCR v26 items")
    return {BOOK: out}
