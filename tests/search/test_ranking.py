"""The ranking conventions one by one (search/ranking.py), each where it applies and where it must not,
and the engine reading its weights from one `Weights`."""
from __future__ import annotations

import dataclasses

import pytest

from tests.search.conftest import codes
from workstation.search import ranking, sources as src
from workstation.search.case_words import laterality, read_case_words, without_x
from workstation.search.engine import SearchEngine
from workstation.search.ranking import WEIGHTS, Weights


def test_weights_are_one_frozen_dataclass():
    with pytest.raises(dataclasses.FrozenInstanceError):
        WEIGHTS.header = 0.0  # type: ignore[misc]
    assert Weights() == WEIGHTS


def test_exact_code_and_prefixes():
    assert ranking.code_match(0, False) == 100.0
    assert ranking.code_match(0, True) == 100.0  # an abbreviation typed as the exact code keeps it
    assert ranking.code_match(1, False) == 94.5
    assert ranking.code_match(1, True) == 94.5 - 25.0
    assert ranking.code_match(20, False) == 85.0


def test_dotless_code_is_hcpcs_and_the_dot_asks_for_icd10cm():
    assert ranking.dotless_code("icd10cm", typed_with_dot=False) < 0
    assert ranking.dotless_code("hcpcs", typed_with_dot=False) == 0.0
    assert ranking.dotless_code("icd10cm", typed_with_dot=True) == 0.0
    assert ranking.dotless_code("hcpcs", typed_with_dot=True) < 0


def test_index_entry_and_inclusion_term():
    assert ranking.index_entry(src.KIND_INDEX) > 0 and ranking.index_entry(src.KIND_TITLE) == 0.0
    assert ranking.inclusion_term(src.KIND_INCLUSION) < 0 and ranking.inclusion_term(src.KIND_TITLE) == 0.0


def test_accidental_poisoning_only_without_intent_and_only_its_column():
    text = "Diazepam | Poisoning Accidental (unintentional)"
    assert ranking.accidental_poisoning(True, src.KIND_DRUG, text) > 0
    assert ranking.accidental_poisoning(False, src.KIND_DRUG, text) == 0.0
    assert ranking.accidental_poisoning(True, src.KIND_DRUG, "Diazepam | Poisoning Intentional Self-harm") == 0.0


def test_lost_subterm_only_for_index_paths_ending_in_a_connector():
    assert ranking.lost_subterm(src.KIND_INDEX, "Failure, heart, diastolic, chronic, and") < 0
    assert ranking.lost_subterm(src.KIND_INDEX, "Failure, heart, diastolic, chronic") == 0.0
    assert ranking.lost_subterm(src.KIND_TITLE, "Failure, heart, diastolic, chronic, and") == 0.0


def test_primary_unless_secondary_is_said():
    assert ranking.primary_unless_secondary(True, "Neoplasm, breast | Malignant Secondary") < 0
    assert ranking.primary_unless_secondary(True, "Neoplasm, breast | Malignant Primary") == 0.0
    assert ranking.primary_unless_secondary(False, "Neoplasm, breast | Malignant Secondary") == 0.0


def test_codeable_above_header():
    assert ranking.codeable(True, False) > 0 and ranking.codeable(False, True) > 0
    assert ranking.codeable(False, False) < 0


def test_without_x_and_laterality_both_ways():
    cw = read_case_words("appendicitis without peritonitis")
    assert without_x(cw, frozenset({"peritonitis"}), frozenset()) < 0
    assert without_x(cw, frozenset(), frozenset({"peritonitis"})) > 0
    assert without_x(read_case_words("appendicitis"), frozenset({"peritonitis"}), frozenset()) == 0.0
    left = read_case_words("oa left knee")
    assert laterality(left, frozenset({"left"})) > 0
    assert laterality(left, frozenset({"right"})) < 0
    assert laterality(read_case_words("oa knee"), frozenset({"bilateral"})) < 0
    assert laterality(read_case_words("oa knee"), frozenset({"unilateral"})) == 0.0


def test_the_engine_ranks_with_the_weights_it_is_given(engine):
    """One weight changed, one convention gone: the external cause comes back above the injury."""
    plain = codes(engine.search("dog bite of hand", date="2026-03-01", limit=5))
    assert plain[0] == "S61.45"
    off = SearchEngine(engine.index, weights=Weights(external_cause_after_injury=0.0))
    moved = codes(off.search("dog bite of hand", date="2026-03-01", limit=5))
    assert moved.index("W54.0XXA" if "W54.0XXA" in moved else "W54.0") < moved.index("S61.45")
