"""Shared test fixtures."""
from __future__ import annotations

from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
# Official sources sit beside the clone in development and CI; a user's clone has none.
SOURCES = PROJECT.parent / "shared" / "codebook-sources"


@pytest.fixture(scope="session")
def sources() -> Path:
    if not SOURCES.is_dir():
        pytest.skip("official codebook sources (../shared/codebook-sources) are not beside this clone")
    return SOURCES


@pytest.fixture(autouse=True)
def _private_user_data(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the developer's own data folder (CPT, NCCI, interchange numbers)
    or session stores: each test gets fresh ones unless it sets its own."""
    monkeypatch.setenv("WORKSTATION_DATA_DIR", str(tmp_path_factory.mktemp("userdata")))
    sessions = tmp_path_factory.mktemp("sessions")
    sessions.chmod(0o700)
    monkeypatch.setenv("WORKSTATION_SESSIONS", str(sessions))
