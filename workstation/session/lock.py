"""One writer per store: a lock file beside it naming the holder (pid and host).

The lock is created complete or not at all: its content is written to a private temporary
file which is then hard-linked to the lock name (link fails if the name exists), so a crash
never leaves an empty lock behind. A lock held by a process that no longer runs on this
host is stale and is taken over.
"""
from __future__ import annotations

import os
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path

import orjson


class LockHeld(Exception):
    """Another live process holds the lock; `holder` is "pid@host"."""

    def __init__(self, path: Path, holder: str) -> None:
        super().__init__(holder)
        self.path = path
        self.holder = holder


@dataclass
class LockInfo:
    pid: int
    host: str

    def __str__(self) -> str:
        return f"{self.pid}@{self.host}"


def _read(path: Path) -> LockInfo | None:
    try:
        data = orjson.loads(path.read_bytes())
        return LockInfo(int(data["pid"]), str(data["host"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, orjson.JSONDecodeError):
        return LockInfo(-1, "?")  # unreadable: never written by us; treated as held by an unknown process


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """A killed process whose parent has not reaped it yet still answers kill(pid, 0)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # Field 3, after the parenthesised command name (which may itself hold spaces or parens).
    return stat[stat.rfind(")") + 2 :].startswith("Z")


class StoreLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.held = False

    def acquire(self) -> None:
        me = LockInfo(os.getpid(), socket.gethostname())
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        try:
            os.write(fd, orjson.dumps({"pid": me.pid, "host": me.host}))
            os.fsync(fd)
            os.close(fd)
            os.chmod(tmp, 0o600)
            for _ in range(3):
                try:
                    os.link(tmp, self.path)
                    self.held = True
                    return
                except FileExistsError:
                    holder = _read(self.path)
                    if holder is None:
                        continue  # released meanwhile: try again
                    if holder.host == me.host and not pid_alive(holder.pid) and holder.pid > 0:
                        self._remove_stale(holder)
                        continue
                    raise LockHeld(self.path, str(holder)) from None
            raise LockHeld(self.path, str(_read(self.path) or "unknown"))
        finally:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass

    def _remove_stale(self, seen: LockInfo) -> None:
        # Re-read just before removing so a lock freshly taken by another process is left alone.
        now = _read(self.path)
        if now is not None and now == seen:
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass

    def release(self) -> None:
        if not self.held:
            return
        holder = _read(self.path)
        if holder is not None and holder.pid == os.getpid():
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass
        self.held = False

    def holder(self) -> LockInfo | None:
        return _read(self.path)
