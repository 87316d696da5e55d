"""Tree sources for the views beyond the tabular: Alphabetic Index, Drug and Neoplasm tables, HCPCS.

Each reads another area's module lazily; a view whose module has not landed shows one line
saying so instead of failing.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rich.text import Text

from workstation.codes import hcpcs, index_tables
from workstation.codes.index_tables import TermTable
from workstation.ui.widgets.code_tree import NodeData, TreeSource, code_label

if TYPE_CHECKING:  # annotations only: nothing more is imported at run time
    from workstation.codes.index_tables import Term


def unavailable(name: str, why: str) -> TreeSource:
    item = (NodeData("-", "", "", False), Text(why, style="dim"))
    return TreeSource(name=name, roots=lambda: [item], children=lambda key: [])


def source_for(view: str, date: str | None) -> TreeSource:
    try:
        if view in PATH_VIEWS:
            return _index_source(view)
        if view == "hcpcs":
            return _hcpcs_source(date)
    except Exception as exc:  # a missing or broken book: say so in the view
        return unavailable(view, f"not available: {type(exc).__name__}: {exc}")
    return unavailable(view, "unknown view")


# ---------------------------------------------------------------- index tables

PATH_VIEWS = ("index", "drugs", "neoplasm", "external")


def _table(view: str) -> TermTable:
    return {"index": index_tables.alphabetic_index, "drugs": index_tables.drug_table,
            "neoplasm": index_tables.neoplasm_table, "external": index_tables.external_cause_index}[view]()


def find_path(view: str, text: str) -> str | None:
    """The tree key of the first term the text names: a comma path going down (the last part
    may be a prefix); in the Drug and Neoplasm tables a row by its name ("breast" is the row
    "Neoplasm, neoplastic, breast"); failing both, the first term whose path has every word."""
    table = _table(view)
    hits = table.rows(text) if view in ("drugs", "neoplasm") else table.find(text, prefix=True)
    if not hits:
        hits = _by_words(view, table, text)
    return str(hits[0].id) if hits else None


_PATHS: dict[str, list[tuple[int, list[str]]]] = {}


def _by_words(view: str, table: TermTable, text: str) -> list[Term]:
    """Terms whose full path has a word starting with each typed word, shortest path first."""
    words = [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w]
    if not words:
        return []
    paths = _PATHS.get(view)
    if paths is None:
        paths = _PATHS[view] = [(i, re.findall(r"[a-z0-9]+", p.lower())) for i, p, _ in table.entries()]
    best: tuple[int, int] | None = None
    for i, pw in paths:
        if all(any(x.startswith(w) for x in pw) for w in words) and (best is None or len(pw) < best[1]):
            best = (i, len(pw))
    return [table.term(best[0])] if best else []


_NEOPLASM_COLUMNS = ("malignant", "benign", "in situ", "uncertain", "unspecified", "secondary", "ca in situ",
                     "uncertain behavior", "unspecified behavior", "by site")


def see_row(see: str) -> tuple[str, str]:
    """(view, row text) for a "see" into a table: "Neoplasm, breast, malignant" -> ("neoplasm",
    "breast"); "Neoplasm, malignant, by site" -> ("neoplasm", "") (the site is the coder's)."""
    view = table_of(see)
    parts = [p.strip() for p in see.split(",")]
    if view == "neoplasm":
        rest = [p for p in parts[1:] if p.lower() not in _NEOPLASM_COLUMNS]
        return view, ", ".join(rest)
    if view == "drugs":
        return view, ""  # "see Table of Drugs and Chemicals": the substance is the coder's
    return "", ""


def table_of(see: str) -> str:
    """The view a "see" cross-reference sends the coder to: "neoplasm", "drugs", or ""."""
    named = index_tables.table_named(see)
    return {"neoplasm": "neoplasm", "drug": "drugs"}.get(named, "")


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
    name = _INDEX_NAMES[view]
    table = _table(view)
    mains = table.main_terms()
    by_letter: dict[str, list[Term]] = {}
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


def column_items(term: Term) -> list[tuple[NodeData, Text]]:
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


def term_item(term: Term) -> tuple[NodeData, Text]:
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
    elif term.see and table_of(term.see):
        jump = f"table:{table_of(term.see)}:{term.see}"  # "see Neoplasm, ...": the table's row
    elif term.see_ids:
        jump = f"term:{term.see_ids[0]}"  # see: go to that term
    else:
        jump = ""
    has_kids = bool(term.has_children or getattr(term, "columns", None))
    return NodeData(str(term.id), code, "icd10cm" if code else "", has_kids, jump), label


# ---------------------------------------------------------------- HCPCS

def _hcpcs_source(date: str | None) -> TreeSource:
    """The sections and codes of the HCPCS release in force on the case's date."""
    book = hcpcs.hcpcs(date)
    sections = book.sections()

    def section_item(s: hcpcs.Section) -> tuple[NodeData, Text]:
        return NodeData(f"section:{s.key}", "", "hcpcs", True), Text.assemble((f"{s.key} ", "bold"), s.name)

    def children(key: str) -> list[tuple[NodeData, Text]]:
        sec = key.split(":", 1)[1]
        out = []
        for c in book.codes_in_section(sec):
            out.append((NodeData(c.code, c.code, "hcpcs", False), code_label(c.code, c.long or c.short, True)))
        return out

    return TreeSource(name="HCPCS Level II", roots=lambda: [section_item(s) for s in sections], children=children)
