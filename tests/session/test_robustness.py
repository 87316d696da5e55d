"""Issue 20: no work lost or misdirected: the lock race, the export window, damaged files, salvage."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import zlib
from pathlib import Path

import orjson
import pytest

from workstation.session import lock as lock_mod
from workstation.session.store import SessionStore, StoreLocked, StorePermissionError

RACE = Path(__file__).with_name("race_driver.py")


def _race(store_path: Path, rounds: int, racers: int, seed: int) -> dict:
    store_path.parent.mkdir(mode=0o700, exist_ok=True)
    out = subprocess.run([sys.executable, str(RACE), str(store_path), str(rounds), str(racers), str(seed)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return orjson.loads(out.stdout)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_racers_on_a_stale_lock_one_at_a_time_and_nothing_lost(store_path):
    """Four writers find a dead writer's lock at the same moment: exactly one gets in at a time,
    the others wait their turn, and every acknowledged change is saved."""
    report = _race(store_path, 6, 4, 1)
    assert report["errors"] == [] and report["doubles"] == 0 and report["lost"] == 0
    assert report["acked"] == 6 * (4 + 1) * 3  # nobody refused: each waited for the one before


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_lock_race_many_rounds(store_path):
    report = _race(store_path, 60, 6, 2)
    assert report["errors"] == [] and report["doubles"] == 0 and report["lost"] == 0


def test_a_second_writer_waits_a_stated_time_then_refuses(store, monkeypatch):
    monkeypatch.setattr(lock_mod, "WAIT_SECONDS", 0.6)
    t = time.monotonic()
    with pytest.raises(StoreLocked, match=r"waited 1 s"):
        SessionStore.open(store.path)
    assert time.monotonic() - t >= 0.6


def test_a_second_writer_gets_the_store_once_the_first_closes(store, monkeypatch):
    import threading

    monkeypatch.setattr(lock_mod, "WAIT_SECONDS", 5)
    threading.Timer(0.3, store.close).start()
    with SessionStore.open(store.path) as again:
        assert again.case_ids() == ["CASE-001", "CASE-002", "CASE-003"]


def test_lock_file_of_another_mode_is_refused(store):
    store.close()
    store.lock_path.write_bytes(b"")
    os.chmod(store.lock_path, 0o666)
    with pytest.raises(StorePermissionError, match="other users can write it"):
        SessionStore.open(store.path)


# ---------------------------------------------------------------- export exactly once

EXPORT = Path(__file__).with_name("export_driver.py")


def _driver(*args: str, fault: str = "", env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    env.pop("WORKSTATION_FAULT", None)
    if fault:
        env["WORKSTATION_FAULT"] = fault
    return subprocess.run([sys.executable, str(EXPORT), *args], capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture(scope="module")
def export_template(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("export-template") / "store"
    d.mkdir(mode=0o700)
    out = _driver("setup", str(d / "s.json"))
    assert out.returncode == 0, out.stderr
    return d


def _points(template: Path, tmp: Path) -> list[str]:
    """Every fault point the export passes, as NAME:N (the Nth time it is reached)."""
    work = tmp / "list"
    import shutil

    shutil.copytree(template, work / "store")
    out = _driver("export", str(work / "store" / "s.json"), str(work / "out" / "a.837"), fault="list")
    assert out.returncode == 0, out.stderr
    seen: dict[str, int] = {}
    points = []
    for line in out.stderr.splitlines():
        if line.startswith("fault-point "):
            name = line.split()[1]
            seen[name] = seen.get(name, 0) + 1
            points.append(f"{name}:{seen[name]}")
    return points


def _kill_round(template: Path, tmp: Path, fault: str) -> dict:
    import shutil

    work = tmp / fault.replace(":", "-")
    shutil.copytree(template, work / "store")
    store, out, again = work / "store" / "s.json", work / "out" / "a.837", work / "out" / "b.837"
    run = _driver("export", str(store), str(out), fault=fault)
    assert run.returncode == -9, (fault, run.returncode, run.stdout, run.stderr)
    res = _driver("check", str(store), str(out), str(again))
    assert res.returncode == 0, res.stderr
    report = orjson.loads(res.stdout)
    # Exactly once: each claim is in exactly one file, and the cases say which batch holds them.
    assert sum(report["files"].values()) == 2, (fault, report)
    for w in report["work"].values():
        assert w["status"] == "exported" and len(w["batches"]) == 1, (fault, report)
    assert report["pending"] == {} or report["settled"], (fault, report)
    leftovers = [p.name for p in work.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == [], (fault, leftovers)
    return report


def test_export_killed_at_the_critical_writes_bills_each_claim_once(export_template, tmp_path):
    points = _points(export_template, tmp_path)
    assert {"export.synced:1", "export.linked:1"} <= set(points)
    # The file in place, the cases not yet marked: the window that billed claims twice. Every other
    # write point is killed in the slow test below.
    report = _kill_round(export_template, tmp_path, "export.linked:1")
    assert report["settled"] and "marked exported" in report["settled"][0]


@pytest.mark.slow
def test_export_killed_at_every_write_bills_each_claim_once(export_template, tmp_path):
    points = _points(export_template, tmp_path)
    assert len(points) > 10
    for fault in points:
        _kill_round(export_template, tmp_path, fault)


def test_export_on_a_full_disk_ends_with_a_message_and_marks_nothing(session_for_export, tmp_path, monkeypatch):
    import errno

    from workstation.export import batch

    real = os.write

    def full(fd, data):
        if os.fstat(fd).st_nlink == 0:  # the unnamed claim file
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd, data)

    monkeypatch.setattr(os, "write", full)
    out = tmp_path / "out" / "a.837"
    with pytest.raises(batch.ExportError, match="disk is full; nothing was exported"):
        batch.run_export(session_for_export, "837p", out, check_codes=False)
    assert not out.exists() and not list(out.parent.iterdir())
    assert session_for_export.pending_exports() == {}
    assert {session_for_export.work(c).status for c in ("KILL-0001", "KILL-0002")} == {"coded"}


def test_export_whose_marking_cannot_be_saved_is_settled_on_next_open(session_for_export, tmp_path, monkeypatch):
    import errno

    from workstation.export import batch
    from workstation.session import storage

    real = storage.Journal.append
    state = {"armed": False}

    def append(self, data):
        if state["armed"] and b"mark_exported" in data:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(storage.Journal, "append", append)
    state["armed"] = True
    out = tmp_path / "out" / "a.837"
    with pytest.raises(batch.ExportError, match="was written.*next time this session is opened") as err:
        batch.run_export(session_for_export, "837p", out, check_codes=False)
    assert "kept in memory" not in str(err.value)
    assert out.exists() and session_for_export.pending == []
    path = session_for_export.path
    session_for_export._release()  # the process ends here (its journal holds the intent)
    state["armed"] = False
    with SessionStore.open(path) as again:
        assert again.settled and again.pending_exports() == {}
        assert {again.work(c).status for c in ("KILL-0001", "KILL-0002")} == {"exported"}
        with pytest.raises(batch.NothingToExport):
            batch.run_export(again, "837p", tmp_path / "out" / "b.837", check_codes=False)


@pytest.fixture
def session_for_export(tmp_path):
    sys.path.insert(0, str(EXPORT.parent))
    import export_driver

    p = tmp_path / "store" / "s.json"
    export_driver.setup(str(p))
    s = SessionStore.open(p)
    yield s
    if not s.closed:
        s.close()


# ---------------------------------------------------------------- work keyed by case id, checksums

def _cases_v1(path: Path, drop: str) -> None:
    """Rewrite the cases file in the first format (no checksum) without case DROP."""
    doc = orjson.loads(path.read_bytes())
    doc.pop("checksum")
    doc["version"] = 1
    doc["cases"] = [row[4] for row in doc["cases"] if row[3] != drop]  # format 3 rows: [crc, table, key, id, case]
    path.write_bytes(orjson.dumps(doc))


def _tables(path: Path) -> dict:
    """{table: {key: record}} of a format-3 document."""
    doc: dict = {}
    for _crc, table, key, _cid, rec in orjson.loads(path.read_bytes())["records"]:
        doc.setdefault(table, {})[key] = rec
    return doc


def _write_v3(path: Path, doc: dict) -> None:
    """Write DOC in format 3 with every checksum good, whatever its shape (a table that is not a
    set of records becomes a line of the wrong shape)."""
    from workstation.session import storage

    lines = []
    for name, table in doc.items():
        if not isinstance(table, dict):
            body = storage.dumps([name, table])[1:-1]
            lines.append(b'["%08x",' % zlib.crc32(body) + body + b"]")
            continue
        lines.extend(storage.record_line(name, k, r.get("case_id") if isinstance(r, dict) and name != "meta" else None, r)
                     for k, r in table.items())
    path.write_bytes(storage.lines_bytes(storage.FORMAT, "records", lines))


def _write_v2(store_path: Path, cases_path: Path) -> None:
    """Rewrite a closed store's document and cases file in format 2 (one checksum table per file)."""
    from workstation.session import storage

    doc = _tables(store_path)
    doc["meta"]["1"]["version"] = 2
    out, crcs = [], {}
    for name, table in doc.items():
        rows = []
        for key, rec in table.items():
            line = storage.dumps(str(key)) + b":" + storage.dumps(rec)
            crcs[f"{name}/{key}"] = "%08x" % zlib.crc32(line)
            rows.append(line)
        out.append(storage.dumps(name) + b":{\n" + b",\n".join(rows) + b"\n}")
    out.append(b'"crcs":' + storage.dumps(crcs))
    store_path.write_bytes(storage.with_checksum(b"{" + b",\n".join(out) + b"}"))
    lines = [storage.dumps(row[4]) for row in orjson.loads(cases_path.read_bytes())["cases"]]
    head = b'{"format":"workstation-cases","version":2,"cases":[\n'
    cases_path.write_bytes(storage.with_checksum(head + b",\n".join(lines) + b"\n],\n\"crcs\":"
                                                 + storage.dumps(["%08x" % zlib.crc32(l) for l in lines]) + b"}"))


