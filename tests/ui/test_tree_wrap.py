"""Tree titles wrap under themselves rather than lose their end (issue 15, item 4).

The end of a title is where "left" and "right", "initial" and "subsequent" are: at 80x24
every word of a long title is on screen, on continuation rows indented under the title,
and the keys still move one code at a time.
"""
from __future__ import annotations

from typing import Any

import pytest

from workstation.ui.widgets.code_tree import CodeTree
from workstation.ui.widgets.wrapping_tree import wrap_parts

from test_flows import open_case, search, settle

LONG = "Displaced fracture of lateral malleolus of right fibula, initial encounter for closed fracture"



def rows_of(tree: CodeTree) -> list[str]:
    """The tree's visible rows as plain text."""
    return [tree.render_line(y).text for y in range(tree.size.height)]


def test_wrap_parts_cuts_at_spaces_and_keeps_every_word() -> None:
    parts = wrap_parts(LONG, 40, 30)
    pieces = [LONG[a:b] for a, b in parts]
    assert all(len(p) <= 40 for p in pieces[:1]) and all(len(p) <= 30 for p in pieces[1:])
    assert " ".join(pieces) == LONG  # nothing lost: only the spaces at the cuts
    assert pieces[-1].endswith("closed fracture")
    assert wrap_parts("short", 40, 30) == [(0, 5)]
    assert [("x" * 25)[a:b] for a, b in wrap_parts("x" * 25, 10, 10)] == ["x" * 10, "x" * 10, "x" * 5]  # one long word


async def test_a_long_title_wraps_in_the_tabular_at_80x24_and_the_keys_move_by_code(make_app, store) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_case(pilot, "UI-001")
        await search(pilot, "S82.61XA")
        await pilot.press("down", "enter")  # to the results; open it in the tabular
        await settle(pilot)
        assert screen.view == "tabular"
        tree = screen.query_one("#tabular", CodeTree)
        assert tree.current().code == "S82.61XA"
        rows = rows_of(tree)
        text = " ".join(" ".join(r.split()) for r in rows)
        assert "right fibula, initial encounter for closed fracture" in text.replace("│ ", "")
        first = next(i for i, r in enumerate(rows) if "S82.61XA" in r)
        assert rows[first].rstrip().endswith(("of", "right", "fibula,", "initial", "encounter")) or "closed" not in rows[first]
        # the continuation row starts under the title, past the code column
        col = rows[first].index("Displaced")
        assert rows[first + 1][:col].strip(" │") == "" and rows[first + 1][col] != " "
        # Down moves one code, not one row; Up comes back; the detail follows
        await pilot.press("down")
        await settle(pilot)
        assert tree.current().code == "S82.61XB" and screen.current == ("S82.61XB", "icd10cm")
        await pilot.press("up")
        await settle(pilot)
        assert tree.current().code == "S82.61XA"
        # Page Down moves a screen of rows, so the code it lands on was just below the screen
        before = tree.cursor_line
        await pilot.press("pagedown")
        await settle(pilot)
        moved = tree.cursor_line - before
        assert 1 <= moved < tree.size.height - 1  # fewer codes than rows: their titles take two or three
        assert 0 <= tree.row_of(tree.cursor_node) - tree.scroll_offset.y < tree.size.height
        await pilot.press("pageup")
        await settle(pilot)
        assert tree.cursor_line == before
        # Left goes up to the parent, Right comes back down; Enter chooses the code
        await pilot.press("left")
        assert tree.current().code == "S82.61"
        await pilot.press("right")
        assert tree.current().code == "S82.61XA"
        await pilot.press("enter")
        await settle(pilot)
        assert store.work("UI-001").diagnoses == ["S82.61XA"]


async def test_titles_wrap_at_every_width_and_the_cursor_stays_in_view(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(200, 60)) as pilot:
        screen = await open_case(pilot, "UI-001")
        await search(pilot, "S82.61XA")
        await pilot.press("down", "enter")
        await settle(pilot)
        tree = screen.query_one("#tabular", CodeTree)
        for size in ((200, 60), (160, 48), (80, 24), (120, 30)):
            await pilot.resize_terminal(*size)
            await settle(pilot)
            node = tree.cursor_node
            assert node is not None and node.data.code == "S82.61XA"
            start, n = tree._rows_of(node.line)
            top = tree.scroll_offset.y
            assert top <= start and start + n <= top + tree.size.height, size  # every row of it in view
            rows = [tree.render_line(y - top).text for y in range(start, start + n)]
            assert " ".join(" ".join(r.replace("│", " ").split()) for r in rows).endswith(LONG), size
            assert tree.virtual_size.width <= tree.scrollable_content_region.width  # never sideways
            if size[0] in (80, 160, 200):  # the codes pane is 70+ cells wide there
                short = node.parent.parent  # "S82.6  Fracture of lateral malleolus": a short title keeps one row
                assert tree._rows_of(short.line)[1] == 1, size
        # A click on a continuation row is a click on its code
        xb = next(n for n in tree.cursor_node.parent.children if n.data.code == "S82.61XB")
        start, n = tree._rows_of(xb.line)
        assert n > 1
        await pilot.click("#tabular", offset=(30, start + 1 - tree.scroll_offset.y))
        await settle(pilot)
        assert tree.current().code == "S82.61XB"


@pytest.mark.parametrize("size", [(80, 24), (160, 48), (200, 60)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_tabular_tree_with_long_titles(snap_compare, make_app, size) -> None:
    """S82.61XA-XD in the tabular: each title whole, its words lined up under the title."""

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("enter")  # the first case
        await settle(pilot)
        await pilot.press(*"S82.61XA")
        await settle(pilot)
        await pilot.press("down", "enter")  # to the results; open it in the tabular
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)
