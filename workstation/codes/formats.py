"""The shape of every code the workstation handles, and which code set a bare code belongs to.

One home for these rules: lookup, the session store, the claim scrubber and the UI all ask here,
so a code that one of them accepts is never refused by another for its shape. Whether a code of
the right shape exists is the code book's question, not this module's.
"""
from __future__ import annotations

import re
from typing import Literal

System = Literal["icd10cm", "icd10pcs", "hcpcs", "cpt"]

SYSTEM_LABELS: dict[str, str] = {"icd10cm": "ICD-10-CM", "icd10pcs": "ICD-10-PCS", "hcpcs": "HCPCS", "cpt": "CPT"}

# A letter, a digit, a digit or letter, then up to four more after the dot (the dot may be left out).
ICD10CM_FORMAT = re.compile(r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")
# Seven characters of 0-9 and A-Z; the letters O and I are never used (they read as 0 and 1).
PCS_FORMAT = re.compile(r"^[0-9A-HJ-NP-Z]{7}$")
# HCPCS Level II: a letter A-V and four digits (J2506, G0439).
HCPCS_FORMAT = re.compile(r"^[A-V][0-9]{4}$")
# CPT (HCPCS Level I): five digits (Category I), or four digits and a letter: F (Category II),
# T (Category III), U (Proprietary Laboratory Analyses), A (vaccine products and administration,
# e.g. 0001A), M (Multianalyte Assays with Algorithmic Analyses).
CPT_FORMAT = re.compile(r"^[0-9]{4}[0-9AFMTU]$")
# A modifier: two letters or digits (HCPCS Level II: LT, RT, GT; CPT: 25, 59).
MODIFIER_FORMAT = re.compile(r"^[A-Z0-9]{2}$")
# Place of service: two digits (11 office, 21 inpatient hospital).
POS_FORMAT = re.compile(r"^[0-9]{2}$")
# Diagnosis pointers of a service line (CMS-1500 box 24E: A-L, 837P SV107).
POINTER_LETTERS = "ABCDEFGHIJKL"

CPT_FORMAT_TEXT = "five digits, or four digits and A, F, M, T or U"


def bare(code: str) -> str:
    """Upper case, no spaces, no dot: how codes are compared."""
    return code.strip().upper().replace(" ", "").replace(".", "")


def is_icd10cm(code: str) -> bool:
    return bool(ICD10CM_FORMAT.match(code.strip().upper()))


def is_pcs(code: str) -> bool:
    return bool(PCS_FORMAT.match(bare(code)))


def is_hcpcs(code: str) -> bool:
    return bool(HCPCS_FORMAT.match(code.strip().upper()))


def is_cpt(code: str) -> bool:
    return bool(CPT_FORMAT.match(code.strip().upper()))


def is_line_code(code: str) -> bool:
    """A code a service line can carry: HCPCS Level II or CPT."""
    return is_hcpcs(code) or is_cpt(code)


def is_modifier(code: str) -> bool:
    return bool(MODIFIER_FORMAT.match(code.strip().upper()))


def system_of(code: str) -> System | None:
    """The code set a code belongs to by its shape, or None when it has no known shape.

    Five characters that fit both HCPCS and ICD-10-CM without its dot (A0425) are HCPCS: a
    diagnosis is written with its dot (A04.25) when it is meant. A code with a dot is ICD-10-CM.
    """
    c = code.strip().upper()
    if "." in c:
        return "icd10cm" if ICD10CM_FORMAT.match(c) else None
    if HCPCS_FORMAT.match(c):
        return "hcpcs"
    if CPT_FORMAT.match(c):
        return "cpt"
    if PCS_FORMAT.match(c) and not ICD10CM_FORMAT.match(c):
        return "icd10pcs"
    if ICD10CM_FORMAT.match(c):
        return "icd10cm"
    return None
