"""UI test fixtures: a temporary session store holding fixed synthetic cases."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from ui_fixtures import ui_cases  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def search_engine_loaded() -> None:
    """The UI tests search with the real engine and its compiled index, loaded once per run."""
    from workstation.search.engine import get_engine

    get_engine().warm().join()


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
        app.warmed = True  # the engine is warmed once for the whole run (search_engine_loaded)
        return app

    return make


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every app test drives a real Textual app (about 1-9 s each): they belong to the full run
    (CI, the README's test command), not the quick `-m "not slow"` run while working."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.slow)
