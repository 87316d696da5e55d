"""Tree sources for the views beyond the tabular: Alphabetic Index, Drug and Neoplasm tables, HCPCS.

Each reads another area's module lazily; a view whose module has not landed shows one line
saying so instead of failing.
"""
from __future__ import annotations

from typing import Any

from rich.text import Text

from workstation.ui import core
from workstation.ui.widgets.code_tree import NodeData, TreeSource, code_label


def unavailable(name: str, why: str) -> TreeSource:
    item = (NodeData("-", "", "", False), Text(why, style="dim"))
    return TreeSource(name=name, roots=lambda: [item], children=lambda key: [])


def source_for(view: str, date: str | None) -> TreeSource:
    try:
        if view in PATH_VIEWS:
            return _index_source(view)
        if view == "hcpcs":
            return _hcpcs_source()
    except Exception as exc:  # a missing or broken book: say so in the view
        return unavailable(view, f"not available: {type(exc).__name__}: {exc}")
    return unavailable(view, "unknown view")


# ---------------------------------------------------------------- index tables

PATH_VIEWS = ("index", "drugs", "neoplasm", "external")


def _table(mod: Any, view: str) -> Any:
    return {"index": mod.alphabetic_index, "drugs": mod.drug_table, "neoplasm": mod.neoplasm_table,
            "external": mod.external_cause_index}[view]()


def find_path(view: str, text: str) -> str | None:
    """The tree key of the first term a comma path names (the last part may be a prefix)."""
    mod = core.optional("workstation.codes.index_tables")
    if mod is None:
        return None
    table = _table(mod, view)
    hits = table.find(text, prefix=True)
    return str(hits[0].id) if hits else None


_INDEX_NAMES = {"index": "Alphabetic Index", "drugs": "Table of Drugs and Chemicals", "neoplasm": "Neoplasm Table",
                "external": "External Cause Index"}


def _letter(term: str) -> str:
    """The index's letter heading a main term files under ("0-9" for numbers and symbols)."""
    for ch in term:
        if ch.isalpha():
            return ch.upper()
        if ch.isdigit():
            return "0-9"
    return "0-9"


def _index_source(view: str) -> TreeSource:
    """Letters → main terms → subterms (→ table columns), as the printed index is laid out.

    Main terms sit under their letter so the tree never holds thousands of top-level lines.
    """
    mod = core.optional("workstation.codes.index_tables")
    name = _INDEX_NAMES[view]
    if mod is None:
        return unavailable(name, f"{name}: not compiled yet")
    table = _table(mod, view)
    mains = table.main_terms()
    by_letter: dict[str, list[Any]] = {}
    for t in mains:
        by_letter.setdefault(_letter(t.term), []).append(t)
    grouped = len(mains) > 40  # the Neoplasm Table has one main term: no letters

    def letter_item(letter: str) -> tuple[NodeData, Text]:
        return NodeData(f"letter:{letter}", "", "", True), Text.assemble((letter, "bold"), (f"  {len(by_letter[letter])} terms", "dim"))

    def roots() -> list[tuple[NodeData, Text]]:
        if not grouped:
            return [term_item(t) for t in mains]
        return [letter_item(k) for k in sorted(by_letter, key=lambda k: (k != "0-9", k))]

    def children(key: str) -> list[tuple[NodeData, Text]]:
        if key.startswith("letter:"):
            return [term_item(t) for t in by_letter.get(key[7:], [])]
        term_id = int(key.split(":")[0])
        return column_items(table.term(term_id)) + [term_item(t) for t in table.children(term_id)]

    def path(key: str) -> list[str]:
        terms = table.path(int(key.split(":")[0]))
        keys = [str(t.id) for t in terms]
        return ([f"letter:{_letter(terms[0].term)}"] if grouped and terms else []) + keys

    return TreeSource(name=name, roots=roots, children=children, path=path)


def column_label(column: str) -> str:
    """'poisoning_accidental' -> 'Poisoning, accidental'; 'malignant_primary' -> 'Malignant primary'."""
    words = column.split("_")
    if words[0] == "poisoning" and len(words) > 1:
        return "Poisoning, " + " ".join(words[1:])
    return " ".join(words).capitalize()


def column_items(term: Any) -> list[tuple[NodeData, Text]]:
    """A drug or neoplasm row's columns as leaves: each column's code can be chosen."""
    out = []
    for col, code in (getattr(term, "columns", None) or {}).items():
        label = Text()
        label.append(f"{column_label(col):<34}", style="dim" if not code else "")
        label.append(code or "—", style="bold" if code else "dim")
        bare = (code or "").rstrip("-").rstrip(".")
        jump = code if code and code.endswith("-") else ""
        out.append((NodeData(f"{term.id}:{col}", bare, "icd10cm" if bare else "", False, jump), label))
    return out


def term_item(term: Any) -> tuple[NodeData, Text]:
    codes = list(getattr(term, "codes", []) or [])
    label = Text()
    label.append(str(term.term))
    if term.nonessential:
        label.append(f" {term.nonessential}", style="dim")
    if codes:
        label.append("  " + codes[0], style="bold")
        for c in codes[1:]:  # a paired manifestation code, printed in brackets
            label.append(f" [{c}]", style="bold")
    if term.see:
        label.append(f"  see {term.see}", style="italic")
    if term.see_also:
        label.append(f"  see also {term.see_also}", style="dim italic")
    if term.note:
        label.append(f"  {term.note}", style="dim")
    first = codes[0] if codes else ""
    code = first.rstrip("-").rstrip(".")
    if first.endswith("-"):
        jump = first  # incomplete: finish it in the tabular
    elif term.see_ids:
        jump = f"term:{term.see_ids[0]}"  # see: go to that term
    else:
        jump = ""
    has_kids = bool(term.has_children or getattr(term, "columns", None))
    return NodeData(str(term.id), code, "icd10cm" if code else "", has_kids, jump), label


# ---------------------------------------------------------------- HCPCS

def _hcpcs_source() -> TreeSource:
    mod = core.optional("workstation.codes.hcpcs")
    if mod is None:
        return unavailable("HCPCS", "HCPCS Level II: not compiled yet")
    book = mod.hcpcs()
    sections = list(book.sections()) if callable(getattr(book, "sections", None)) else list(getattr(book, "sections", []))

    def section_item(s: Any) -> tuple[NodeData, Text]:
        key = str(getattr(s, "key", None) or getattr(s, "letter", None) or getattr(s, "id", None) or s[0])
        title = str(getattr(s, "title", None) or getattr(s, "name", None) or (s[1] if isinstance(s, (list, tuple)) else key))
        return NodeData(f"section:{key}", "", "hcpcs", True), Text.assemble((f"{key} ", "bold"), title)

    def children(key: str) -> list[tuple[NodeData, Text]]:
        sec = key.split(":", 1)[1]
        out = []
        for c in book.codes_in_section(sec):
            code = getattr(c, "code", None) or c[0]
            title = getattr(c, "long", None) or getattr(c, "short", None) or (c[1] if isinstance(c, (list, tuple)) else "")
            out.append((NodeData(code, code, "hcpcs", False), code_label(code, str(title), True)))
        return out

    return TreeSource(name="HCPCS Level II", roots=lambda: [section_item(s) for s in sections], children=children)
