"""Where the workstation keeps things: compiled codebooks, sessions, the user's own data."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent


def codebooks_dir() -> Path:
    """Compiled codebooks: `codebooks/` at the project top (override: WORKSTATION_CODEBOOKS)."""
    env = os.environ.get("WORKSTATION_CODEBOOKS")
    return Path(env) if env else PROJECT_DIR / "codebooks"


def sessions_dir() -> Path:
    """Session stores and the demo worklist (override: WORKSTATION_SESSIONS)."""
    env = os.environ.get("WORKSTATION_SESSIONS")
    return Path(env) if env else PROJECT_DIR / "sessions"


def user_data_dir() -> Path:
    """The user's own data (licensed CPT, NCCI imports, settings); never inside the repository.

    WORKSTATION_DATA_DIR overrides; else $XDG_DATA_HOME/workstation or ~/.local/share/workstation.
    """
    env = os.environ
    return _user_data_dir(env.get("WORKSTATION_DATA_DIR"), env.get("XDG_DATA_HOME"), env.get("HOME"))


@lru_cache(maxsize=64)  # the scrubber asks for the CPT and NCCI files on every claim: build the Path once
def _user_data_dir(env: str | None, xdg: str | None, _home: str | None) -> Path:
    if env:
        return Path(env)
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "workstation"
