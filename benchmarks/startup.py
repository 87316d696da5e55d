"""Cold start of the app to a usable worklist, measured from the outside with tmux.

Each run starts `workstation --session PATH` in a fresh detached tmux session and polls
`tmux capture-pane` until the worklist shows its first case row; the time from launch to
that capture is one sample. Prints every sample and the median, for an existing session and
for a new one filled with the demo worklist (`--demo`).

    .venv/bin/python benchmarks/startup.py [--runs 7] [--size 160x48]
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
WORKSTATION = PROJECT / ".venv" / "bin" / "workstation"
POLL = 0.01  # seconds between captures
TIMEOUT = 30.0
# A private tmux server, so the benchmark never touches anyone else's sessions.
SOCKET = f"ws-bench-{os.getpid()}"


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", "-L", SOCKET, *args], capture_output=True, text=True).stdout


def one_run(session: Path, demo: bool, size: tuple[int, int], name: str) -> float:
    cmd = f"{WORKSTATION} --session {session}" + (" --demo" if demo else "")
    start = time.perf_counter()
    subprocess.run(["tmux", "-L", SOCKET, "new-session", "-d", "-s", name, "-x", str(size[0]), "-y", str(size[1]), cmd], check=True)
    try:
        while True:
            screen = tmux("capture-pane", "-p", "-t", name)
            # Usable: the title, the status counts and at least one case row are on screen.
            if "Worklist" in screen and " cases: " in screen and "DEMO-0" in screen:
                return time.perf_counter() - start
            if time.perf_counter() - start > TIMEOUT:
                raise RuntimeError(f"no worklist after {TIMEOUT}s; last screen:\n{screen}")
            time.sleep(POLL)
    finally:
        tmux("send-keys", "-t", name, "C-q")
        for _ in range(200):  # wait for the app to exit and release the store lock
            if name not in tmux("list-sessions", "-F", "#{session_name}").split():
                break
            time.sleep(0.02)
        tmux("kill-session", "-t", name)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--size", default="160x48")
    args = ap.parse_args()
    if not shutil.which("tmux"):
        print("tmux is not installed", file=sys.stderr)
        return 2
    size = tuple(int(x) for x in args.size.split("x"))
    tmp = Path(tempfile.mkdtemp(prefix="ws-startup-"))
    name = f"ws-bench-{os.getpid()}"
    try:
        existing = tmp / "existing.json"
        one_run(existing, True, size, name)  # create and fill it once; not a sample
        samples = {"existing session": [], "new session --demo": []}
        for i in range(args.runs):
            samples["existing session"].append(one_run(existing, False, size, name))
            fresh = tmp / f"new-{i}.json"
            samples["new session --demo"].append(one_run(fresh, True, size, name))
        for label, xs in samples.items():
            shown = " ".join(f"{x * 1000:.0f}" for x in xs)
            print(f"{label:<20} median {statistics.median(xs) * 1000:6.0f} ms   runs (ms): {shown}")
        print(f"terminal {size[0]}x{size[1]}, {args.runs} runs each, load average {os.getloadavg()[0]:.1f}")
    finally:
        tmux("kill-server")  # the private server only
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
