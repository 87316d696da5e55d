"""Medicare Code Editor (MCE) lists as a dated edit table: age, sex, manifestation, principal edits.

Source: CMS "Definitions of Medicare Code Edits" v37 (FY2020, ICD-10), parsed to one tab-separated
row per code (MCE_Version, ICD_Version, MCE_Section, MCE_Subsection, MCE_Edit_Type,
ICD_Code_Type D|P, ICD_Code, ICD_Desc). Newer MCE versions change some codes, so the version
and its effective dates travel with the data. The code lists hold no age ranges: those are
AGE_RANGES below (maternity 9-64 since MCE v35, FY2018; 12-55 before).

Compiled layout (`codebooks/mce-v37.json.gz`): {"version", "effective_from", "effective_to",
"age_ranges": {category: [low, high]}, "edits": {edit type: {"D": [codes], "P": [codes]}},
"titles": {code: description}}. Diagnosis codes are stored dotted (E84.11), procedure codes as
the seven PCS characters.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workstation.codes.icd10cm import normalize as dx_normalize

SYSTEM = "mce"
BOOK = "mce-v37"
VERSION = "37"
EFFECTIVE_FROM = "2019-10-01"  # v37 is the FY2020 MCE
EFFECTIVE_TO = "2020-09-30"

# Age edits: each category's ages in years (inclusive), per CMS "Definitions of Medicare Code
# Edits" (age conflict edit) for v37. The source file lists codes only, so the ranges are here.
AGE_RANGES: dict[str, tuple[int, int]] = {
    "newborn": (0, 0),  # age 0 years; unchanged across MCE versions
    "pediatric": (0, 17),  # 0-17 years; unchanged across MCE versions
    # 9-64 years since MCE v35: CMS widened it from 12-55 in the FY2018 IPPS/LTCH PPS final rule,
    # so v37 (FY2020) is 9-64. Only MCE v34 and older use 12-55.
    "maternity": (9, 64),
    "adult": (15, 124),  # 15-124 years; unchanged across MCE versions
}
AGE_EDITS = {"Newborn_Only": "newborn", "Pediatric_Only": "pediatric", "Maternity_Only": "maternity", "Adult_Only": "adult"}
SEX_EDITS = {"Female_Only": "F", "Male_Only": "M"}


def _key(code: str, kind: str) -> str:
    c = code.strip().upper().replace(".", "")
    return dx_normalize(c) if kind == "D" else c


@dataclass(frozen=True)
class MceEdit:
    edit: str      # "Female_Only", "Principal_Manifestation", ...
    message: str   # a coder-facing sentence


class MCE:
    """One MCE version; sets built once at load."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.version: str = doc["version"]
        self.effective_from: str = doc["effective_from"]
        self.effective_to: str = doc["effective_to"]
        self.age_ranges: dict[str, tuple[int, int]] = {k: (v[0], v[1]) for k, v in doc["age_ranges"].items()}
        self._sets: dict[tuple[str, str], frozenset[str]] = {
            (edit, kind): frozenset(codes) for edit, by in doc["edits"].items() for kind, codes in by.items()
        }
        self._titles: dict[str, str] = doc["titles"]

    def _has(self, edit: str, code: str, kind: str = "D") -> bool:
        return _key(code, kind) in self._sets.get((edit, kind), frozenset())

    def codes(self, edit: str, kind: str = "D") -> frozenset[str]:
        return self._sets.get((edit, kind), frozenset())

    def age_category(self, code: str) -> str | None:
        """'newborn' | 'pediatric' | 'maternity' | 'adult' for a diagnosis with an age edit."""
        for edit, cat in AGE_EDITS.items():
            if self._has(edit, code):
                return cat
        return None

    def sex(self, code: str, kind: str | None = None) -> str | None:
        """'F' or 'M' for a diagnosis (or, with kind='P' or a seven-character code, a procedure)."""
        kinds = [kind] if kind else (["D", "P"] if len(code.strip().replace(".", "")) == 7 else ["D"])
        for k in kinds:
            for edit, sex in SEX_EDITS.items():
                if self._has(edit, code, k):
                    return sex
        return None

    def is_manifestation(self, code: str) -> bool:
        return self._has("Principal_Manifestation", code)

    def is_unacceptable_principal(self, code: str) -> bool:
        return self._has("Principal_Unacceptable", code)

    def is_questionable_admission(self, code: str) -> bool:
        return self._has("Principal_Questionable_Admit", code)

    def title(self, code: str) -> str | None:
        """The MCE's own (short) description of a code it lists."""
        return self._titles.get(_key(code, "D")) or self._titles.get(_key(code, "P"))

    def edits(self, code: str, kind: str = "D") -> list[str]:
        """Every edit type listing a code."""
        return sorted(edit for (edit, k), s in self._sets.items() if k == kind and _key(code, kind) in s)

    def check_age(self, code: str, age: int) -> MceEdit | None:
        """The age edit a diagnosis fails for a patient of `age` years, else None."""
        cat = self.age_category(code)
        if cat is None:
            return None
        low, high = self.age_ranges[cat]
        if low <= age <= high:
            return None
        return MceEdit(f"{cat.capitalize()}_Only",
                       f"{_key(code, 'D')} is a {cat} diagnosis (ages {low}-{high}) but the patient is {age} (MCE v{self.version})")

    def check_sex(self, code: str, sex: str, kind: str | None = None) -> MceEdit | None:
        """The sex edit a code fails for a patient of sex 'F' or 'M', else None."""
        want = self.sex(code, kind)
        s = (sex or "").strip().upper()[:1]
        if want is None or s not in ("F", "M") or s == want:
            return None
        word = "female" if want == "F" else "male"
        return MceEdit(f"{word.capitalize()}_Only", f"{code} is for {word} patients only (MCE v{self.version})")

    def check_principal(self, code: str) -> list[MceEdit]:
        """Edits a diagnosis fails when it is the principal (first-listed) one."""
        out = []
        c = _key(code, "D")
        if self.is_manifestation(c):
            out.append(MceEdit("Principal_Manifestation", f"{c} is a manifestation code and cannot be principal (MCE v{self.version})"))
        if self.is_unacceptable_principal(c):
            out.append(MceEdit("Principal_Unacceptable", f"{c} is unacceptable as principal diagnosis (MCE v{self.version})"))
        if self.is_questionable_admission(c):
            out.append(MceEdit("Principal_Questionable_Admit", f"{c} is a questionable admission as principal diagnosis (MCE v{self.version})"))
        return out


def mce() -> MCE:
    """The compiled Medicare Code Editor tables (v37), loaded on first use."""
    from workstation.codes import books

    return books.open_book(SYSTEM, lambda doc, _name, _entry: MCE(doc), default=BOOK)
