"""The audit trail: who changed what on a case, when, and the value before and after.

Entries are written in the same journal record as the change they describe, so a change is
never saved without its audit entry (nor the other way round).
"""
from __future__ import annotations

import getpass
from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime, timezone
from typing import Any


def now_utc() -> str:
    """UTC time, ISO 8601 to the millisecond: 2026-11-27T16:04:05.123Z."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def coder_id(settings: dict[str, Any]) -> str:
    """The coder: the "coder_id" setting, else the operating-system user."""
    cid = settings.get("coder_id")
    if isinstance(cid, str) and cid.strip():
        return cid.strip()
    return os_user()


@lru_cache(maxsize=1)
def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry and no LOGNAME/USER (some containers)
        return "unknown"


@dataclass
class AuditEntry:
    seq: int  # the journal record the change was saved in: a total order over the store
    when: str
    who: str
    action: str  # assign_dx, remove_dx, move_dx, add_procedure, ..., set_setting, add_case
    case_id: str | None  # None for store-wide changes (settings)
    before: Any
    after: Any

    def to_dict(self) -> dict[str, Any]:
        # Shallow: before/after are fresh values built for this entry (asdict's deep copy cost
        # more than the rest of a save).
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "AuditEntry":
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


def _short(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list):
        return "[" + ", ".join(_short(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_short(v)}" for k, v in value.items()) + "}"
    return str(value)


def format_entry(entry: dict[str, Any]) -> str:
    """One line for the terminal: when, who, case, action, before -> after."""
    case = entry.get("case_id") or "(store)"
    return (f"{entry['when']}  {entry['who']:<12} {case:<12} {entry['action']:<15} "
            f"{_short(entry.get('before'))} -> {_short(entry.get('after'))}")
