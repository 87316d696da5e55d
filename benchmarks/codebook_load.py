"""Cold load time and memory of each compiled code book, each in a fresh Python process.

For every book in codebooks/manifest.json: start a new interpreter, import what the book needs,
load it with its own loader and run one query (so the book is "fully usable"), then report the
wall time of load + query, and the resident memory (VmRSS now, VmHWM peak) of the process.
The interpreter's own start-up is measured once and shown separately.

    .venv/bin/python benchmarks/codebook_load.py [--runs 3] [NAME ...]

Targets (issue 3): ICD-10-CM FY2026 under 300 ms and under 150 MB RSS.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent

# system -> (imports, load + one query); {fy} and {name} are filled in per book.
PROBES: dict[str, tuple[str, str]] = {
    "icd10cm": ("from workstation.codes import books",
                "b = books.icd10cm({fy}); assert b.get('E11.22') is not None"),
    "icd10pcs": ("from workstation.codes.icd10pcs import icd10pcs",
                 "b = icd10pcs(); assert b.decode('0DTJ4ZZ')[2].label == 'Resection'"),
    "hcpcs": ("from workstation.codes.hcpcs import hcpcs",
              "b = hcpcs(); assert b.get('G0439') is not None and b.modifier('LT') is not None"),
    "mce": ("from workstation.codes.mce import mce",
            "b = mce(); assert b.sex('N40.0') == 'M'"),
    "icd10cm-index": ("from workstation.codes import index_tables",
                      "b = index_tables.alphabetic_index(); b.term(1)"),
    "icd10cm-drug": ("from workstation.codes import index_tables",
                     "b = index_tables.drug_table(); b.term(1)"),
    "icd10cm-neoplasm": ("from workstation.codes import index_tables",
                         "b = index_tables.neoplasm_table(); b.term(1)"),
    "icd10cm-eindex": ("from workstation.codes import index_tables",
                       "b = index_tables.external_cause_index(); b.term(1)"),
}
GENERIC = ("from workstation.codes.books import load_doc", "b = load_doc('{name}')")

SCRIPT = """
import json, sys, time
def mem():
    out = {{}}
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(('VmRSS:', 'VmHWM:')):
                out[line.split(':')[0]] = int(line.split()[1]) / 1024
    return out
base = mem()
t0 = time.perf_counter()
{imports}
t1 = time.perf_counter()
{load}
t2 = time.perf_counter()
m = mem()
print(json.dumps({{"import_ms": (t1 - t0) * 1000, "load_ms": (t2 - t1) * 1000,
                  "rss_mb": m['VmRSS'], "peak_mb": m['VmHWM'], "base_mb": base['VmRSS']}}))
"""


def probe(name: str, entry: dict) -> dict:
    imports, load = PROBES.get(entry["system"], GENERIC)
    code = SCRIPT.format(imports=imports, load=load.format(fy=entry.get("fiscal_year"), name=name))
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{name}: probe failed:\n{out.stderr.strip()[-600:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*", help="only these books (default: every book in the manifest)")
    ap.add_argument("--runs", type=int, default=3, help="cold runs per book; the median is shown")
    args = ap.parse_args()
    manifest = json.loads((PROJECT / "codebooks" / "manifest.json").read_text())["codebooks"]
    names = args.names or sorted(manifest)
    print(f"{'code book':<24} {'file MB':>7} {'import ms':>9} {'load+query ms':>13} {'RSS MB':>7} {'peak MB':>7}")
    for name in names:
        entry = manifest[name]
        try:
            runs = [probe(name, entry) for _ in range(max(1, args.runs))]
        except RuntimeError as exc:
            print(f"{name:<24} {exc}")
            continue
        med = lambda k: statistics.median(r[k] for r in runs)  # noqa: E731
        print(f"{name:<24} {entry['bytes'] / 1e6:>7.2f} {med('import_ms'):>9.0f} {med('load_ms'):>13.0f} "
              f"{med('rss_mb'):>7.1f} {med('peak_mb'):>7.1f}")
    base = probe(names[0], manifest[names[0]])["base_mb"] if names else 0
    print(f"(a bare interpreter is {base:.1f} MB RSS before any import; load+query excludes imports)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
