"""Time `workstation codebooks install` of releases laid out as CMS/CDC publish them, built from
the official sources beside the clone (../shared/codebook-sources), each into a fresh user data
folder, in a fresh process. Prints wall time and the counts the install recorded.

    .venv/bin/python benchmarks/install.py [--sources DIR] [--only hcpcs|index]

Releases: the HCPCS 2020 annual file (fixed-width text, readme, notes), the HCPCS July 2025
workbook, and (--only index or all) FY2025 ICD-10-CM with the Alphabetic Index XML rebuilt in the
CMS layout from the flattened CSV (tests/codes/cms_index_xml.py).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))


def hcpcs_zips(src: Path, tmp: Path) -> list[Path]:
    h = src / "hcpcs"
    a = tmp / "2020-alpha-numeric-hcpcs-file.zip"
    with zipfile.ZipFile(a, "w", zipfile.ZIP_DEFLATED) as z:
        for name in ("HCPC2020_ANWEB_w_disclaimer.txt", "HCPC2020_README.txt", "proc_notes_2020.txt"):
            z.write(h / name, name)
    b = tmp / "july-2025-alpha-numeric-hcpcs-file.zip"
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(h / "HCPC2025_JUL_ANWEB_v3.xlsx", "HCPC2025_JUL_ANWEB_v3.xlsx")
    return [a, b]


def index_zip(src: Path, tmp: Path) -> Path:
    from tests.codes.cms_index_xml import index_xml_from_csv

    out = tmp / "2025-code-tables-tabular-and-index.zip"
    folder = "2025 Code Tables, Tabular and Index/Table and Index"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.write(src / "icd10cm/icd10cm-tabular-2025-april.xml", f"{folder}/icd10cm_tabular_2025.xml")
        z.writestr(f"{folder}/icd10cm_index_2025.xml",
                   index_xml_from_csv(src / "icd10cm/icd10cm-index-2025.flattened.csv", 2025))
    return out


def run(paths: list[Path], data: Path) -> None:
    env = {**os.environ, "WORKSTATION_DATA_DIR": str(data), "PYTHONPATH": str(PROJECT)}
    for p in paths:
        t = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "workstation", "codebooks", "install", str(p)],
                           capture_output=True, text=True, env=env)
        dt = time.perf_counter() - t
        status = "ok" if r.returncode == 0 else f"refused ({r.stderr.strip()})"
        print(f"{p.name:<45} {dt:6.2f} s  {status}")
    manifest = json.loads((data / "codebooks" / "manifest.json").read_text())
    for name, e in sorted(manifest["codebooks"].items()):
        counts = ", ".join(f"{k} {v:,}" for k, v in e["counts"].items() if isinstance(v, int))
        print(f"  {name:<22} serves from {e.get('update_from') or e.get('effective_from', '-'):<10}  {counts[:150]}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", type=Path, default=PROJECT.parent / "shared" / "codebook-sources")
    ap.add_argument("--only", choices=("hcpcs", "index"))
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="ws-bench-install-") as tmp_s:
        tmp = Path(tmp_s)
        if a.only in (None, "hcpcs"):
            data = tmp / "data-hcpcs"
            data.mkdir(mode=0o700)
            zips = hcpcs_zips(a.sources, tmp)
            run(zips + [zips[1]], data)  # the last: a repeat, refused
        if a.only in (None, "index"):
            data = tmp / "data-index"
            data.mkdir(mode=0o700)
            t = time.perf_counter()
            z = index_zip(a.sources, tmp)
            print(f"(index XML rebuilt from the CSV and zipped in {time.perf_counter() - t:.2f} s)")
            run([z], data)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
