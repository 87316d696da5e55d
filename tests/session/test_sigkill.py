"""A writer killed with SIGKILL at random moments: the store always opens and every change
acknowledged before the kill is there (200 rounds; the loop runs in sigkill_driver.py)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from workstation.session.store import SessionStore

ROUNDS = 200
DRIVER = Path(__file__).with_name("sigkill_driver.py")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_sigkill_at_random_moments(store_path):
    store_path.parent.mkdir(mode=0o700)
    out = subprocess.run([sys.executable, str(DRIVER), str(store_path), str(ROUNDS), "6"],
                         capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stderr
    report = orjson.loads(out.stdout)
    assert report["errors"] == []
    acked = report["acked"]
    assert len(acked) > ROUNDS  # the writers got work done between kills
    assert report["rounds_without_ack"] > 0  # and some kills landed before the first ack (in the open)
    assert len(set(acked)) == len(acked)  # control numbers never repeat, even across kills
    with SessionStore.open(store_path) as s:
        noted = {int(e["after"].split()[-1]) for e in s.audit("CASE-001") if e["action"] == "set_notes"}
    assert set(acked) <= noted  # every acknowledged change was saved, with its audit entry
    print(f"{ROUNDS} SIGKILL rounds in {report['seconds']} s, {len(acked)} acknowledged changes")
