"""UI test fixtures: a temporary session store holding fixed synthetic cases."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from ui_fixtures import ui_cases  # noqa: E402


@pytest.fixture(autouse=True)
def book_search(monkeypatch: pytest.MonkeyPatch) -> None:
    """The UI tests answer searches from the code book, not the search engine: fast and fixed."""
    from workstation.ui import core

    monkeypatch.setattr(core, "USE_SEARCH_ENGINE", False)


@pytest.fixture(autouse=True)
def steady_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    """No blinking text cursor: on a loaded machine a snapshot could catch it in either phase."""
    from textual.widgets import Input

    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)


@pytest.fixture
def store(tmp_path: Path):
    from workstation.session.store import SessionStore

    s = SessionStore.open(tmp_path / "ui.json")
    s.add_cases(ui_cases())
    yield s
    s.close()


@pytest.fixture
def make_app(store):
    from workstation.ui.app import WorkstationApp

    def make() -> WorkstationApp:
        app = WorkstationApp(store, label="ui.json")
        app.warmed = True  # nothing to warm: searches come from the book
        return app

    return make
