"""The CMS layout of the ICD-10-CM Alphabetic Index (`icd10cm_index_YYYY.xml`, schema
`icd10cm-index-YYYY.xsd`), rebuilt from the flattened CSV among the sources, for install tests.

No real CMS index XML is among the sources; the flattened CSV is that XML with one row per term
(Level 0 = main term). Written back in the XSD's elements: <letter><title>A</title><mainTerm>
<title>Term<nemod>(...)</nemod></title><see/><seeAlso/><code/><term level="1">...</term>.
"""
from __future__ import annotations

import csv
from pathlib import Path
from xml.sax.saxutils import escape


def index_xml_from_csv(csv_path: Path, fy: int, letters: str | None = None) -> bytes:
    out = ['<?xml version="1.0" encoding="utf-8"?>\n<ICD10CM.index>\n',
           f"<version>{fy}</version>\n<title>ICD-10-CM INDEX TO DISEASES and INJURIES</title>\n"]
    open_levels: list[int] = []  # levels of the open <mainTerm>/<term> elements
    letter = ""

    def close_to(level: int) -> None:
        while open_levels and open_levels[-1] >= level:
            lv = open_levels.pop()
            out.append("</mainTerm>\n" if lv == 0 else "</term>\n")

    with open(csv_path, newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            if letters is not None and row["Letter"] not in letters:
                continue
            level = int(row["Level"])
            if row["Letter"] != letter:
                close_to(0)
                if letter:
                    out.append("</letter>\n")
                letter = row["Letter"]
                out.append(f"<letter><title>{escape(letter)}</title>\n")
            close_to(level)
            term, nemod = " ".join(row["Term"].split()), " ".join(row["NonEssModif"].split())
            title = escape(term) + (f"<nemod>{escape(nemod)}</nemod>" if nemod else "")
            out.append("<mainTerm>" if level == 0 else f'<term level="{level}">')
            out.append(f"<title>{title}</title>")
            for tag, col in (("see", "See"), ("seeAlso", "SeeAlso"), ("code", "Code")):
                v = " ".join(row[col].split())
                if v:
                    out.append(f"<{tag}>{escape(v)}</{tag}>")
            out.append("\n")
            open_levels.append(level)
    close_to(0)
    if letter:
        out.append("</letter>\n")
    out.append("</ICD10CM.index>\n")
    return "".join(out).encode("utf-8")
