"""How search ranks: every weight in one place (`Weights`), and one function per coding convention.

The engine (engine.py) finds candidate entries and scores how well each covers the coder's
words; the points below are what the coding conventions add to or take from that score. Each
function returns the points for one entry (0.0 when its convention does not apply), so the
engine adds them one after the other. The conventions of the query's own words (without X,
laterality) and of the patient (sex, age) are in case_words.py and use the same `Weights`.

Changing a weight changes results: benchmarks/search_ranking.py records the top 10 of eleven
thousand searches before a change and checks them after; benchmarks/search_quality.py measures
whether the change helps.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from workstation.search import sources as src


@dataclass(frozen=True)
class Weights:
    # -- a code typed as a code
    exact_code: float = 100.0          # the code typed whole
    code_prefix_top: float = 96.0      # a code one character longer than the prefix typed ...
    code_prefix_step: float = 1.5      # ... less this for each further character ...
    code_prefix_floor: float = 85.0    # ... never below this
    abbreviation_code: float = 25.0    # "DM2", "LT": an abbreviation first, a code second
    dotless_other_set: float = 0.5     # G0439 typed without its dot is HCPCS, G04.39 with it ICD-10-CM
    code_among_words: float = 30.0     # "E11 ckd": the words within E11 first, E11 itself after
    # -- which entries are scored at all (the cheap score over up to 600 candidates)
    negated_word: float = 0.4          # a word said to be absent counts this much in the coverage
    optional_word: float = 0.8         # a word the entry holds only in parentheses ("urinary (tract)")
    seventh_word: float = 0.9          # a word a header's 7th character will carry ("initial")
    cheap_loose_word: float = 0.03     # per entry word the query does not cover ...
    cheap_loose_cap: int = 10          # ... counted up to this many
    cheap_index: float = 0.04          # an index entry (the coder's path into the tabular)
    cheap_codeable: float = 0.02       # billable, or one 7th character away
    # -- the score of the 100 best (0-100 before the conventions below)
    coverage: float = 0.62             # share of the query's words the entry has
    similarity: float = 0.23           # rapidfuzz: the same words, and little else
    tightness: float = 0.15            # share of the entry's words the query matched
    index_entry: float = 3.0
    accidental_poisoning: float = 6.0
    lost_subterm: float = 4.0
    inclusion_term: float = 1.0
    secondary_not_said: float = 6.0
    codeable: float = 2.0
    header: float = 6.0
    more_evidence: float = 0.5         # a second entry for the same code
    external_cause_after_injury: float = 25.0
    table_below_code: float = 0.5      # a PCS table just below the best of its codes
    # -- the query's words and the patient (case_words.py)
    contradicted_with: float = 10.0    # per word the entry has after "with" that the query denies ...
    contradicted_cap: float = 30.0     # ... at most this in all
    denied_without: float = 3.0        # the entry says "without" what the query denies
    with_said_entry_without: float = 10.0  # the query says "with X", the entry "without X"
    same_side: float = 3.0
    other_side: float = 10.0           # the other side, or bilateral for one side
    unilateral_for_bilateral: float = 8.0
    bilateral_not_said: float = 6.0
    mce_edit: float = 40.0             # per MCE edit (sex, age) that rejects the code for the patient


WEIGHTS = Weights()

_LOST_SUBTERM = re.compile(r", (?:and|with|without|in|of|on|due to|or)$")


# ------------------------------------------------------------ codes typed as codes

def code_match(extra_chars: int, abbreviation: bool, w: Weights = WEIGHTS) -> float:
    """Exact code: the code typed whole ranks first (100); a prefix ranks the codes below it by
    how few characters they add. A word that is also an abbreviation ("DM2", "LT") is read as
    the abbreviation first, so the codes it names rank lower (the exact code keeps its 100)."""
    if extra_chars == 0:
        return w.exact_code
    return max(w.code_prefix_floor, w.code_prefix_top - w.code_prefix_step * extra_chars) \
        - (w.abbreviation_code if abbreviation else 0.0)


def dotless_code(system: str, typed_with_dot: bool, w: Weights = WEIGHTS) -> float:
    """A code that is both HCPCS and ICD-10-CM (G0439 / G04.39): typed without its dot it is the
    HCPCS code, as `lookup` reads it; the dot asks for ICD-10-CM. The other one ranks just below."""
    return -w.dotless_other_set if (system == "icd10cm") == (not typed_with_dot) else 0.0


# ------------------------------------------------------------ an entry's evidence

def index_entry(kind: int, w: Weights = WEIGHTS) -> float:
    """Index first (ICD-10-CM guideline I.A.1 / I.B.1): an Alphabetic Index, table or PCS index
    entry is how a coder reaches the code, so it counts a little more than a title match."""
    return w.index_entry if kind in src.INDEX_KINDS else 0.0


def accidental_poisoning(no_intent_said: bool, kind: int, text: str, w: Weights = WEIGHTS) -> float:
    """Poisoning with no intent documented is coded accidental (guideline I.C.19.e.5.b): with
    no intent in the query, the Drug table's accidental column comes first."""
    if no_intent_said and kind == src.KIND_DRUG and "Poisoning Accidental" in text:
        return w.accidental_poisoning
    return 0.0


def lost_subterm(kind: int, text: str, w: Weights = WEIGHTS) -> float:
    """An index path that ends in a bare connector ("heart, diastolic, chronic, and"): the
    flattened index kept its words only as nonessential modifiers, so the entry says less than
    its code means (acute on chronic) and must not win on it."""
    if kind in src.INDEX_KINDS and _LOST_SUBTERM.search(text):
        return -w.lost_subterm
    return 0.0


def inclusion_term(kind: int, w: Weights = WEIGHTS) -> float:
    """An inclusion term is an example of what a code covers, not its title: a title or index
    entry saying the same words ranks above it."""
    return -w.inclusion_term if kind == src.KIND_INCLUSION else 0.0


def primary_unless_secondary(malignant_not_secondary: bool, text: str, w: Weights = WEIGHTS) -> float:
    """A malignancy not documented as secondary (metastatic) is the primary site: "breast cancer"
    is C50.-, not C79.81 (Neoplasm table, the Malignant Primary column)."""
    if malignant_not_secondary and ("Secondary" in text or "secondary" in text):
        return -w.secondary_not_said
    return 0.0


def codeable(billable: bool, needs_seventh: bool, w: Weights = WEIGHTS) -> float:
    """Code to the highest specificity (guideline I.B.2): a billable code, or a header one 7th
    character away, ranks above a header the coder would still have to open."""
    return w.codeable if (billable or needs_seventh) else -w.header


def more_evidence(score: float, w: Weights = WEIGHTS) -> float:
    """Several entries leading to one code: a little more sure of it."""
    return score + w.more_evidence


def external_cause_after_injury(score: float, w: Weights = WEIGHTS) -> float:
    """External cause codes are never first-listed (guideline I.C.20): when an injury entry holds
    the words an external cause code lacks (the site: "dog bite of hand"), the injury (S61.45-)
    ranks above the external cause (W54.0)."""
    return score - w.external_cause_after_injury


def table_below_code(best_code_score: float, w: Weights = WEIGHTS) -> float:
    """A PCS table row (0DTJ) is not a code: just below the best of its valid codes among the
    hits, so the code the coder can assign comes first ("lap appy": 0DTJ4ZZ, then 0DTJ)."""
    return best_code_score - w.table_below_code