@pytest.mark.parametrize("compacted", [False, True])
def test_a_case_lost_from_the_cases_file_never_shifts_work_to_another_case(store, compacted):
    from workstation.session.store import StoreCorrupt

    store.set_notes("CASE-002", "note of two")
    store.set_notes("CASE-003", "note of three")
    if compacted:
        store.compact()
    path = store.path
    store.close()
    _cases_v1(store.cases_path, "CASE-001")
    with pytest.raises(StoreCorrupt, match="cases") as err:
        SessionStore.open(path)
    assert "sessions repair" in str(err.value) and err.value.moved


def test_a_flipped_byte_in_a_file_that_still_parses_is_caught_by_its_checksum(store):
    from workstation.session.store import StoreCorrupt

    store.set_notes("CASE-001", "a note")
    store.close()  # compacts: the note is in s.json now
    data = store.path.read_bytes()
    assert b"a note" in data
    store.path.write_bytes(data.replace(b"a note", b"a nope"))
    with pytest.raises(StoreCorrupt, match="checksum mismatch"):
        SessionStore.open(store.path)


@pytest.mark.parametrize("damage", [
    lambda d: d["work"].__setitem__("1", ["not", "a", "record"]),
    lambda d: d["meta"]["1"].__setitem__("seq", "many"),
    lambda d: d["audit"].__setitem__("1", {"case_id": "CASE-001", "entries": "x"}),
    lambda d: d.__setitem__("extra", []),
    lambda d: d.__setitem__("extra", {"1": "not a record"}),
])
def test_valid_json_of_the_wrong_shape_is_corrupt_not_a_traceback(store, damage):
    from workstation.session import storage
    from workstation.session.store import StoreCorrupt

    store.set_notes("CASE-001", "a note")
    store.close()
    doc = _tables(store.path)
    damage(doc)
    _write_v3(store.path, doc)  # good checksums over a bad shape
    with pytest.raises(StoreCorrupt) as err:
        SessionStore.open(store.path)
    assert err.value.moved and all(m.exists() for m in err.value.moved)
    with SessionStore.open(store.path) as again:  # salvaged: never the bad shape, never a traceback
        assert again.case_ids() == ["CASE-001", "CASE-002", "CASE-003"]


