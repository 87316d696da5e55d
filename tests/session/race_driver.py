"""Driver for the lock race (test_robustness.py, benchmarks/faults.py), run in a fresh small process:
`python race_driver.py STORE ROUNDS RACERS SEED [SECONDS]` prints a JSON report.

Each round starts with a stale lock (the lock file of a writer killed with SIGKILL), then forks
RACERS writers released together by one pipe write. Each opens the store (waiting for a live
lock as the store does), marks itself inside with an O_EXCL file (a second writer inside at the
same time is a `double`), saves a few settings acknowledging each, and closes; the last racer of
a round is SIGKILLed while it holds the store, leaving the next round's stale lock. Afterwards
every acknowledged change must be in the store (`lost` counts those that are not).
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
from workstation.session.store import SessionStore, StoreLocked


def racer(path: str, inside: str, go: int, wfd: int, tag: str, hold: bool) -> None:
    try:
        os.read(go, 1)
        store = SessionStore.open(path)
        try:
            fd = os.open(inside, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            os.close(fd)
        except FileExistsError:
            os.write(wfd, b"double\n")
            os._exit(3)
        for k in range(3):
            store.set_setting(f"{tag}-{k}", k)
            os.write(wfd, f"ack {tag}-{k}\n".encode())
        os.unlink(inside)
        if hold:
            os.write(wfd, b"holding\n")
            time.sleep(30)  # killed here, the lock still held
        store.close()
        os._exit(0)
    except StoreLocked:
        os.write(wfd, b"refused\n")
        os._exit(0)
    except BaseException as exc:  # noqa: BLE001 - reported to the driver
        os.write(wfd, f"error {type(exc).__name__}: {exc}\n".encode())
        os._exit(1)


def _read_until(rfd: int, marker: bytes | None) -> bytes:
    buf = b""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (marker is None or marker not in buf):
        ready, _, _ = select.select([rfd], [], [], 1)
        if not ready:
            continue
        chunk = os.read(rfd, 65536)
        if not chunk:
            break
        buf += chunk
    return buf


def main() -> None:
    path, rounds, racers, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    seconds = float(sys.argv[5]) if len(sys.argv) > 5 else 1e9
    st.os.fsync = lambda fd: None  # type: ignore[assignment]  # a kill loses nothing the kernel has
    import workstation.session.storage as storage
    storage._datasync = lambda fd: None  # type: ignore[assignment]
    rng = random.Random(seed)
    inside = path + ".inside"
    SessionStore.open(path).close()
    acked: list[str] = []
    report = {"rounds": 0, "doubles": 0, "refused": 0, "errors": [], "lost": 0}
    start = time.monotonic()
    for r in range(rounds):
        if time.monotonic() - start > seconds:
            break
        if os.path.exists(inside):
            os.unlink(inside)
        rfd, wfd = os.pipe()
        # A writer killed while it holds the store leaves the lock file of a dead process...
        hold_go_r, hold_go_w = os.pipe()
        hpid = os.fork()
        if hpid == 0:
            os.close(rfd)
            racer(path, inside, hold_go_r, wfd, f"r{r}-h", hold=True)
        os.write(hold_go_w, b"x")
        os.close(hold_go_w)
        os.close(hold_go_r)
        buf = _read_until(rfd, b"holding\n")
        os.kill(hpid, signal.SIGKILL)
        os.waitpid(hpid, 0)
        # ... which RACERS writers then find at the same moment.
        go_r, go_w = os.pipe()
        pids = []
        for i in range(racers):
            pid = os.fork()
            if pid == 0:
                os.close(rfd)
                os.close(go_w)
                racer(path, inside, go_r, wfd, f"r{r}-p{i}", hold=False)
            pids.append(pid)
        os.close(go_r)
        os.close(wfd)
        time.sleep(rng.random() * 0.01)
        os.write(go_w, b"x" * racers)  # release them together
        os.close(go_w)
        for pid in pids:
            os.waitpid(pid, 0)
        buf += _read_until(rfd, None)
        os.close(rfd)
        for line in buf.decode().splitlines():
            if line.startswith("ack "):
                acked.append(line[4:])
            elif line == "double":
                report["doubles"] += 1
            elif line == "refused":
                report["refused"] += 1
            elif line.startswith("error"):
                report["errors"].append(line)
        report["rounds"] += 1
    with SessionStore.open(path) as s:
        saved = s.settings()
    report["lost"] = sum(1 for a in acked if a not in saved)
    report["acked"] = len(acked)
    report["seconds"] = round(time.monotonic() - start, 2)
    print(orjson.dumps(report).decode())


if __name__ == "__main__":
    main()
