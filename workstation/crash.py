"""An unhandled error: a short message naming a private log, never the patient's data on screen.

The traceback goes to `<user data>/logs/crash-<UTC time>-<pid>.log`, mode 0600 in a 0700 folder,
without local variables (Textual's own crash report prints them, and they hold case text). The
screen gets one line: what kind of error, and where the log is. The caller exits non-zero.
"""
from __future__ import annotations

import os
import time
import traceback
from pathlib import Path

from workstation.paths import user_data_dir

EXIT_CODE = 70  # EX_SOFTWARE


def write_log(exc: BaseException) -> Path | None:
    """Write EXC's traceback (no locals) to a new private log; its path, or None if it cannot be written."""
    folder = user_data_dir() / "logs"
    try:
        from workstation.session.storage import private_mkdir

        private_mkdir(folder)
        os.chmod(folder, 0o700)
        name = f"crash-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{os.getpid()}.log"
        path = folder / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", errors="replace") as f:
            f.write("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
        return path
    except Exception:  # noqa: BLE001 - reporting a crash must never crash
        return None


def message(exc: BaseException, log: Path | None) -> str:
    where = f"details are in {log} (private to you)" if log else "no log could be written"
    return (f"workstation: an internal error ({type(exc).__name__}) stopped the program; {where}. "
            f"Every change saved before it is kept in the session store.")
