"""The fast extract (records read as stored, the scrubber's edits from the edit cache) writes
exactly the rows the first version wrote (reference_extract.py): every table, row for row, on the
fabricated stores of conftest.py, a store with the odd cases (inpatient stay, procedures, a line
charged from the fee schedule, a reopened and re-exported case, a future date of service, a case
never worked), and stores fabricated by benchmarks/report.py. Cold (nothing cached) and warm."""
from __future__ import annotations

import re
import runpy
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import orjson
import pytest

from tests.analytics.conftest import COMMERCIAL, MEDICARE, PATIENT_1, PATIENT_3, SELF_PAY, Stores, case
from tests.analytics.reference_extract import reference_rows_of_store
from workstation.analytics import extract as ex
from workstation.session.store import SessionStore
from workstation.session.work import ServiceLine

ROOT = Path(__file__).resolve().parents[2]


def _odd_store(folder: Path) -> Path:
    path = folder / "store_odd.json"
    future = (date.today() + timedelta(days=30)).isoformat()
    inpatient = case("O1", PATIENT_3, "2026-01-03", MEDICARE, "inpatient")
    inpatient.encounter.admit_date, inpatient.encounter.discharge_date = "2026-01-03", "2026-01-08"
    with SessionStore.open(path) as s:
        s.set_setting("coder_id", "carol")
        s.add_cases([inpatient, case("O2", PATIENT_1, "2026-02-14", COMMERCIAL),
                     case("O3", PATIENT_1, future, COMMERCIAL), case("O4", PATIENT_3, "2026-03-01", SELF_PAY),
                     case("O5", PATIENT_1, "2026-03-09", COMMERCIAL)])
        s.assign_dx("O1", "I50.9"); s.assign_dx("O1", "I11.0", 0)
        s.set_poa("O1", "I11.0", "Y")
        s.add_procedure("O1", "02HV33Z")
        s.set_status("O1", "coded")
        s.assign_dx("O2", "M17.12")
        s.add_line("O2", ServiceLine("20610", modifiers=["RT"], units=1, pointers=["A"]))  # fee schedule
        s.add_line("O2", ServiceLine("99213", modifiers=["25"], charge=120, pointers=["A"]))
        s.set_status("O2", "coded")
        s.mark_exported(["O2"], "B0007", "batch-0007.x12")
        s.set_status("O2", "in_progress")  # reopened
        s.assign_dx("O2", "Z79.899")
        s.set_status("O2", "coded")
        s.assign_dx("O3", "J06.9")  # date of service in the future: field.dos_future
        s.add_line("O3", ServiceLine("99212", charge=80, pointers=["A"]))
        s.assign_dx("O4", "R51.9")
        s.add_line("O4", ServiceLine("99211", pointers=["A"]))  # not in the fee schedule: the default charge
        s.add_line("O4", ServiceLine("99212", charge=50, pointers=["A"], date=future))  # line.date_future
        q = s.add_query("O4", "Please clarify the type of headache.", "Note: 'headache for 3 days'",
                        ["Tension-type headache", "Migraine"])
        s.withdraw_query("O4", q.query_id)
        # O5: imported, never worked
    return path


def _rows(folder: Path) -> dict[str, list[bytes]]:
    out: dict[str, list[bytes]] = defaultdict(list)
    for p in folder.glob("*.json"):
        out[p.stem] = [orjson.dumps(row, option=orjson.OPT_SORT_KEYS) for row in orjson.loads(p.read_bytes())]
    return dict(out)


def _both(store_path: Path, tmp: Path, tag: str) -> tuple[dict, dict, dict, dict[str, int]]:
    key = ex.salt()
    reg, chapters = ex.registry(), ex._Chapters()
    got = {}
    stats: dict[str, int] = {}
    for kind in ("reference", "cold", "warm"):
        folder = tmp / f"{tag}-{kind}"
        folder.mkdir()
        rows = ex.Rows(folder)
        with SessionStore.open(store_path, create=False, readonly=True) as store:
            if kind == "reference":
                reference_rows_of_store(store, store_path.stem, rows, key, reg, chapters)
            else:
                ex.rows_of_store(store, store_path.stem, rows, key, reg, chapters, stats=stats)
        rows.close()
        got[kind] = _rows(folder)
    return got["reference"], got["cold"], got["warm"], stats


