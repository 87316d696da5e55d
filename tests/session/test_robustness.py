"""Issue 20: no work lost or misdirected: the lock race, the export window, damaged files, salvage."""
from __future__ import annotations

import os
import subprocess
import sys
import time
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
