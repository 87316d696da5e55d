"""Provider queries in the app: the Queries screen, the Documentation gaps widget, drafting from a
gap on the coding screen, and the proof that the app and the CLI now apply the same query rules."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult

from ui_fixtures import ui_cases
from workstation.cases.demo import demo_cases
from workstation.cli import main
from workstation.session.store import SessionStore
from workstation.session.work import CaseWork
from workstation.ui.screens.forms import Confirm, FormScreen
from workstation.ui.screens.queries import QueriesScreen
from workstation.ui.screens.worklist import WorklistScreen
from workstation.ui.widgets.documentation_gaps import DocumentationGaps

from test_flows import open_case, settle

QUESTION = "Please document the laterality of the fracture"
INDICATORS = "ED note: displaced fracture of the femoral neck on X-ray"


def _demo(case_id: str):
    return next(c for c in demo_cases() if c.case_id == case_id)


@pytest.mark.slow  # about 4 s: two screens and a second store
async def test_the_app_and_the_cli_raise_and_settle_a_query_the_same_way(make_app, store, tmp_path: Path) -> None:
    # The CLI, on a second store holding the same cases.
    other = tmp_path / "cli.json"
    with SessionStore.open(other) as s:
        s.add_cases(ui_cases())
    assert main(["code", "--session", str(other), "UI-002", "--query", QUESTION, "--indicators", INDICATORS,
                 "--option", "Right", "--option", "Left"]) == 0
    # The app, with the same words typed into the query form.
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-002")
        screen.query_one("#entries").focus()
        await pilot.press("q")
        form = app.screen
        form.query_one("#question").value = QUESTION
        form.query_one("#indicators").value = INDICATORS
        form.query_one("#options").value = "Right; Left"
        await pilot.press("ctrl+s")
        await settle(pilot)
        in_app = store.work("UI-002")
        with SessionStore.open(other, readonly=True) as s:
            in_cli = s.work("UI-002")
        # Before: the CLI added "Other"/"Clinically undetermined" and the app did not.
        assert in_app.queries[0].options == in_cli.queries[0].options == [
            "Right", "Left", "Other (please specify)", "Clinically undetermined"]
        assert in_app.status == in_cli.status == "query"
        assert in_app.queries[0].provider == in_cli.queries[0].provider == "Okafor, Lin"

        # Answer: in the app from the Queries screen, in the CLI with `queries answer`.
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, WorklistScreen)
        await pilot.press("Q")
        await settle(pilot)
        assert isinstance(app.screen, QueriesScreen)
        await pilot.press("a")
        answer = app.screen
        assert isinstance(answer, FormScreen)
        answer.query_one("#answer").value = "Right"
        await pilot.press("enter")
        await settle(pilot)
    assert main(["queries", "answer", "--session", str(other), "UI-002", "Q1", "Right"]) == 0
    in_app = store.work("UI-002")
    with SessionStore.open(other, readonly=True) as s:
        in_cli = s.work("UI-002")
        cli_actions = [e["action"] for e in s.audit("UI-002")]
    # Before: answering the last open query ended the hold in the app but not from the CLI.
    assert in_app.status == in_cli.status == "in_progress"
    assert (in_app.queries[0].status, in_app.queries[0].answer) == (in_cli.queries[0].status, in_cli.queries[0].answer)
    assert [e["action"] for e in store.audit("UI-002")] == cli_actions


async def test_a_leading_query_is_refused_in_the_form_with_the_reason(make_app, store) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-002")
        screen.query_one("#entries").focus()
        await pilot.press("q")
        form = app.screen
        form.query_one("#question").value = "Is it the right hip? It affects the DRG."
        form.query_one("#indicators").value = INDICATORS
        form.query_one("#options").value = "Yes; No"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        error = str(form.query_one("#form-error").render())
        assert "payment (DRG)" in error and "yes/no" in error
        assert store.work("UI-002").queries == []


@pytest.mark.slow  # about 4 s: opens a demo case on the coding screen
async def test_q_drafts_the_query_from_the_documentation_gap(make_app, store) -> None:
    store.add_cases([_demo("DEMO-025")])
    store.assign_dx("DEMO-025", "M17.10")
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "DEMO-025")
        screen.query_one("#entries").focus()
        await pilot.press("q")
        form = app.screen
        assert isinstance(form, FormScreen)
        assert "laterality of the knee" in form.query_one("#question").value
        assert "Primary osteoarthritis of the knee" in form.query_one("#indicators").value
        assert "Unilateral primary osteoarthritis, left knee (M17.12)" in form.query_one("#options").value
        await pilot.press("ctrl+s")
        await settle(pilot)
    [q] = store.work("DEMO-025").queries
    assert q.gap == "unspecified:M17.10" and q.provider == "Castillo, Diego"
    assert q.options[-2:] == ["Other (please specify)", "Clinically undetermined"]
    assert len(q.indicators.splitlines()) >= 3  # one quoted sentence a line, as drafted
    assert store.work("DEMO-025").status == "query"


async def test_queries_screen_sorts_withdraws_and_exports(make_app, store) -> None:
    store.add_query("UI-001", "Please clarify the CKD stage", "eGFR 52", ["3a", "3b"])
    store.add_query("UI-002", QUESTION, INDICATORS, ["Right", "Left"])
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("Q")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, QueriesScreen)
        assert [t.case_id for t in screen.visible()] == ["UI-001", "UI-002"]
        assert "2 queries: open 2" in str(screen.query_one("#queries-count").render())
        await pilot.press("s")  # by provider: Hart before Okafor
        assert screen.sort == "provider" and [t.provider for t in screen.visible()] == ["Hart, Grace", "Okafor, Lin"]
        await pilot.press("down", "w")
        assert isinstance(app.screen, Confirm)
        await pilot.press("y")
        await settle(pilot)
        assert store.work("UI-002").queries[0].status == "withdrawn"
        assert store.work("UI-002").status == "in_progress"
        await pilot.press("e")
        await settle(pilot)
        exports = list((Path(store.path).parent / "exports").glob("queries-*/*"))
        assert sorted(p.name for p in exports) == ["queries-hart-grace.txt", "queries.json"]  # the open one only
        await pilot.press("escape")
        assert isinstance(app.screen, WorklistScreen)


class GapsApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.chosen: list[Any] = []

    def compose(self) -> ComposeResult:
        yield DocumentationGaps(id="gaps")

    def on_documentation_gaps_gap_chosen(self, message: DocumentationGaps.GapChosen) -> None:
        self.chosen.append(message)


async def test_documentation_gaps_widget_lists_gaps_and_posts_the_chosen_one() -> None:
    app = GapsApp()
    async with app.run_test(size=(120, 20)) as pilot:
        gaps = app.query_one(DocumentationGaps)
        gaps.show(_demo("DEMO-028"), CaseWork("DEMO-028", "in_progress", ["I11.0", "I50.9"]))
        await settle(pilot)
        assert gaps.option_count == 1 and gaps.border_subtitle == "1 to query · 0 to fix"
        assert "I50.9" in str(gaps.get_option_at_index(0).prompt)
        gaps.focus()
        gaps.highlighted = 0
        await pilot.press("enter")
        await pilot.pause()
        assert [(m.case_id, m.gap.rule) for m in app.chosen] == [("DEMO-028", "heart_failure_type_acuity")]
        gaps.show(_demo("DEMO-028"), CaseWork("DEMO-028", "in_progress", ["I11.0", "I50.23"]))
        await settle(pilot)
        assert "No documentation gap" in str(gaps.get_option_at_index(0).prompt)
