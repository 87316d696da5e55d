"""Driver for test_sigkill.py, run in a fresh, small process (forking the large pytest process costs
tens of milliseconds a round): `python sigkill_driver.py STORE ROUNDS SEED` prints a JSON report.

Each round forks a writer that opens the store and makes changes as fast as it can, writing an ack
for each change once the store method has returned; the driver kills it with SIGKILL at a random
moment (after 0-4 acks, plus jitter: during the open, a journal append, a compaction...), reopens
the store as a writer and checks the acked changes are there.
fsync is made a no-op: a killed process loses nothing the kernel already has, so what this proves
(the order of writes, torn records, stale locks) does not need it, and it keeps rounds short.
"""
from __future__ import annotations

import os
import random
import select
import signal
import sys
import time

import orjson

import workstation.session.store as st
from workstation.cases.model import Case, Encounter, Person
from workstation.session.store import SessionStore


def writer(path: str, wfd: int) -> None:
    try:
        store = SessionStore.open(path)
        while True:
            n = store.next_control_number("round")
            store.set_notes("CASE-001", f"change {n}")
            os.write(wfd, b"%d\n" % n)  # one write per ack: a pipe never tears it
    except BaseException as exc:
        os.write(wfd, f"error {type(exc).__name__}: {exc}\n".encode())
        os._exit(1)


def read_acks(rfd: int, want: int) -> bytes:
    buf = b""
    while buf.count(b"\n") < want:
        ready, _, _ = select.select([rfd], [], [], 10)
        chunk = os.read(rfd, 65536) if ready else b""
        if not chunk:
            break
        buf += chunk
    return buf


def drain(rfd: int) -> bytes:
    os.set_blocking(rfd, False)
    buf = b""
    while True:
        try:
            chunk = os.read(rfd, 65536)
        except BlockingIOError:
            break
        if not chunk:
            break
        buf += chunk
    return buf


def main(path: str, rounds: int, seed: int) -> dict:
    os.fsync = lambda fd: None  # type: ignore[assignment]
    os.fdatasync = lambda fd: None  # type: ignore[assignment]
    st.COMPACT_EVERY = 7  # compactions happen often, so kills land in them too
    with SessionStore.open(path) as s:
        s.add_cases([Case("CASE-001", Person("Test", "Patient"), Encounter("office", "2025-11-03"),
                          source="sigkill", source_key="sigkill:1")])
    rng = random.Random(seed)
    acked: list[int] = []
    errors: list[str] = []
    mid_open = 0
    started = time.perf_counter()
    for r in range(rounds):
        rfd, wfd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(rfd)
            writer(path, wfd)
        os.close(wfd)
        buf = read_acks(rfd, rng.randrange(5))
        time.sleep(rng.uniform(0, 0.002))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        buf += drain(rfd)
        os.close(rfd)
        lines = [x for x in buf.decode().split("\n") if x]
        errors += [f"round {r}: writer {x}" for x in lines if x.startswith("error")]
        if not os.WIFSIGNALED(status):
            errors.append(f"round {r}: the writer exited by itself (status {status})")
        got = [int(x) for x in lines if not x.startswith("error")]
        mid_open += not got
        acked += got
        try:
            with SessionStore.open(path) as s:  # must always open: stale lock recovered, tear dropped
                counter = s._meta()["counters"].get("round", 0)
                notes = s.work("CASE-001").notes
                if acked and counter < acked[-1]:
                    errors.append(f"round {r}: counter {counter} < acked {acked[-1]}")
                if acked and int(notes.split()[-1]) < acked[-1]:
                    errors.append(f"round {r}: note {notes!r} older than acked {acked[-1]}")
        except Exception as exc:
            errors.append(f"round {r}: reopen failed: {type(exc).__name__}: {exc}")
            break
    return {"acked": acked, "errors": errors, "rounds_without_ack": mid_open,
            "seconds": round(time.perf_counter() - started, 2)}


if __name__ == "__main__":
    print(orjson.dumps(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))).decode())
