"""The extract's rows as the first version built them (domain objects for every case, copied out of
the store, and the scrubber run on every coded case with no cache): the oracle that the fast
path in workstation/analytics/extract.py must match row for row (test_fast_rows.py)."""
from __future__ import annotations

from typing import Any

from workstation.analytics.extract import CODING_ACTIONS, Rows, _Chapters, _ts, age_band, code_year, patient_key, \
    sex_of, zip3
from workstation.analytics.registry import Registry
from workstation.billing.claim import build_claim
from workstation.billing.settings import PracticeSettings
from workstation.session.store import SessionStore


def reference_rows_of_store(store: SessionStore, name: str, rows: Rows, key: bytes, reg: Registry | None,
                  chapters: _Chapters, scrub_edits: bool = True) -> int:
    """Add the rows of one store; returns its number of cases."""
    from workstation.billing.edits import scrub

    settings = PracticeSettings.from_store(store)
    audit_by_case: dict[str, list[dict[str, Any]]] = {}
    for e in store.audit():
        cid = e.get("case_id")
        if cid is not None:
            audit_by_case.setdefault(cid, []).append(e)
    n = 0
    for cid in store.case_ids():
        case = store.case(cid)
        work = store.work(cid)
        n += 1
        when = case.coding_date
        month = when[:7] if len(when) >= 7 else "unknown"
        year = code_year(when)
        base = {"store": name, "case_id": cid, "month": month}
        entries = audit_by_case.get(cid, [])
        imported = next((e["when"] for e in entries if e["action"] == "add_case"), None)
        coded = [e for e in entries if e["action"] == "set_status" and e.get("after") == "coded"]
        exported = [e for e in entries if e["action"] == "mark_exported"]
        coder = coded[-1]["who"] if coded else next(
            (e["who"] for e in reversed(entries) if e["action"] in CODING_ACTIONS), None)
        claim = build_claim(case, work, settings)
        errors = warnings = 0
        scrubbed = bool(scrub_edits and work.diagnoses)
        if scrubbed:
            found = [[ed.edit_id, ed.severity, ed.target] for ed in scrub(case, work, claim, settings)]
            for edit_id, severity, target in found:
                rows.add("edits", {**base, "edit_id": edit_id, "severity": severity, "target": target})
                errors += severity == "error"
                warnings += severity == "warning"
        cov = case.coverage
        rows.add("cases", {
            **base, "patient_key": patient_key(case, key), "service_date": when or None, "code_year": year,
            "encounter_type": case.encounter.type, "age_band": age_band(case.patient.dob, when),
            "sex": sex_of(case.patient.sex), "zip3": zip3(case.patient.address.zip),
            "payer": "self-pay" if cov.self_pay else (cov.payer_name or cov.payer_id or "unknown"),
            "plan_type": "" if cov.self_pay else cov.plan_type, "self_pay": bool(cov.self_pay),
            "status": work.status, "coder": coder, "imported_at": _ts(imported),
            "coded_at": _ts(coded[0]["when"]) if coded else None,
            "exported_at": _ts(exported[-1]["when"]) if exported else None,
            "export_batch": work.export_batch or None,
            "n_diagnoses": len(work.diagnoses), "n_procedures": len(work.procedures), "n_lines": len(work.lines),
            "total_charge": str(claim.total_charge), "scrubbed": scrubbed, "n_errors": errors, "n_warnings": warnings,
        })
        for i, code in enumerate(work.diagnoses, 1):
            ch, ch_title, bl, bl_title = chapters.of(year, code)
            f = reg.find(code, int(when[:4]) if when[:4].isdigit() else None, ch == "Chapter 2" if ch else None) if reg else None
            rows.add("diagnoses", {
                **base, "seq": i, "code": code, "chapter": ch or None, "chapter_title": ch_title or None,
                "block": bl or None, "block_title": bl_title or None, "category": code[:3],
                "registry_status": f.status if f else None, "icdo3_site": (f.site or None) if f else None,
                "histology": (f.histology or None) if f else None, "behavior": (f.behavior or None) if f else None,
                "laterality": (f.laterality or None) if f else None, "seer_recode": (f.recode or None) if f else None,
                "seer_group": (f.recode_name or None) if f else None,
            })
        for i, code in enumerate(work.procedures, 1):
            rows.add("procedures", {**base, "seq": i, "code": code})
        for line in claim.lines:
            rows.add("lines", {**base, "seq": line.number, "code": line.code, "modifiers": " ".join(line.modifiers),
                               "units": str(line.units), "charge": None if line.charge is None else str(line.charge),
                               "charge_source": line.charge_source})
        for q in work.queries:
            rows.add("queries", {**base, "query_id": q.query_id, "status": q.status, "created": _ts(q.created),
                                 "answered": _ts(q.answered) if q.status == "answered" else None})
        for e in entries:
            after = e.get("after")
            status = after if e["action"] == "set_status" and isinstance(after, str) else (
                after.get("status") if isinstance(after, dict) and e["action"] in ("mark_exported", "reopen") else None)
            batch = after.get("export_batch") if isinstance(after, dict) and e["action"] == "mark_exported" else None
            rows.add("audit", {**base, "seq": int(e["seq"]), "at": _ts(e["when"]), "who": e["who"],
                               "action": e["action"], "status": status, "batch": batch})
    return n
