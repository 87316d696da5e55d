"""Faults: failed writes, torn and corrupt files, permissions, the one-writer lock."""
from __future__ import annotations

import errno
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

import workstation.session.store as st
from workstation.session import storage
from workstation.session.store import (
    SessionStore,
    StoreCorrupt,
    StoreLocked,
    StorePermissionError,
    StoreWriteError,
)


def _read_only_view(path: Path) -> SessionStore:
    return SessionStore.open(path, readonly=True)


# ---------------------------------------------------------------- failed writes

def test_disk_full_keeps_the_change_pending_and_loses_nothing_saved(store, monkeypatch):
    store.assign_dx("CASE-001", "E11.22")
    real = os.pwrite
    calls = {"n": 0}

    def half_then_enospc(fd, data, offset):
        calls["n"] += 1
        if calls["n"] == 1:  # the first attempt gets half a record onto the disk, then the disk is full
            return real(fd, bytes(data[: len(data) // 2]), offset)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage.os, "pwrite", half_then_enospc)
    with pytest.raises(StoreWriteError, match="disk is full.*kept in memory"):
        store.assign_dx("CASE-001", "N18.31")
    with pytest.raises(StoreWriteError):
        store.set_notes("CASE-001", "second change while the disk is full")
    assert len(store.pending) == 2
    assert store.work("CASE-001").diagnoses == ["E11.22", "N18.31"]  # shown, marked unsaved by `pending`
    with _read_only_view(store.path) as view:  # what a crash now would leave: the saved part, intact
        assert view.work("CASE-001").diagnoses == ["E11.22"]
    monkeypatch.setattr(storage.os, "pwrite", real)
    store.retry()
    assert store.pending == []
    with _read_only_view(store.path) as view:
        w = view.work("CASE-001")
        assert w.diagnoses == ["E11.22", "N18.31"] and w.notes == "second change while the disk is full"


def test_failed_fsync_is_a_failed_write(store, monkeypatch):
    def eio(fd):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(storage.os, "fdatasync", eio)
    with pytest.raises(StoreWriteError, match="input/output error"):
        store.assign_dx("CASE-001", "E11.22")
    with pytest.raises(StoreWriteError):
        store.close()  # refuses to close with unsaved work: the store stays open
    assert not store.closed
    monkeypatch.undo()
    store.close()
    with _read_only_view(store.path) as view:
        assert view.work("CASE-001").diagnoses == ["E11.22"]


def test_read_only_folder_during_compaction_loses_nothing(store, monkeypatch):
    def erofs(*a, **k):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(st, "COMPACT_EVERY", 2)
    monkeypatch.setattr(st, "atomic_write_bytes", erofs)
    for code in ["E11.22", "N18.31", "I10"]:
        store.assign_dx("CASE-001", code)  # the journal append succeeds; compaction fails quietly
    store._lock.release()
    store._journal.close()  # crash
    monkeypatch.undo()
    with SessionStore.open(store.path) as again:
        assert again.work("CASE-001").diagnoses == ["E11.22", "N18.31", "I10"]


# ---------------------------------------------------------------- corruption

def _moved(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}*.corrupt-*"))


def test_unparsable_store_is_moved_aside_never_overwritten(store):
    store.assign_dx("CASE-001", "E11.22")
    store.close()
    garbage = b'{"meta": {"1": {"format": "workstation-sess'
    store.path.write_bytes(garbage)
    with pytest.raises(StoreCorrupt) as err:
        SessionStore.open(store.path)
    msg = str(err.value)
    assert "does not parse" in msg and "moved aside" in msg and "recovered into" in msg
    assert "Patient" not in msg and "1956-04-12" not in msg  # no patient details in messages (a time may hold 1956)
    moved = _moved(store.path)
    assert len(moved) == 3 and set(err.value.moved) == set(moved)
    assert next(m for m in moved if m.name.startswith("s.json.corrupt-")).read_bytes() == garbage
    assert not store.lock_path.exists()
    # What could be salvaged (issue 20) is in its place: the cases; the work was in the damaged document.
    with SessionStore.open(store.path) as fresh:
        assert fresh.case_ids() == ["CASE-001", "CASE-002", "CASE-003"]
        assert fresh.work("CASE-001").diagnoses == []


def test_read_only_open_of_a_corrupt_store_moves_nothing(store):
    store.close()
    store.cases_path.write_bytes(b"\x00\x01 not json")
    with pytest.raises(StoreCorrupt, match="nothing was moved"):
        SessionStore.open(store.path, readonly=True)
    assert _moved(store.path) == []


def test_torn_last_journal_record_is_dropped(store):
    store.assign_dx("CASE-001", "E11.22")
    rec = storage.encode_record({"seq": 99, "ops": [["current", "CASE-001"]]})
    store._lock.release()
    store._journal.close()  # crash, with half a record at the end of the journal:
    with open(store.journal_path, "ab") as f:
        f.write(rec[: len(rec) // 2])
    size = store.journal_path.stat().st_size
    with SessionStore.open(store.path) as again:
        assert again.work("CASE-001").diagnoses == ["E11.22"]
        assert again.current_case() is None
        assert store.journal_path.stat().st_size < size  # the tear is cut off before anything is appended
        again.assign_dx("CASE-001", "I10")
    with _read_only_view(store.path) as view:
        assert view.work("CASE-001").diagnoses == ["E11.22", "I10"]


def test_damage_inside_the_journal_is_corruption(store):
    store.assign_dx("CASE-001", "E11.22")
    store.assign_dx("CASE-001", "I10")
    store._lock.release()
    store._journal.close()
    data = bytearray(store.journal_path.read_bytes())
    data[30] ^= 0x20  # flip a bit in the first record: a complete record follows it
    store.journal_path.write_bytes(bytes(data))
    with pytest.raises(StoreCorrupt, match="checksum"):
        SessionStore.open(store.path)
    assert any(m.name.startswith("s.json.journal.corrupt-") for m in _moved(store.path))


def test_scan_journal():
    a = storage.encode_record({"seq": 1, "ops": []})
    b = storage.encode_record({"seq": 2, "ops": []})
    assert storage.scan_journal(a + b) == ([{"seq": 1, "ops": []}, {"seq": 2, "ops": []}], len(a + b))
    for cut in range(1, len(b)):
        recs, good = storage.scan_journal(a + b[:cut])
        assert recs == [{"seq": 1, "ops": []}] and good == len(a)
    with pytest.raises(storage.JournalCorrupt):
        storage.scan_journal(b"garbage\n" + a)


# ---------------------------------------------------------------- permissions

def test_store_others_can_write_is_refused(store):
    store.close()
    os.chmod(store.path, 0o666)
    with pytest.raises(StorePermissionError, match="written by other users.*chmod 600"):
        SessionStore.open(store.path)


def test_folder_others_can_write_is_refused(tmp_path):
    d = tmp_path / "open"
    d.mkdir()
    os.chmod(d, 0o777)
    with pytest.raises(StorePermissionError, match="chmod 700"):
        SessionStore.open(d / "s.json")
    os.chmod(d, 0o1777)  # sticky, like /tmp: others can still create our file names first (issue 20)
    with pytest.raises(StorePermissionError, match="sticky, like /tmp"):
        SessionStore.open(d / "s.json")


def test_readable_store_is_tightened_and_default_folder_made_private(store, store_dir):
    store.close()
    os.chmod(store.path, 0o644)
    os.chmod(store_dir, 0o755)
    SessionStore.open(store.path).close()
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store_dir.stat().st_mode) == 0o700


# ---------------------------------------------------------------- lock

@pytest.mark.slow
def test_second_writer_is_refused_naming_the_holder(store):
    with pytest.raises(StoreLocked) as err:
        SessionStore.open(store.path)
    holder = f"{os.getpid()}@{socket.gethostname()}"
    assert err.value.holder == holder and holder in str(err.value)
    store.close()
    SessionStore.open(store.path).close()  # released on close


def test_stale_lock_of_a_dead_process_is_recovered(store):
    store.close()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    store.lock_path.write_bytes(orjson.dumps({"pid": dead.pid, "host": socket.gethostname()}))
    with SessionStore.open(store.path) as again:
        assert again.lock_path.exists()
    assert not store.lock_path.exists()


def test_lock_from_another_host_is_respected(store):
    store.close()
    store.lock_path.write_bytes(orjson.dumps({"pid": 4242, "host": "other-workstation"}))
    with pytest.raises(StoreLocked, match="4242@other-workstation"):
        SessionStore.open(store.path)
    SessionStore.open(store.path, readonly=True).close()  # looking is still allowed


def test_a_lock_held_by_a_zombie_is_stale(tmp_path) -> None:
    """A SIGKILLed holder not yet reaped by its parent is dead: its lock is taken over."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from workstation.session.lock import pid_alive

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        os.kill(child.pid, signal.SIGKILL)
        for _ in range(100):  # wait until the kernel has made it a zombie (we do not reap it yet)
            if not pid_alive(child.pid):
                break
            time.sleep(0.01)
        assert not pid_alive(child.pid)
        assert os.path.exists(f"/proc/{child.pid}")  # still there, unreaped
    finally:
        child.wait()
    assert pid_alive(os.getpid())