def _assert_same(reference: dict, other: dict) -> None:
    assert set(reference) == set(other)
    for table in reference:
        assert sorted(other[table]) == sorted(reference[table]), table
        assert other[table] == reference[table], f"{table}: same rows, other order"


def test_fast_rows_equal_the_reference_rows(stores: Stores, tmp_path: Path) -> None:
    odd = _odd_store(stores.folder)
    for path in (stores.a, stores.b, stores.empty, odd):
        reference, cold, warm, stats = _both(path, tmp_path, path.stem)
        _assert_same(reference, cold)
        _assert_same(reference, warm)
        coded = sum(1 for r in reference.get("cases", []) if orjson.loads(r)["scrubbed"])
        assert stats.get("scrubbed", 0) == coded and stats.get("cache_hits", 0) == coded
    reference, *_ = _both(odd, tmp_path, "odd-again")
    edits = {(orjson.loads(r)["case_id"], orjson.loads(r)["edit_id"]) for r in reference["edits"]}
    assert ("O3", "field.dos_future") in edits and ("O2", "field.dos_future") not in edits
    assert ("O4", "line.date_future") in edits
    assert {orjson.loads(r)["charge_source"] for r in reference["lines"]} >= {"line", "fee_schedule"}
    assert [orjson.loads(r)["code"] for r in reference["procedures"]] == ["02HV33Z"]


@pytest.mark.slow
def test_fast_rows_equal_the_reference_rows_on_benchmark_stores(tmp_path: Path) -> None:
    fabricate = runpy.run_path(str(ROOT / "benchmarks" / "report.py"))["fabricate"]
    folder = tmp_path / "bench"
    folder.mkdir(mode=0o700)
    fabricate(folder, 600, 2)
    for path in sorted(folder.glob("*.json")):
        reference, cold, warm, stats = _both(path, tmp_path, path.stem)
        _assert_same(reference, cold)
        _assert_same(reference, warm)
        assert len(reference["cases"]) == 300 and stats["cache_hits"] == stats["scrubbed"] == 300


@pytest.mark.slow  # two spawned processes import the package and load the books
def test_the_pool_writes_the_same_tables_as_one_process(stores: Stores) -> None:
    def tables(con) -> dict[str, list[tuple]]:
        return {t: con.execute(f"SELECT * FROM all_{t} ORDER BY ALL").fetchall() for t in (*ex.TABLES, *ex.REFERENCE_TABLES)}

    paths = [stores.a, stores.b, stores.empty]
    one, r1 = ex.load_connection(paths, include_default=False, jobs=1)
    two, r2 = ex.load_connection(paths, include_default=False, jobs=2)
    assert tables(two) == tables(one) and r2.counts == r1.counts and r2.stores == r1.stores


def test_today_is_read_by_the_scrubber_only_for_the_future_date_check() -> None:
    """The edit cache keys a case by whether its date of service is after today, not by the day,
    so a cached entry stays right on later days. That holds while `field.dos_future` is the only
    rule that reads the clock: this test stops a new one from slipping in unseen."""
    uses = []
    for p in sorted((ROOT / "workstation" / "billing").rglob("*.py")):
        for n, line in enumerate(p.read_text().splitlines(), 1):
            if re.search(r"\btoday\b|date\.today|datetime\.now|time\.time\(", line) and not line.lstrip().startswith("#"):
                uses.append(f"{p.relative_to(ROOT)}:{line.strip()}")
    reads = [u for u in uses if "ctx.today" in u or ".today()" in u or "now" in u or "time.time(" in u]
    assert reads == [
        "workstation/billing/edits/fields.py:elif dos > ctx.today:",
        "workstation/billing/edits/lines.py:if day > ctx.today.isoformat() and day != ctx.claim.date_of_service:"
        "  # a future DOS is field.dos_future",
        "workstation/billing/edits/model.py:return Date.fromisoformat(self.today_override) if self.today_override else Date.today()",
    ], reads


def test_case_digest_changes_with_the_record_the_work_and_the_future_flag() -> None:
    rec, work = {"case_id": "X1", "patient": {"last": "a"}}, {"diagnoses": ["I10"]}
    d = ex.case_digest(rec, work, [False, False])
    assert d == ex.case_digest(dict(rec), dict(work), [False, False])
    assert len({d, ex.case_digest(rec, work, [True, False]), ex.case_digest(rec, work, [False, True]),
                ex.case_digest(rec, None, [False, False]),
                ex.case_digest({**rec, "patient": {"last": "b"}}, work, [False, False])}) == 5