def test_two_move_asides_in_the_same_second_never_overwrite_each_other(store):
    from workstation.session.store import StoreCorrupt

    store.close()
    moved = []
    for _ in range(2):
        store.path.write_bytes(b"{ damaged")
        with pytest.raises(StoreCorrupt) as err:
            SessionStore.open(store.path)
        moved.extend(err.value.moved)
    assert len(set(moved)) == len(moved) and all(m.exists() for m in moved)


# ---------------------------------------------------------------- salvage

def _coded_store(store, n_changes: int = 14) -> None:
    for i in range(n_changes):
        store.set_notes(f"CASE-00{1 + i % 3}", f"note {i}")


@pytest.mark.parametrize("where", ["document", "journal", "cases"])
def test_one_flipped_byte_loses_one_record_not_the_store(store, where, capsys):
    from workstation.cli import main
    from workstation.session.store import StoreCorrupt

    _coded_store(store)
    store.set_setting("payer_note", "kept")
    if where != "journal":
        store.compact()  # the changes are in the document now
        store.set_notes("CASE-001", "after compaction")  # and one in the journal
    path = store.path
    store._release()  # as after a crash: no compaction on the way out
    target = {"document": store.path, "journal": store.journal_path, "cases": store.cases_path}[where]
    data = bytearray(target.read_bytes())
    at = data.find(b"CASE-002") + 2 if where == "cases" else data.find(b"note 4") + 5
    data[at] ^= 0x01
    target.write_bytes(bytes(data))
    with pytest.raises(StoreCorrupt) as err:
        SessionStore.open(path)
    moved = err.value.moved
    out = path.with_name("repaired.json")
    rc = main(["sessions", "repair", str(moved[0]), "--out", str(out)])
    report = capsys.readouterr().out
    assert rc == 1, report
    if where == "cases":  # the damaged case; its work cannot be shown without it, and says so
        assert "dropped 3" in report and "case record 2 (apparently of case CARE-002)" in report, report
        assert "work of case CASE-002: its case record was not recovered" in report
    else:
        assert "dropped 1 damaged" in report, report
    with SessionStore.open(out) as r:
        assert r.settings()["payer_note"] == "kept"
        notes = {cid: r.work(cid).notes for cid in r.case_ids()}
        if where == "cases":
            assert r.case_ids() == ["CASE-001", "CASE-003"]  # the damaged case only
            assert notes["CASE-003"] == "note 11"  # and nobody else's work moved onto its neighbour
        else:
            assert r.case_ids() == ["CASE-001", "CASE-002", "CASE-003"]
            assert notes["CASE-003"] == "note 11" and notes["CASE-002"] in ("note 13", "note 10")
        assert len(r.audit()) > 10


