"""The extract: known totals, de-identification, Parquet by month, private files, stores that cannot be read."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import duckdb
import pytest

from workstation.analytics import extract as ex
from workstation.session.store import SessionStore

from tests.analytics.conftest import SECRETS, Stores


def _counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM all_{t}").fetchone()[0] for t in ex.TABLES}


def test_known_totals(stores: Stores) -> None:
    con, result = ex.load_connection([stores.folder], include_default=False)
    assert result.skipped == []
    assert sorted(Path(p).name for p in result.stores) == ["store_a.json", "store_b.json", "store_empty.json"]
    counts = _counts(con)
    assert counts["cases"] == 8
    assert counts["diagnoses"] == 10
    assert counts["lines"] == 7
    assert counts["queries"] == 2
    assert counts["procedures"] == 0
    per_store = dict(con.execute("SELECT store, count(*) FROM all_cases GROUP BY store").fetchall())
    assert per_store == {"store_a": 5, "store_b": 3}
    # The same patient in A1 and A3 has one key; different patients differ.
    keys = dict(con.execute("SELECT case_id, patient_key FROM all_cases").fetchall())
    assert keys["A1"] == keys["A3"] and keys["A1"] != keys["A2"]
    row = con.execute("SELECT age_band, sex, zip3, payer, coder, status, code_year, month FROM all_cases "
                      "WHERE case_id = 'A1'").fetchone()
    assert row == ("75-79", "F", "441", "Medicare Part B", "alice", "coded", 2026, "2026-01")
    assert con.execute("SELECT zip3 FROM all_cases WHERE case_id = 'A2'").fetchone()[0] == "000"  # 036: small area
    assert con.execute("SELECT age_band FROM all_cases WHERE case_id = 'B1'").fetchone()[0] == "85-89"
    assert con.execute("SELECT payer, self_pay FROM all_cases WHERE case_id = 'A4'").fetchone() == ("self-pay", True)
    assert con.execute("SELECT sum(total_charge) FROM all_cases").fetchone()[0] == 930
    chapter = con.execute("SELECT chapter, block FROM all_diagnoses WHERE code = 'C50.911' LIMIT 1").fetchone()
    assert chapter == ("Chapter 2", "C50")


def test_age_bands_and_zip3() -> None:
    assert ex.age_band("1936-05-01", "2026-05-01") == "90+"
    assert ex.age_band("1936-05-02", "2026-05-01") == "85-89"
    assert ex.age_band("2026-01-01", "2026-01-02") == "00-04"
    assert ex.age_band("", "2026-01-02") == "unknown"
    assert ex.zip3("44101-1234") == "441" and ex.zip3("05901") == "000" and ex.zip3("441") == ""


def test_parquet_by_month_private_and_deidentified(stores: Stores, tmp_path: Path) -> None:
    out = tmp_path / "extract"
    result = ex.extract_to_parquet(out, [stores.folder], include_default=False)
    assert result.counts["cases"] == 8
    months = sorted(p.name for p in (out / "cases").iterdir())
    assert months == ["month=2025-03", "month=2025-11", "month=2026-01", "month=2026-02", "month=2026-03"]
    for root, dirs, files in os.walk(out):
        assert stat.S_IMODE(os.stat(root).st_mode) == 0o700
        for f in files:
            assert stat.S_IMODE(os.stat(Path(root) / f).st_mode) == 0o600
    # No patient detail anywhere in the written files.
    blob = b"".join(p.read_bytes() for p in out.rglob("*") if p.is_file())
    for secret in SECRETS:
        assert secret.encode() not in blob, secret
    con = ex.connect_extract(out)
    assert _counts(con)["cases"] == 8
    assert con.execute("SELECT month FROM all_cases WHERE case_id = 'A5'").fetchone()[0] == "2025-03"
    cols = {c for t in ex.TABLES.values() for c in t}
    assert not cols & {"name", "first", "last", "dob", "address", "member_id", "phone", "zip"}


def test_empty_store_is_read(stores: Stores) -> None:
    con, result = ex.load_connection([stores.empty], include_default=False)
    assert [Path(p).name for p in result.stores] == ["store_empty.json"] and not result.skipped
    assert _counts(con)["cases"] == 0


def test_locked_store_is_read_without_touching_the_lock(stores: Stores) -> None:
    writer = SessionStore.open(stores.b)  # another workstation has it open
    try:
        lock = stores.b.with_name(stores.b.name + ".lock")
        before = lock.read_bytes()
        writer.assign_dx("B2", "I10")  # a change still in its journal
        con, result = ex.load_connection([stores.b], include_default=False)
        assert not result.skipped
        assert con.execute("SELECT count(*) FROM all_diagnoses WHERE case_id = 'B2'").fetchone()[0] == 1
        assert lock.read_bytes() == before and writer.lock_holder() is not None
    finally:
        writer.close()


def test_unreadable_stores_are_skipped_and_named(stores: Stores, tmp_path: Path) -> None:
    broken = stores.folder / "broken.json"
    broken.write_bytes(b"{not json")
    broken.chmod(0o600)
    shared = stores.folder / "shared.json"
    shared.write_bytes(stores.empty.read_bytes())
    shared.chmod(0o666)  # others can write it: refused
    con, result = ex.load_connection([stores.folder], include_default=False)
    skipped = {Path(s.path).name: s.reason for s in result.skipped}
    assert set(skipped) == {"broken.json", "shared.json"}
    assert "does not parse" in skipped["broken.json"] and "other users" in skipped["shared.json"]
    assert broken.read_bytes() == b"{not json"  # read-only: nothing moved aside
    assert _counts(con)["cases"] == 8  # the readable stores are all there


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode")
def test_permission_denied_store_is_skipped(stores: Stores) -> None:
    stores.a.chmod(0o000)
    try:
        _, result = ex.load_connection([stores.folder], include_default=False)
    finally:
        stores.a.chmod(0o600)
    assert [Path(s.path).name for s in result.skipped] == ["store_a.json"]


def test_default_stores_come_from_sessions(stores: Stores, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKSTATION_SESSIONS", str(stores.folder))
    assert [p.name for p in ex.default_stores()] == ["store_a.json", "store_b.json", "store_empty.json"]


def test_edit_cache_reuses_unchanged_cases_and_rescrubs_changed_ones(stores: Stores) -> None:
    def edits(con) -> list[tuple]:
        return con.execute("SELECT case_id, edit_id, severity, target FROM all_edits ORDER BY ALL").fetchall()

    con1, _ = ex.load_connection([stores.b], include_default=False)
    cache_files = list((ex.user_data_dir() / "analytics" / "edit-cache").glob("*.json"))
    assert len(cache_files) == 1 and stat.S_IMODE(cache_files[0].stat().st_mode) == 0o600
    con2, _ = ex.load_connection([stores.b], include_default=False)
    assert edits(con2) == edits(con1) and edits(con1)
    with SessionStore.open(stores.b) as s:
        s.assign_dx("B2", "E11.9")
    con3, _ = ex.load_connection([stores.b], include_default=False)
    assert not [e for e in edits(con1) if e[0] == "B2"]
    assert [e for e in edits(con3) if e[0] == "B2"]  # B2 is scrubbed now that it has a code
    assert [e for e in edits(con3) if e[0] != "B2"] == edits(con1)
