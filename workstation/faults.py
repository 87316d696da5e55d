"""Fault injection for the durability tests and benchmarks/faults.py: kill the process at a named write.

Every step of a write that matters (a journal append, the export's claim file, the lock) calls
`point(name)`. Normally that is one dictionary lookup. With the environment variable

    WORKSTATION_FAULT=NAME[:N]          e.g. export.linked  or  journal.append:3

the process SIGKILLs itself the Nth time (default: the first) it reaches NAME, exactly as a
power cut or `kill -9` would stop it there. `WORKSTATION_FAULT=list` prints each point reached
to stderr, which is how the tests enumerate every write of an operation.
"""
from __future__ import annotations

import os
import signal
import sys

_SPEC = os.environ.get("WORKSTATION_FAULT", "")
_NAME, _, _NTH = _SPEC.partition(":")
_TARGET = int(_NTH) if _NTH.isdigit() else 1
_seen: dict[str, int] = {}


def point(name: str) -> None:
    if not _SPEC:
        return
    n = _seen.get(name, 0) + 1
    _seen[name] = n
    if _NAME == "list":
        print(f"fault-point {name}", file=sys.stderr, flush=True)
    elif name == _NAME and n == _TARGET:
        os.kill(os.getpid(), signal.SIGKILL)
