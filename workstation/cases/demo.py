"""The demo worklist the app opens on: synthetic cases in sessions/demo/worklist.json.

The file is the project's JSON case format ({"cases": [...]}), checked with the same schema as
an import, so the demo also proves the format. The expected codes for every case are kept in
tests/cases/answer_key.py, not here: the workstation must not know the answers.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import orjson

from workstation.cases.jsonfile import parse_cases
from workstation.cases.model import Case
from workstation.cases.report import Messages
from workstation.paths import PROJECT_DIR, sessions_dir


class DemoError(Exception):
    """The demo worklist is missing or invalid; the message names the file."""


def worklist_path() -> Path:
    """sessions/demo/worklist.json; the repository's copy when WORKSTATION_SESSIONS points elsewhere."""
    here = sessions_dir() / "demo" / "worklist.json"
    return here if here.exists() else PROJECT_DIR / "sessions" / "demo" / "worklist.json"


@lru_cache(maxsize=1)
def _records() -> tuple[bytes, ...]:
    path = worklist_path()
    try:
        data = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        raise DemoError(f"demo worklist {path} is missing (it ships with the repository)") from None
    except orjson.JSONDecodeError as exc:
        raise DemoError(f"demo worklist {path} is not valid JSON: {exc}") from None
    messages: list = []
    cases = parse_cases(data, path, Messages(str(path), messages), source="demo")
    errors = [m for m in messages if m.severity == "error"]
    if errors:
        raise DemoError(f"demo worklist {path}: {errors[0].record}: {errors[0].text}")
    return tuple(orjson.dumps(c.to_dict()) for c in cases)


def demo_cases() -> list[Case]:
    """A fresh copy of every demo case (callers may change them freely)."""
    return [Case.from_dict(orjson.loads(r)) for r in _records()]
