"""What changed between two ICD-10-CM releases: billable codes added, deleted and retitled."""
from __future__ import annotations

from typing import Any

from workstation.codes.icd10cm import ICD10CM


def diff_releases(old: ICD10CM, new: ICD10CM) -> dict[str, list[dict[str, Any]]]:
    o = {c.code: c.title for c in old.all_codes() if c.billable}
    n = {c.code: c.title for c in new.all_codes() if c.billable}
    return {
        "added": [{"code": c, "title": n[c]} for c in sorted(n.keys() - o.keys())],
        "deleted": [{"code": c, "title": o[c]} for c in sorted(o.keys() - n.keys())],
        "retitled": [
            {"code": c, "old_title": o[c], "new_title": n[c]}
            for c in sorted(o.keys() & n.keys())
            if o[c] != n[c]
        ],
    }
