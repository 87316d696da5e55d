"""What changed between two ICD-10-CM releases: billable codes added, deleted, made headers, retitled."""
from __future__ import annotations

from typing import Any

from workstation.codes.icd10cm import ICD10CM


def diff_releases(old: ICD10CM, new: ICD10CM) -> dict[str, list[dict[str, Any]]]:
    """Billable codes of `old` no longer billable in `new` are "deleted" when gone and
    "became_header" when they gained subdivisions (CMS counts both as deletions), with the
    codes that replace them."""
    o = {code: title for code, title, _level, billable in old.rows() if billable}
    n = {code: title for code, title, _level, billable in new.rows() if billable}
    gone = sorted(o.keys() - n.keys())
    return {
        "added": [{"code": c, "title": n[c]} for c in sorted(n.keys() - o.keys())],
        "deleted": [{"code": c, "title": o[c]} for c in gone if new.get(c) is None],
        "became_header": [
            {"code": c, "title": o[c], "replaced_by": replacements(new, c)}
            for c in gone if new.get(c) is not None
        ],
        "retitled": [
            {"code": c, "old_title": o[c], "new_title": n[c]}
            for c in sorted(o.keys() & n.keys())
            if o[c] != n[c]
        ],
    }


def replacements(book: ICD10CM, code: str) -> list[str]:
    """The billable codes below a header (what a coder picks instead of it)."""
    c = book.get(code)
    if c is None or c.billable:
        return []
    out: list[str] = []
    stack = [c.code]
    while stack:
        for k in book.children(stack.pop(0)):
            if k.billable:
                out.append(k.code)
            else:
                stack.append(k.code)
    return sorted(out)
