"""A Textual Tree whose long labels wrap onto continuation rows instead of being cut.

Textual's Tree draws one screen row per node: `_tree_lines[i]` is node line i, the cursor is
a line number, and row y of the screen is line y. Here a node line may take several rows:
`_row_map[y]` is the (line, part) shown on row y and `_row_start[line]` the first row of a
line. The cursor, keys and messages still work on lines, so Up/Down move one node at a
time and every Tree message is unchanged; only what maps lines to rows is overridden
(building, drawing one row, the region to scroll to, and the rows to repaint).

A continuation row carries the guides of the node's ancestors (and a vertical guide when a
sibling follows), then the text indented under the label: past the expand icon, and past
`hanging_indent(node)` cells more (a code column, say), so the words line up.
"""
from __future__ import annotations

from typing import Generic, TypeVar

from rich.style import Style
from rich.text import Text
from textual._segment_tools import line_pad
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

T = TypeVar("T")

Part = tuple[int, int]  # (start, end) offsets into a label's plain text


def wrap_parts(plain: str, first: int, rest: int) -> list[Part]:
    """Cut `plain` at spaces into parts no wider than `first` cells (then `rest` cells); a
    word longer than a row is broken where it reaches the edge. The spaces at a cut are dropped."""
    first, rest = max(1, first), max(1, rest)
    n = len(plain)
    parts: list[Part] = []
    start, width = 0, first
    while n - start > width:
        cut = plain.rfind(" ", start + 1, start + width + 1)
        if cut <= start:  # one word wider than the row
            cut, nxt = start + width, start + width
        else:
            nxt = cut + 1
        parts.append((start, cut))
        start, width = nxt, rest
        while start < n and plain[start] == " ":
            start += 1
    parts.append((start, n))
    return parts