def test_repair_of_an_undamaged_store_keeps_everything(store, capsys):
    from workstation.cli import main

    _coded_store(store)
    before = {cid: store.work(cid).to_dict() for cid in store.case_ids()}
    audit = store.audit()
    store.close()
    out = store.path.with_name("copy.json")
    assert main(["sessions", "repair", str(store.path), "--out", str(out)]) == 0
    assert "nothing was dropped" in capsys.readouterr().out
    with SessionStore.open(out) as r:
        assert {cid: r.work(cid).to_dict() for cid in r.case_ids()} == before
        assert r.audit() == audit


def test_repair_refuses_a_store_in_use(store, capsys):
    from workstation.cli import main

    assert main(["sessions", "repair", str(store.path), "--out", str(store.path.with_name("x.json"))]) == 2
    assert "open in another workstation" in capsys.readouterr().err


# ---------------------------------------------------------------- shared folders

@pytest.mark.skipif(os.getuid() != 0, reason="giving a file to another user needs root")
@pytest.mark.parametrize("which", ["path", "journal_path", "lock_path"])
def test_a_store_file_of_another_user_is_refused(store, which):
    store.close()
    target = getattr(store, which)
    target.touch(mode=0o600)
    os.chown(target, 1, 1)
    with pytest.raises(StorePermissionError, match="another user"):
        SessionStore.open(store.path)


def test_folders_are_created_private_whatever_the_umask(tmp_path):
    import stat

    old = os.umask(0)
    try:
        with SessionStore.open(tmp_path / "a" / "b" / "s.json"):
            pass
    finally:
        os.umask(old)
    for d in (tmp_path / "a", tmp_path / "a" / "b"):
        assert stat.S_IMODE(d.stat().st_mode) == 0o700


def test_a_damaged_last_journal_record_is_reported_not_dropped_as_a_tear(store):
    from workstation.session.store import StoreCorrupt

    store.set_notes("CASE-001", "first")
    store.set_notes("CASE-001", "the last saved change")
    store._release()
    data = bytearray(store.journal_path.read_bytes())
    data[data.rfind(b"the last saved") + 4] ^= 0x01  # complete record, bad checksum
    store.journal_path.write_bytes(bytes(data))
    with pytest.raises(StoreCorrupt, match="checksum mismatch"):
        SessionStore.open(store.path)


def test_a_torn_last_append_is_still_dropped_quietly(store):
    store.set_notes("CASE-001", "first")
    store._release()
    with open(store.journal_path, "ab") as f:
        f.write(b"00000040 1234abcd {\"seq\": 9")  # cut short by a crash: never acknowledged
    with SessionStore.open(store.path) as again:
        assert again.work("CASE-001").notes == "first"


