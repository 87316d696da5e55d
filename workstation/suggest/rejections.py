"""Suggestions the coder rejected, remembered per case beside the session store.

A small JSON file next to the store (`<store>.suggest-rejected`, mode 0600): {case_id:
[code, ...]}. Only case ids and codes, no patient details. Written atomically (temp file, fsync,
rename) so a crash leaves the old or the new list, never half of one.
"""
from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path

import orjson

_lock = threading.Lock()


def path_for(store_path: str | os.PathLike[str]) -> Path:
    p = Path(store_path)
    return p.with_name(p.name + ".suggest-rejected")  # no .json: `sessions list` globs *.json


def load(store_path: str | os.PathLike[str]) -> dict[str, list[str]]:
    p = path_for(store_path)
    try:
        data = orjson.loads(p.read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, orjson.JSONDecodeError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): [str(c) for c in v] for k, v in data.items() if isinstance(v, list)}


def rejected(store_path: str | os.PathLike[str], case_id: str) -> set[str]:
    return set(load(store_path).get(case_id, []))


def reject(store_path: str | os.PathLike[str], case_id: str, code: str, undo: bool = False) -> None:
    """Remember (or, with undo, forget) that the coder rejected `code` for the case."""
    with _lock:
        data = load(store_path)
        codes = data.setdefault(case_id, [])
        if undo:
            data[case_id] = [c for c in codes if c != code]
        elif code not in codes:
            codes.append(code)
        _write(path_for(store_path), orjson.dumps(data, option=orjson.OPT_INDENT_2))


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
