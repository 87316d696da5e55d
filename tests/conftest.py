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
