"""The search engine over the compiled code books in codebooks/ (loaded once per test run)."""
from __future__ import annotations

import pytest

from workstation.search.engine import SearchEngine, get_engine


@pytest.fixture(scope="session")
def engine() -> SearchEngine:
    e = get_engine()
    e.index  # load now, so the first test does not pay for it
    return e


def codes(results) -> list[str]:
    return [r.code for r in results]
