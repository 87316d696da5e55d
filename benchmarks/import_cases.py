"""Import 1,000 encounters from FHIR R4 bundles (Synthea-shaped) and print how long it takes.

    .venv/bin/python benchmarks/import_cases.py [--encounters 1000] [--per-bundle 10]

Writes synthetic bundles to a temporary folder, then times: reading and parsing
(intake.import_paths), adding the cases to a fresh session store, and a second import of the
same files (every encounter a duplicate). Prints figures; asserts nothing about speed.
"""
from __future__ import annotations

import argparse
import base64
import sys
import tempfile
import time
import uuid
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workstation.cases.intake import import_paths  # noqa: E402

CLASSES = [("AMB", "Encounter for check up"), ("EMER", "Emergency room admission"), ("IMP", "Hospital admission"), ("VR", "Telemedicine consultation")]
PROBLEMS = [("44054006", "Diabetes mellitus type 2"), ("38341003", "Hypertension"), ("195662009", "Acute viral pharyngitis"),
            ("65966004", "Fracture of forearm"), ("10509002", "Acute bronchitis")]


def u() -> str:
    return str(uuid.uuid4())


def bundle(patient_no: int, encounters: int) -> dict:
    pid = u()
    entries = [{"fullUrl": f"urn:uuid:{pid}", "resource": {
        "resourceType": "Patient", "id": pid, "gender": "female" if patient_no % 2 else "male",
        "birthDate": f"{1940 + patient_no % 70}-0{1 + patient_no % 9}-1{patient_no % 10}",
        "name": [{"use": "official", "family": f"Bench{patient_no}", "given": [f"Pat{patient_no}"]}],
        "address": [{"line": [f"{patient_no} Test St"], "city": "Columbus", "state": "Ohio", "postalCode": "43215"}]}}]
    for n in range(encounters):
        eid = u()
        cls, disp = CLASSES[n % len(CLASSES)]
        day = f"2026-{1 + n % 9:02d}-{10 + n % 18:02d}"
        entries.append({"fullUrl": f"urn:uuid:{eid}", "resource": {
            "resourceType": "Encounter", "id": eid, "status": "finished", "class": {"code": cls},
            "type": [{"coding": [{"system": "http://snomed.info/sct", "code": "185349003", "display": disp}]}],
            "subject": {"reference": f"urn:uuid:{pid}"},
            "participant": [{"individual": {"reference": "Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|1720536840", "display": "Dr. Linh Nguyen"}}],
            "period": {"start": f"{day}T09:00:00-05:00", "end": f"{day}T10:00:00-05:00"}}})
        for k in range(2):
            code, text = PROBLEMS[(n + k) % len(PROBLEMS)]
            cid = u()
            entries.append({"fullUrl": f"urn:uuid:{cid}", "resource": {
                "resourceType": "Condition", "id": cid, "code": {"coding": [{"system": "http://snomed.info/sct", "code": code, "display": text}]},
                "subject": {"reference": f"urn:uuid:{pid}"}, "encounter": {"reference": f"urn:uuid:{eid}"}, "onsetDateTime": day}})
        prid, did, clid, oid = u(), u(), u(), u()
        note = f"{day}\n\n# Chief Complaint\n- follow-up\n\n# Assessment and Plan\nStable. Continue current plan. " * 3
        entries += [
            {"fullUrl": f"urn:uuid:{prid}", "resource": {"resourceType": "Procedure", "id": prid,
                "code": {"coding": [{"system": "http://snomed.info/sct", "code": "430193006", "display": "Medication reconciliation"}]},
                "subject": {"reference": f"urn:uuid:{pid}"}, "encounter": {"reference": f"urn:uuid:{eid}"}, "performedPeriod": {"start": day}}},
            {"fullUrl": f"urn:uuid:{did}", "resource": {"resourceType": "DocumentReference", "id": did, "date": day,
                "type": {"coding": [{"system": "http://loinc.org", "code": "34117-2", "display": "History and physical note"}]},
                "content": [{"attachment": {"contentType": "text/plain; charset=utf-8", "data": base64.b64encode(note.encode()).decode()}}],
                "context": {"encounter": [{"reference": f"urn:uuid:{eid}"}]}}},
            {"fullUrl": f"urn:uuid:{clid}", "resource": {"resourceType": "Claim", "id": clid, "patient": {"reference": f"urn:uuid:{pid}"},
                "insurance": [{"sequence": 1, "focal": True, "coverage": {"display": ["Medicare", "Medicaid", "Blue Cross Blue Shield", "NO_INSURANCE"][n % 4]}}],
                "item": [{"sequence": 1, "encounter": [{"reference": f"urn:uuid:{eid}"}]}]}},
            {"fullUrl": f"urn:uuid:{oid}", "resource": {"resourceType": "Observation", "id": oid, "status": "final",
                "code": {"text": "Body weight"}, "encounter": {"reference": f"urn:uuid:{eid}"}, "valueQuantity": {"value": 70 + n}}},
        ]
    return {"resourceType": "Bundle", "type": "transaction", "entry": entries}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--encounters", type=int, default=1000)
    ap.add_argument("--per-bundle", type=int, default=10)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="import-bench-") as tmp:
        folder = Path(tmp) / "bundles"
        folder.mkdir()
        t0 = time.perf_counter()
        total, n, size = 0, 0, 0
        while total < args.encounters:
            k = min(args.per_bundle, args.encounters - total)
            data = orjson.dumps(bundle(n, k))
            (folder / f"patient_{n:04d}.json").write_bytes(data)
            size += len(data)
            total, n = total + k, n + 1
        t_gen = time.perf_counter() - t0
        print(f"generated {total} encounters in {n} bundles ({size / 1e6:.1f} MB) in {t_gen:.2f} s")

        t0 = time.perf_counter()
        report = import_paths([folder])
        t_parse = time.perf_counter() - t0
        print(f"read and parsed: {len(report.cases)} cases, {len(report.errors)} errors in {t_parse:.2f} s "
              f"({len(report.cases) / t_parse:.0f} encounters/s)")

        try:
            from workstation.session.store import SessionStore
        except ModuleNotFoundError:
            print("session store not available: store timings skipped")
            return 0
        store_path = Path(tmp) / "session" / "bench.json"
        t0 = time.perf_counter()
        with SessionStore.open(store_path) as store:
            added = store.add_cases(report.cases)
        t_store = time.perf_counter() - t0
        print(f"added to a new session store: {len(added)} cases in {t_store:.2f} s")

        t0 = time.perf_counter()
        with SessionStore.open(store_path) as store:
            known = {c.source_key for c in store.cases()}
            again = import_paths([folder], known_keys=known)
            added2 = store.add_cases(again.cases)
        t_again = time.perf_counter() - t0
        print(f"second import of the same files: {len(added2)} added, {again.skipped_duplicates} duplicates in {t_again:.2f} s")
        print(f"total (parse + store) for {total} encounters: {t_parse + t_store:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