class WrappingTree(Tree[T], Generic[T]):
    """A Tree in which one node may take several rows (see the module's docstring)."""

    def __init__(self, label: str, *, id: str | None = None) -> None:
        super().__init__(label, id=id)
        self._row_map: list[tuple[int, int]] = []  # row -> (line, part)
        self._row_start: list[int] = []  # line -> first row
        self._parts_cache: dict[tuple[str, int, int], list[Part]] = {}
        self._built_room: int | None = None  # the width the rows were last laid out for

    # ------------------------------------------------------------ layout

    def hanging_indent(self, node: TreeNode[T]) -> int:
        """Cells a continuation row is indented by beyond the label's start (0: none)."""
        return 0

    def _wrap_room(self) -> int:
        """Cells a row may fill: the tree's width less one, so text never touches the scrollbar."""
        width = self.scrollable_content_region.width or self.size.width
        return max(0, width - 1)

    def _icon(self, node: TreeNode[T]) -> str:
        if not node._allow_expand:
            return ""
        return self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE

    def _parts(self, line_no: int, width: int | None = None) -> list[Part]:
        """Where line `line_no`'s label (without its icon) is cut into rows (`width`: the wrap room)."""
        line = self._tree_lines_cached[line_no] if self._tree_lines_cached is not None else None
        if line is None:
            return [(0, 0)]
        node = line.node
        plain = node._label.plain
        room = (self._wrap_room() if width is None else width) - line._get_guide_width(self.guide_depth, self.show_root) - len(self._icon(node))
        if room <= 0 or len(plain) <= room:
            return [(0, len(plain))]
        hang = min(self.hanging_indent(node), room // 2)
        key = (plain, room, hang)
        parts = self._parts_cache.get(key)
        if parts is None:
            if len(self._parts_cache) > 20000:
                self._parts_cache.clear()
            parts = self._parts_cache[key] = wrap_parts(plain, room, room - hang)
        return parts

    def _build(self) -> None:
        # Where the cursor sat on the screen, to keep it there when the rows change with the width.
        old_room = self._built_room
        old_row = self._row_start[self.cursor_line] if 0 <= self.cursor_line < len(self._row_start) else -1
        on_screen = old_row - self.scroll_offset.y
        super()._build()
        self._built_room = room = self._wrap_room()
        lines = self._tree_lines_cached or []
        row_map: list[tuple[int, int]] = []
        starts: list[int] = []
        for i in range(len(lines)):
            starts.append(len(row_map))
            row_map.extend((i, p) for p in range(len(self._parts(i, room))))
        self._row_map, self._row_start = row_map, starts
        # Never wider than the tree: no sideways scrolling that hides the codes on the left.
        self.virtual_size = Size(room or self.virtual_size.width, len(row_map))
        if room != old_room and old_row >= 0 and 0 <= self.cursor_line < len(starts):
            height = self.scrollable_content_region.height
            # A tree laid out for the first time (it was hidden) puts the cursor a third of the way down.
            keep = on_screen if old_room and 0 <= on_screen < height else max(0, height // 3)
            self.call_after_refresh(self.scroll_to, y=max(0, starts[self.cursor_line] - keep), animate=False)

    def _rows_of(self, line: int) -> tuple[int, int]:
        """(first row, number of rows) of a node line."""
        self._tree_lines  # built
        if not 0 <= line < len(self._row_start):
            return line, 1
        start = self._row_start[line]
        end = self._row_start[line + 1] if line + 1 < len(self._row_start) else len(self._row_map)
        return start, max(1, end - start)

    def row_of(self, node: TreeNode[T]) -> int:
        """The first screen row (in the virtual space) a node is drawn on, -1 if not shown."""
        line = node.line
        return -1 if line < 0 else self._rows_of(line)[0]

    def get_label_width(self, node: TreeNode[T]) -> int:
        # Measured without rendering the label (Tree renders every one on each layout); never
        # wider than the tree, which has no sideways scrolling to hide the codes on the left.
        return min(len(self._icon(node)) + node._label.cell_len, max(16, self._wrap_room()))

    def _get_label_region(self, line: int) -> Region | None:
        try:
            tree_line = self._tree_lines[line]
        except IndexError:
            return None
        start, rows = self._rows_of(line)
        x = tree_line._get_guide_width(self.guide_depth, self.show_root)
        return Region(x, start, max(1, self._wrap_room() - x), rows)

    def _refresh_line(self, line: int) -> None:
        start, rows = self._rows_of(line)
        self.refresh(Region(0, start - self.scroll_offset.y, self.size.width, rows))

    def _refresh_node(self, node: TreeNode[T]) -> None:
        lines = self._tree_lines
        if not self._row_map:
            return
        top = min(self.scroll_offset.y, len(self._row_map) - 1)
        bottom = min(self.scroll_offset.y + self.size.height, len(self._row_map)) - 1
        if top < 0 or bottom < top:
            return
        for line_no in range(self._row_map[top][0], self._row_map[bottom][0] + 1):
            if node in lines[line_no].path:
                self._refresh_line(line_no)

    def _page(self, delta: int) -> None:
        """Move the cursor a screen of rows (not of nodes) up or down."""
        self._tree_lines  # built
        if not self._row_map:
            return
        here = self.cursor_line if self.cursor_line >= 0 else (0 if delta > 0 else self.last_line)
        row = self._rows_of(here)[0] + delta * max(1, self.scrollable_content_region.height - 1)
        line = self._row_map[max(0, min(row, len(self._row_map) - 1))][0]
        if line == here:  # a node taller than the screen: still move one
            line = max(0, min(here + delta, self.last_line))
        self.cursor_line = line
        self.scroll_to_line(line, animate=False)

    def action_page_down(self) -> None:
        self._page(1)

    def action_page_up(self) -> None:
        self._page(-1)

    # ------------------------------------------------------------ drawing

    def _render_line(self, y: int, x1: int, x2: int, base_style: Style) -> Strip:
        tree_lines = self._tree_lines
        width = self.size.width
        if y >= len(self._row_map) or y < 0:
            return Strip.blank(width, base_style)
        line_no, part = self._row_map[y]
        line = tree_lines[line_no]
        is_hover = self.hover_line >= 0 and any(node._hover for node in line.path)
        cache_key = (y, line_no, part, is_hover, width, self._updates, self._pseudo_class_state,
                     tuple(node._updates for node in line.path))
        strip = self._line_cache.get(cache_key)
        if strip is None:
            strip = self._line_cache[cache_key] = self._draw_row(line_no, part, is_hover, width, base_style)
        return strip.crop(x1, x2)

    def _guides(self, style: Style, hidden: bool) -> tuple[str, str, str, str]:
        """Strings for space, vertical, terminator and cross (as Tree draws them)."""
        if self.show_guides and not hidden:
            chars = self.LINES["default"]
            if style.bold:
                chars = self.LINES["bold"]
            elif style.underline2:
                chars = self.LINES["double"]
        else:
            chars = ("  ", "  ", "  ", "  ")
        depth = max(0, self.guide_depth - 2)
        space, vertical, terminator, cross = (f"{c[0]}{c[1] * depth} " for c in chars)
        return space, vertical, terminator, cross

    def _draw_row(self, line_no: int, part: int, is_hover: bool, width: int, base_style: Style) -> Strip:
        line = self._tree_lines[line_no]
        base_hidden = self.get_component_styles("tree--guides").color.a == 0
        hover_hidden = self.get_component_styles("tree--guides-hover").color.a == 0
        selected_hidden = self.get_component_styles("tree--guides-selected").color.a == 0
        base_guide_style = self.get_component_rich_style("tree--guides", partial=True)
        guide_hover_style = base_guide_style + self.get_component_rich_style("tree--guides-hover", partial=True)
        guide_selected_style = base_guide_style + self.get_component_rich_style("tree--guides-selected", partial=True)
        hover = line.path[0]._hover
        selected = line.path[0]._selected and self.has_focus

        line_style = self.get_component_rich_style("tree--highlight-line") if is_hover else base_style
        line_style += Style(meta={"line": line_no})
        guides = Text(style=line_style)
        guide_style = base_guide_style
        hidden = True
        for node in line.path[1:]:
            hidden = base_hidden
            if hover:
                guide_style, hidden = guide_hover_style, hover_hidden
            if selected:
                guide_style, hidden = guide_selected_style, selected_hidden
            space, vertical, _, _ = self._guides(guide_style, hidden)
            if node != line.path[-1]:
                guides.append(space if node.is_last else vertical, style=guide_style)
            hover = hover or node._hover
            selected = (selected or node._selected) and self.has_focus
        if len(line.path) > 1:
            space, vertical, terminator, cross = self._guides(guide_style, hidden)
            if part == 0:
                guides.append(terminator if line.last else cross, style=guide_style)
            else:  # a continuation row: the line down to the next sibling, if there is one
                guides.append(space if line.last else vertical, style=guide_style)

        label_style = self.get_component_rich_style("tree--label", partial=True)
        if self.hover_line == line_no:
            label_style += self.get_component_rich_style("tree--highlight", partial=True)
        if self.cursor_line == line_no:
            label_style += self.get_component_rich_style("tree--cursor", partial=False)
        node = line.node
        full = self.render_label(node, line_style, label_style).copy()
        full.stylize(Style(meta={"node": node._id}))
        icon = len(self._icon(node))
        parts = self._parts(line_no)
        start, end = parts[min(part, len(parts) - 1)]
        if part == 0:
            guides.append(full[: icon + end])
        else:
            hang = min(self.hanging_indent(node), max(0, (self._wrap_room() - guides.cell_len - icon) // 2))
            guides.append(" " * (icon + hang), style=line_style)
            guides.append(full[icon + start: icon + end])
        segments = list(guides.render(self.app.console))
        pad_width = max(self.virtual_size.width, width)
        segments = line_pad(segments, 0, pad_width - guides.cell_len, line_style)
        return Strip(segments)