@pytest.mark.slow
def test_fault_benchmark_runs_and_loses_nothing():
    bench = Path(__file__).resolve().parents[2] / "benchmarks" / "faults.py"
    env = dict(os.environ, PYTHONPATH=str(bench.parents[1]))
    out = subprocess.run([sys.executable, str(bench), "--seconds", "16"], capture_output=True, text=True,
                         env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert len(lines) == 4 and " 0 lost" in lines[0] and "0 claims lost  0 billed twice  0 temp" in lines[1]
    assert "0 lost  0 two writers" in lines[2] and " 0 tracebacks " in lines[3]
    # Every record line checks itself (format 3): no acknowledged change is lost except the one
    # record the flip hit, that one is reported, and never is a case shown with another's work.
    assert " 0 changes lost beyond the damaged record  0 damaged records not reported  " in lines[3], lines[3]
    assert " 0 cases showing another case's work  0 changes dropped silently" in lines[3], lines[3]


def test_cli_on_a_full_disk_never_says_kept_in_memory(store, monkeypatch, capsys):
    import errno

    from workstation.cli import main
    from workstation.session import storage

    path = store.path
    store.close()

    def full(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage.Journal, "append", full)
    assert main(["code", "--session", str(path), "CASE-001", "--note", "x"]) == 2
    err = capsys.readouterr().err
    assert "the disk is full" in err and "not saved" in err and "kept in memory" not in err
    assert not Path(f"{path}.lock").exists()


def test_sessions_show_docs_prints_no_escape_sequences(store_path, capsys):
    from workstation.cases.model import Case, Document, Encounter, Person
    from workstation.cli import main

    with SessionStore.open(store_path) as s:
        s.add_cases([Case("ESC-1", Person("Ann", "\x1b[31mRed\x1b]0;title\x07", dob="1960-01-01"),
                          Encounter("office", "2026-03-02"), documents=[Document("Note", "Seen \x1b[2J here")],
                          source="t", source_key="esc1")])
    assert main(["sessions", "show", str(store_path), "--docs"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "Seen [2J here" in out


def test_the_open_itself_salvages_a_damaged_store_and_says_what_it_dropped(store):
    from workstation.session.store import StoreCorrupt

    _coded_store(store)  # 14 acknowledged changes, in the journal
    store._release()
    data = bytearray(store.journal_path.read_bytes())
    data[data.find(b"note 4") + 5] ^= 0x01
    store.journal_path.write_bytes(bytes(data))
    with pytest.raises(StoreCorrupt, match=r"recovered into .*dropped 1: 1 journal record") as err:
        SessionStore.open(store.path)
    assert len(err.value.moved) == 3
    with SessionStore.open(store.path) as again:  # 13 of the 14 changes, each on its own case
        entries = [e for e in again.audit() if e["action"] == "set_notes"]
        assert len(entries) == 13 and "note 4" not in {e["after"] for e in entries}
        assert again.work("CASE-003").notes == "note 11" and again.work("CASE-002").notes == "note 13"


# ---------------------------------------------------------------- self-checking record lines (format 3)

def _flip_points(data: bytes) -> list[int]:
    """The bytes a record's placement hangs on: each line's opening (checksum, table, key, case id),
    each newline, and the file's head and tail."""
    points = set(range(0, min(60, len(data)), 3)) | set(range(max(0, len(data) - 30), len(data), 3))
    for i, b in enumerate(data):
        if b == 0x0A:
            points.update({i, i - 1, i - 2})
            points.update(range(i + 1, min(len(data), i + 36), 3))
    return sorted(points)


@pytest.mark.slow
def test_a_flip_on_any_line_opening_newline_head_or_tail_costs_at_most_the_one_record(store, tmp_path):
    """Format 3 keeps no checksum table and no table headings: nothing vouches for another record,
    so a flip there (which cost every record after it in format 2) costs at most the record hit."""
    from workstation.session.repair import repair

    for i, cid in enumerate(store.case_ids()):
        store.set_notes(cid, f"note of {cid}")
        store.set_setting(f"k{i}", i)
    store.compact()
    store.set_notes("CASE-003", "note in the journal")
    want = {"CASE-001": "note of CASE-001", "CASE-002": "note of CASE-002", "CASE-003": "note in the journal"}
    store._release()
    files = {p: p.read_bytes() for p in (store.path, store.journal_path, store.cases_path)}
    rounds = 0
    for target, original in files.items():
        for at in _flip_points(original):
            for bit in ((0, 1) if original[at] == 0x0A else (at % 8,)):  # 0x0a -> 0x0b or 0x08
                rounds += 1
                d = tmp_path / f"r{rounds}"
                d.mkdir(mode=0o700)
                for p, data in files.items():
                    (d / p.name).write_bytes(data)
                damaged = bytearray(original)
                damaged[at] ^= 1 << bit
                (d / target.name).write_bytes(bytes(damaged))
                report = repair(d / store.path.name, d / "out.json")
                with SessionStore.open(d / "out.json", readonly=True) as r:
                    have = {c: r.work(c).notes for c in r.case_ids()}
                    settings = r.settings()
                missing = [c for c, n in want.items() if have.get(c) != n]
                lost_settings = [k for k in ("k0", "k1", "k2") if k not in settings]
                where = f"{target.name} byte {at} bit {bit}"
                assert len(missing) + bool(lost_settings) <= 1, where
                # an older note of its own when the journal record is the one hit; never another case's work
                assert all(n in (want.get(c), f"note of {c}", "") for c, n in have.items()), where
                if missing or lost_settings:
                    assert report.dropped, where  # and the one lost is reported
    assert rounds > 100


def test_a_format_2_store_opens_and_is_rewritten_in_format_3_on_the_next_write(store):
    store.set_notes("CASE-002", "kept from format 2")
    store.close()
    _write_v2(store.path, store.cases_path)
    assert b'"crcs":' in store.path.read_bytes() and b'"crcs":' in store.cases_path.read_bytes()
    with SessionStore.open(store.path) as again:
        assert again.work("CASE-002").notes == "kept from format 2"
        assert again.case_ids() == ["CASE-001", "CASE-002", "CASE-003"]
        again.set_notes("CASE-001", "new")
    for p in (store.path, store.cases_path):
        raw = p.read_bytes()
        assert b'"crcs":' not in raw and b'"version":3' in raw.split(b"\n")[0]
    with SessionStore.open(store.path, readonly=True) as r:
        assert r.work("CASE-002").notes == "kept from format 2" and r.work("CASE-001").notes == "new"


def test_a_format_2_store_damaged_is_still_salvaged(store, capsys):
    from workstation.cli import main

    store.set_notes("CASE-002", "kept from format 2")
    store.close()
    _write_v2(store.path, store.cases_path)
    data = bytearray(store.path.read_bytes())
    data[data.find(b"kept from") + 2] ^= 0x01
    store.path.write_bytes(bytes(data))
    out = store.path.with_name("fixed.json")
    assert main(["sessions", "repair", str(store.path), "--out", str(out)]) == 1
    assert "work record" in capsys.readouterr().out
    with SessionStore.open(out, readonly=True) as r:
        assert r.case_ids() == ["CASE-001", "CASE-002", "CASE-003"]


def test_a_flip_that_makes_the_header_say_a_newer_version_is_damage_not_a_newer_store(store):
    from workstation.session.store import StoreCorrupt

    store.set_notes("CASE-001", "kept")
    store.close()
    data = store.path.read_bytes()
    assert data.startswith(b'{"format":"workstation-session","version":3,')
    store.path.write_bytes(data.replace(b'"version":3,', b'"version":7,', 1))  # 0x33 -> 0x37: one bit
    with pytest.raises(StoreCorrupt, match="header is damaged"):
        SessionStore.open(store.path)
    with SessionStore.open(store.path) as again:  # salvaged: every record line held
        assert again.work("CASE-001").notes == "kept"


def test_a_store_of_a_newer_version_is_refused_and_left_alone(store):
    from workstation.session.store import StoreError

    store.close()
    doc = _tables(store.path)
    doc["meta"]["1"]["version"] = 9
    _write_v3(store.path, doc)
    raw = store.path.read_bytes().replace(b'"version":3,', b'"version":9,', 1)
    from workstation.session import storage

    body = raw[:raw.rfind(b',"checksum"')] + b"}"
    store.path.write_bytes(storage.with_checksum(body))  # a good checksum: truly written so
    before = store.path.read_bytes()
    with pytest.raises(StoreError, match="newer version"):
        SessionStore.open(store.path)
    assert store.path.read_bytes() == before and not list(store.path.parent.glob("*.corrupt-*"))
