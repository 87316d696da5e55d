"""One writer per store: an `fcntl` lock on a lock file beside it, held for the store's life.

The lock is the kernel's: `flock(LOCK_EX)` on an open descriptor of PATH.lock, kept open until
the store closes. A process that dies, however it dies, drops it with its descriptors, so a lock
left by a dead holder is free with no takeover step to race on: when several processes find such
a lock at once, the kernel lets exactly one of them in. The file also names the holder (pid and
host, written after the lock is taken) so a refusal can say who has the store open.

Release unlinks the file while still holding the lock; a waiter that had opened the old file
sees, once it gets the lock, that its descriptor is no longer the file at that name and starts
again, so two holders of two different files cannot both think they own the store.

A lock file naming another host is respected even when no lock is held on it here: `flock` on a
network folder does not reach the other machine.

A second writer that meets a live lock waits up to WAIT_SECONDS for it before refusing (two CLI
runs started together then run one after the other).
"""
from __future__ import annotations

import errno
import fcntl
import os
import socket
import stat
import time
from dataclasses import dataclass
from pathlib import Path

import orjson

from workstation import faults

WAIT_SECONDS = 3.0  # how long a second writer waits for a live lock before refusing
POLL_SECONDS = 0.05


class LockHeld(Exception):
    """Another live process holds the lock; `holder` is "pid@host"."""

    def __init__(self, path: Path, holder: str, waited: float = 0.0) -> None:
        super().__init__(holder)
        self.path = path
        self.holder = holder
        self.waited = waited


class LockNotPrivate(Exception):
    """The lock file belongs to another user or others can write it."""


@dataclass
class LockInfo:
    pid: int
    host: str

    def __str__(self) -> str:
        return f"{self.pid}@{self.host}"


def _parse(data: bytes) -> LockInfo | None:
    if not data.strip():
        return None
    try:
        doc = orjson.loads(data)
        return LockInfo(int(doc["pid"]), str(doc["host"]))
    except (ValueError, KeyError, TypeError, orjson.JSONDecodeError):
        return LockInfo(-1, "?")  # unreadable: never written by us


def _read(path: Path) -> LockInfo | None:
    try:
        return _parse(path.read_bytes())
    except FileNotFoundError:
        return None
    except OSError:
        return LockInfo(-1, "?")


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
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # Field 3, after the parenthesised command name (which may itself hold spaces or parens).
    return text[text.rfind(")") + 2 :].startswith("Z")


class StoreLock:
    def __init__(self, path: Path, wait: float | None = None) -> None:
        self.path = path
        self.held = False
        self.wait = WAIT_SECONDS if wait is None else wait
        self._fd = -1

    def acquire(self) -> None:
        me = LockInfo(os.getpid(), socket.gethostname())
        deadline = time.monotonic() + self.wait
        start = time.monotonic()
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
            try:
                self._check_private(fd)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    got = True
                except OSError as exc:
                    if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                        raise
                    got = False
                if got and not self._same_file(fd):
                    os.close(fd)  # released (unlinked) meanwhile: lock the file now at that name
                    continue
                if got:
                    holder = _parse(_pread_all(fd))
                    if holder is not None and holder.host != me.host and holder.host != "?":
                        os.close(fd)  # another machine's lock on a shared folder: not ours to judge
                        raise LockHeld(self.path, str(holder))
                    faults.point("lock.acquired")
                    data = orjson.dumps({"pid": me.pid, "host": me.host})
                    os.ftruncate(fd, 0)
                    os.pwrite(fd, data, 0)
                    self._fd = fd
                    self.held = True
                    return
            except BaseException:
                if fd != self._fd:
                    try:
                        os.close(fd)
                    except OSError:
                        pass
                raise
            os.close(fd)
            if time.monotonic() >= deadline:
                raise LockHeld(self.path, str(_read(self.path) or "unknown"), time.monotonic() - start)
            time.sleep(POLL_SECONDS)

    def _same_file(self, fd: int) -> bool:
        try:
            st = os.stat(self.path, follow_symlinks=False)
        except FileNotFoundError:
            return False
        mine = os.fstat(fd)
        return (st.st_dev, st.st_ino) == (mine.st_dev, mine.st_ino)

    @staticmethod
    def _check_private(fd: int) -> None:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise LockNotPrivate("it is not a regular file")
        if st.st_uid != os.getuid():
            raise LockNotPrivate(f"it belongs to another user (uid {st.st_uid})")
        if stat.S_IMODE(st.st_mode) & 0o022:
            raise LockNotPrivate(f"other users can write it (mode {stat.S_IMODE(st.st_mode):04o})")

    def release(self) -> None:
        if not self.held:
            return
        try:
            if self._same_file(self._fd):
                os.unlink(self.path)  # still under our lock: a waiter will see the name is gone
        except OSError:
            pass
        finally:
            os.close(self._fd)  # drops the lock
            self._fd = -1
            self.held = False

    def holder(self) -> LockInfo | None:
        """Who holds the lock now, or None when no live process does."""
        info = _read(self.path)
        if info is None:
            return None
        if self.held:
            return info
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
        except OSError:
            return info
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return info  # locked: live
        finally:
            os.close(fd)
        socket_host = socket.gethostname()
        return info if info.host not in (socket_host, "?") else None


def _pread_all(fd: int) -> bytes:
    size = os.fstat(fd).st_size
    return os.pread(fd, min(size, 4096), 0) if size else b""
