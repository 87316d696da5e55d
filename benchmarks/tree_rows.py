"""How long the code trees take to lay out their rows, now that a title may wrap.

Opens the HCPCS view's largest section and the Alphabetic Index's largest letter in a
headless app at 80x24 and 200x60 and prints the time of one full layout (`_build`: lines,
wrapped rows, virtual size) and of drawing one screen of rows.

    PYTHONPATH=. python benchmarks/tree_rows.py
"""
from __future__ import annotations

import asyncio
import time

from textual.app import App, ComposeResult
from textual.widgets import Tree

from workstation.ui.widgets import trees
from workstation.ui.widgets.code_tree import CodeTree


class TreeApp(App[None]):
    def compose(self) -> ComposeResult:
        yield CodeTree(id="t")


async def measure(view: str, size: tuple[int, int]) -> None:
    app = TreeApp()
    async with app.run_test(size=size) as pilot:
        tree = app.query_one(CodeTree)
        tree.set_source(trees.source_for(view, None))
        await pilot.pause()
        biggest = max(tree.root.children, key=lambda n: len(tree.source.children(n.data.key)) if n.data else 0)
        tree.ensure_loaded(biggest)
        biggest.expand()
        await pilot.pause()
        runs = []
        for _ in range(5):
            tree._invalidate()
            t0 = time.perf_counter()
            tree._tree_lines
            runs.append(time.perf_counter() - t0)
        plain = []  # Textual's own one-row-per-node layout, for comparison
        for _ in range(5):
            tree._clear_line_cache()
            t0 = time.perf_counter()
            Tree._build(tree)
            plain.append(time.perf_counter() - t0)
        tree._invalidate()
        tree._tree_lines
        wrapped = sum(1 for i in range(len(tree._tree_lines)) if len(tree._parts(i)) > 1)
        t0 = time.perf_counter()
        for y in range(tree.size.height):
            tree.render_line(y)
        draw = time.perf_counter() - t0
        print(f"{view:8} {size[0]}x{size[1]}: {len(tree._tree_lines):5} nodes, {wrapped:5} wrapped, "
              f"{len(tree._row_map):5} rows; layout median {sorted(runs)[2] * 1000:5.1f} ms "
              f"(of which Textual's line list {sorted(plain)[2] * 1000:5.1f} ms), "
              f"one screen drawn {draw * 1000:5.1f} ms")


async def main() -> None:
    for view in ("hcpcs", "index"):
        for size in ((80, 24), (200, 60)):
            await measure(view, size)


if __name__ == "__main__":
    asyncio.run(main())
