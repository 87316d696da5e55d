"""Driver for the export kill-injection tests (test_robustness.py, benchmarks/faults.py).

    python export_driver.py setup STORE          a store with two clean claims and a self-pay case
    python export_driver.py export STORE OUT     run the 837P export (WORKSTATION_FAULT may kill it)
    python export_driver.py check STORE OUT AGAIN  reopen (settling an interrupted export), export
                                                 again to AGAIN, print as JSON each case's status
                                                 and batches and how many claims each file holds

Synthetic patients only.
"""
from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.export.conftest import DX, make_case  # noqa: E402
from workstation.export.batch import ExportError, run_export  # noqa: E402
from workstation.session.store import SessionStore  # noqa: E402
from workstation.session.work import ServiceLine  # noqa: E402

IDS = ["KILL-0001", "KILL-0002"]


def setup(store_path: str) -> None:
    with SessionStore.open(store_path) as store:
        store.add_cases([make_case(c) for c in IDS] + [make_case("KILL-0003", self_pay=True)])
        for cid in IDS:
            for code in DX[:2]:
                store.assign_dx(cid, code)
            store.add_line(cid, ServiceLine("99214", [], 1, Decimal("185.00"), ["A", "B"]))
            store.set_status(cid, "coded")


def export(store_path: str, out: str) -> int:
    try:
        with SessionStore.open(store_path) as store:
            run_export(store, "837p", Path(out), check_codes=False)
    except ExportError as exc:
        print(f"export error: {exc}")
        return 1
    print("exported")
    return 0


def check(store_path: str, out: str, again: str) -> None:
    """Reopen (settling), report, then export once more to AGAIN: every claim must go out once."""
    with SessionStore.open(store_path) as store:
        settled = store.settled
        pending = store.pending_exports()
        try:
            run_export(store, "837p", Path(again), check_codes=False)
        except ExportError:
            pass
        work = {cid: {"status": store.work(cid).status, "batches": [e["batch"] for e in store.work(cid).exports]}
                for cid in IDS}
    files = {o: Path(o).read_text().count("CLM*") for o in (out, again) if Path(o).exists()}
    print(orjson.dumps({"work": work, "files": files, "pending": pending, "settled": settled}).decode())


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "setup":
        setup(sys.argv[2])
    elif cmd == "export":
        raise SystemExit(export(sys.argv[2], sys.argv[3]))
    else:
        check(sys.argv[2], sys.argv[3], sys.argv[4])
