"""Lazy trees over the code books: children are added when a node is first expanded.

`CodeTree` is the one widget for every hierarchy; a `TreeSource` says what the roots and
children are. Node data is a `NodeData`, so the screen knows which code a node stands for.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from workstation.ui.widgets.wrapping_tree import WrappingTree

if TYPE_CHECKING:  # annotations only: nothing more is imported at run time
    from workstation.codes.icd10cm import ICD10CM, Code


_CODE_COLUMN = re.compile(r"([A-Z0-9][A-Z0-9.\-]{0,7})\s+")  # "S82.61   " before a title


@dataclass(frozen=True)
class NodeData:
    key: str  # unique within the tree (the code, or a term id)
    code: str  # the code to show in the detail panel ("" for a term without one)
    system: str
    has_children: bool
    jump: str = ""  # an incomplete code ("E11.-") or a see-reference: Enter goes there


@dataclass
class TreeSource:
    """roots() and children(key) return NodeData with a label; path(key) the keys from the root."""

    name: str
    roots: Callable[[], list[tuple[NodeData, Text | str]]]
    children: Callable[[str], list[tuple[NodeData, Text | str]]]
    path: Callable[[str], list[str]] | None = None


def code_label(code: str, title: str, billable: bool, level: str = "") -> Text:
    t = Text()
    if level in ("chapter", "block"):
        t.append(f"{code} ", style="bold")
    else:
        t.append(f"{code:<8} ", style="bold" if billable else "bold dim")
    t.append(title)
    return t


def icd10cm_source(book: ICD10CM) -> TreeSource:
    """Chapters → blocks → categories → codes of one ICD-10-CM release."""

    def item(c: Code) -> tuple[NodeData, Text]:
        kids = bool(book._children.get(c.index))
        return NodeData(c.code, "" if c.level == "chapter" else c.code, "icd10cm", kids), code_label(c.code, c.title, c.billable, c.level)

    return TreeSource(
        name="ICD-10-CM tabular",
        roots=lambda: [item(c) for c in book.chapters()],
        children=lambda key: [item(c) for c in book.children(key)],
        path=lambda key: [c.code for c in book.path(key)],
    )


class CodeTree(WrappingTree[NodeData]):
    """A Tree whose nodes load their children on first expansion. Right opens, Left closes or goes up.

    Long titles wrap under themselves (`WrappingTree`) rather than lose their end: the end of a
    title is where "left" and "right", "initial" and "subsequent" are."""

    BINDINGS = [
        Binding("right", "open_node", "Open", show=False),
        Binding("left", "close_node", "Close / up", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("codes", id=id)
        self.show_root = False
        self.guide_depth = 2
        self.source: TreeSource | None = None
        self._by_key: dict[str, TreeNode[NodeData]] = {}

    def hanging_indent(self, node: TreeNode[NodeData]) -> int:
        """Continuation rows of a code's title start under the title, past the code column."""
        data = node.data
        m = _CODE_COLUMN.match(node.label.plain if isinstance(node.label, Text) else str(node.label))
        if m is None or data is None or not (any(ch.isdigit() for ch in m.group(1)) or data.key.startswith("section:")):
            return 0
        return len(m.group(0))

    def on_resize(self) -> None:
        self._invalidate()  # titles wrap to the width: lay the rows out again

    def set_source(self, source: TreeSource) -> None:
        self.source = source
        self.clear()
        self._by_key = {}
        self._add_children(self.root, source.roots())
        self.root.expand()
        if len(self.root.children) == 1:  # one main term (the Neoplasm Table): open it
            self.ensure_loaded(self.root.children[0])
            self.root.children[0].expand()
        self.border_title = source.name

    def _add_children(self, node: TreeNode[NodeData], items: list[tuple[NodeData, Text | str]]) -> None:
        for data, label in items:
            if data.has_children:
                child = node.add(label, data=data, allow_expand=True)
            else:
                child = node.add_leaf(label, data=data)
            self._by_key[data.key] = child

    def ensure_loaded(self, node: TreeNode[NodeData]) -> None:
        if node.data is not None and node.data.has_children and not node.children and self.source:
            self._add_children(node, self.source.children(node.data.key))

    def _on_tree_node_expanded(self, event: Tree.NodeExpanded[NodeData]) -> None:
        self.ensure_loaded(event.node)

    def reveal(self, key: str) -> bool:
        """Expand the path down to `key` and put the cursor on it; False if the tree lacks it."""
        if not self.source or not self.source.path:
            return False
        try:
            path = self.source.path(key)
        except Exception:
            return False
        node: TreeNode[NodeData] | None = None
        for k in path:
            node = self._by_key.get(k)
            if node is None:
                return False
            if k != path[-1]:
                self.ensure_loaded(node)
                node.expand()
        if node is None:
            return False
        self.ensure_loaded(node)
        self._tree_lines  # rebuild line numbers after the expansions, so the cursor lands right
        self.move_cursor(node)
        # A third of the way down, so what is below the code shows too.
        self.scroll_to(y=max(0, self.row_of(node) - max(1, self.size.height // 3)), animate=False)
        return True

    def action_open_node(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.allow_expand and not node.is_expanded:
            self.ensure_loaded(node)
            node.expand()
        elif node.children:
            self.move_cursor(node.children[0])

    def action_close_node(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.is_expanded:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            self.move_cursor(node.parent)

    def current(self) -> NodeData | None:
        node = self.cursor_node
        return node.data if node is not None else None
