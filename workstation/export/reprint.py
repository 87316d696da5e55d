"""A CMS-1500 printed again for a claim already sent, marked COPY.

A paper claim gets lost, or the office wants the form for its file: the coder prints the claim
that went out again. It is not a new claim: the page says COPY at the top and the bottom,
nothing is numbered or marked exported, and only a case whose claim is still as sent (status
"exported") can be printed this way; a case reopened and changed goes out again as a
replacement instead.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from workstation.billing.claim import build_claim
from workstation.billing.settings import PracticeSettings
from workstation.fileio import atomic_write_bytes
from workstation.export.batch import ExportError
from workstation.export.cms1500 import render_cms1500
from workstation.session.store import SessionStore


def copy_banner(batch: str) -> str:
    return f"COPY - reprint of the claim sent in batch {batch or '?'} - NOT A NEW CLAIM"


def copy_text(store: SessionStore, case_id: str) -> str:
    """The CMS-1500 of an exported case as it was sent, with the COPY banner above and below."""
    case, work = store.case(case_id), store.work(case_id)
    if work.status != "exported":
        raise ExportError(f"case {case_id} is {work.status.replace('_', ' ')}: only a claim already sent "
                          "(exported, not changed since) can be printed again as a copy")
    claim = build_claim(case, work, PracticeSettings.from_store(store))
    banner = copy_banner(work.export_batch)
    return f"{banner}\n\n{render_cms1500(claim).rstrip()}\n\n{banner}\n"


def write_copy(store: SessionStore, case_id: str, path: Path) -> Path:
    """Write the COPY of `case_id` to `path` (atomically, 0600); nothing is marked or numbered."""
    text = copy_text(store, case_id)
    atomic_write_bytes(Path(path), text.encode("utf-8"), mode=0o600)
    return Path(path)


def reprint_cms1500(store: SessionStore, case_id: str, out_dir: Path, now: datetime | None = None) -> Path:
    """Write the CMS-1500 of an exported case again, marked COPY, into `out_dir` (the app's `C`);
    returns the file written (0600)."""
    now = now or datetime.now()
    return write_copy(store, case_id, Path(out_dir) / f"cms1500-copy-{case_id}-{now:%Y%m%d-%H%M%S}.txt")
