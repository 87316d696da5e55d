"""A HCPCS workbook in the full CMS column layout, written from the fixed-width records of a CMS
file (one row per record, continuation records included), for tests of the workbook reader.

The July 2025 workbook among the sources is trimmed to two columns; this gives the reader the
header row, record ids and date columns a full CMS workbook has, with real records.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from workstation.codes.compile.hcpcs import F2020

# The CMS workbook's columns this test fills (the others are left out; the reader goes by header).
HEADER = ["HCPC", "SEQNUM", "RECID", "LONG DESCRIPTION", "SHORT DESCRIPTION", "COV", "BETOS",
          "ADD DT", "ACT EFF DT", "TERM DT", "ACTION CD"]
_FIELDS = ["code", "seq", "rec", "long", "short", "coverage", "betos", "added", "effective", "terminated", "action"]
_DATES = {"added", "effective", "terminated"}


def _col(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def workbook_from_text(txt: Path, out: Path) -> Path:
    """One row per record under the header; the disclaimer lines before the records go above the
    header, as in the CMS "w_disclaimer" files."""
    record = re.compile(r"^[ A-Z0-9]{5}\d{5}[3478]")
    lines = txt.read_bytes().decode("cp1252").splitlines()
    rows = [[line.strip()] for line in lines[: next(i for i, l in enumerate(lines) if record.match(l))] if line.strip()]
    rows.append(HEADER)
    for line in lines:
        if not record.match(line):
            continue
        rows.append([line[F2020[f][0] - 1 : F2020[f][1]].strip() for f in _FIELDS])
    sheet = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>']
    for n, row in enumerate(rows, 1):
        cells = []
        for i, v in enumerate(row):
            if not v:
                continue
            ref = f"{_col(i)}{n}"
            if len(row) == len(HEADER) and row is not HEADER and _FIELDS[i] in _DATES:
                cells.append(f'<c r="{ref}"><v>{v}</v></c>')  # CMS keeps dates as numbers (20200101)
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(v)}</t></is></c>')
        sheet.append(f'<row r="{n}">{"".join(cells)}</row>')
    sheet.append("</sheetData></worksheet>")
    ns = "http://schemas.openxmlformats.org"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{ns}/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                   '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                   "</Types>")
        z.writestr("_rels/.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/relationships">'
                   f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
                   "</Relationships>")
        z.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{ns}/spreadsheetml/2006/main" '
                   f'xmlns:r="{ns}/officeDocument/2006/relationships"><sheets>'
                   '<sheet name="HCPC2020_ANWEB" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/relationships">'
                   f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                   "</Relationships>")
        z.writestr("xl/worksheets/sheet1.xml", "".join(sheet))
    return out
