"""ConText rules, each both ways: a statement the rule must catch and one it must leave alone."""
from __future__ import annotations

import pytest

from workstation.suggest.context import clauses, context_of, read, sections, sentences


def ctx(sentence: str, target: str):
    i = sentence.index(target)
    return context_of(sentence, i, i + len(target))


@pytest.mark.parametrize("sentence,target", [
    ("No evidence of pneumonia.", "pneumonia"),
    ("Patient denies chest pain.", "chest pain"),
    ("Pulmonary embolism was ruled out.", "Pulmonary embolism"),
    ("Negative for streptococcal pharyngitis.", "streptococcal pharyngitis"),
    ("No hives, no itching, no wheeze.", "wheeze"),
])
def test_negated(sentence: str, target: str) -> None:
    assert ctx(sentence, target).negated


@pytest.mark.parametrize("sentence,target", [
    ("Acute appendicitis without perforation.", "Acute appendicitis"),  # 'without' qualifies what follows
    ("Pneumonia, no pleural effusion.", "Pneumonia"),
    ("Chest pain but no dyspnea.", "Chest pain"),
])
def test_not_negated(sentence: str, target: str) -> None:
    assert not ctx(sentence, target).negated


@pytest.mark.parametrize("sentence,target", [
    ("Possible pneumonia.", "pneumonia"),
    ("Probable urinary tract infection.", "urinary tract infection"),
    ("Likely viral pharyngitis.", "viral pharyngitis"),
    ("Suspected pulmonary embolism.", "pulmonary embolism"),
    ("Rule out myocardial infarction.", "myocardial infarction"),
    ("Sepsis is suspected.", "Sepsis"),
])
def test_uncertain(sentence: str, target: str) -> None:
    assert ctx(sentence, target).uncertain


def test_certain_part_of_a_differential_is_certain() -> None:
    s = "Numbness of both feet, possibly diabetic neuropathy vs. B12 deficiency."
    assert not ctx(s, "Numbness of both feet").uncertain
    assert ctx(s, "diabetic neuropathy").uncertain


@pytest.mark.parametrize("sentence,target", [
    ("History of breast cancer.", "breast cancer"),
    ("Status post appendectomy.", "appendectomy"),
    ("Former smoker.", "smoker"),
])
def test_historical(sentence: str, target: str) -> None:
    c = ctx(sentence, target)
    assert c.historical and not c.family


def test_not_historical() -> None:
    assert not ctx("68-year-old woman with type 2 diabetes.", "type 2 diabetes").historical
    assert not ctx("Breast cancer, on treatment.", "Breast cancer").historical


@pytest.mark.parametrize("sentence,target", [
    ("Mother had breast cancer.", "breast cancer"),
    ("Family history of colon cancer.", "colon cancer"),
    ("Father with coronary artery disease.", "coronary artery disease"),
])
def test_family(sentence: str, target: str) -> None:
    c = ctx(sentence, target)
    assert c.family and not c.historical  # family history is not the patient's history


def test_not_family() -> None:
    assert not ctx("Brought by her mother with fever.", "fever").family
    assert not ctx("Asthma exacerbation.", "Asthma exacerbation").family


def test_hypothetical() -> None:
    assert ctx("Return if chest pain recurs.", "chest pain").hypothetical
    assert not ctx("Chest pain since noon.", "Chest pain").hypothetical


def test_family_history_section_marks_its_statements() -> None:
    st = read("HPI: Cough.\nFAMILY HISTORY: Diabetes in sister. Hypertension.\nASSESSMENT: Bronchitis.")
    by_text = {s.text: s for s in st}
    assert by_text["Hypertension"].context.family
    assert by_text["Hypertension"].section == "family"
    assert not by_text["Bronchitis"].context.family
    assert by_text["Bronchitis"].section == "assessment"


def test_sections_and_offsets() -> None:
    text = "CC: Knee pain.\nASSESSMENT AND PLAN:\n1. Primary osteoarthritis, left knee.\n2. Obesity."
    kinds = [s.kind for s in sections(text)]
    assert kinds == ["hpi", "assessment"]
    st = [s for s in read(text) if s.section == "assessment"]
    assert [s.text for s in st] == ["Primary osteoarthritis, left knee", "Obesity"]
    for s in st:
        assert text[s.start:s.end] == s.text  # offsets point into the note


def test_sentences_keep_abbreviations_whole() -> None:
    got = [s.text for s in sentences("Seen by Dr. Osei today. Plan vs. observe.")]
    assert got == ["Seen by Dr. Osei today.", "Plan vs. observe."]


def test_clauses_split_before_uncertainty() -> None:
    s = sentences("Numbness of both feet, possibly diabetic neuropathy.")[0]
    assert [c.text for c in clauses(s)] == ["Numbness of both feet", "possibly diabetic neuropathy"]


def test_an_abbreviation_period_ends_no_clause() -> None:
    from workstation.suggest.context import Sentence, clauses

    s = Sentence("Urinary tract infection, E. coli", 0, 32)
    assert [c.text for c in clauses(s)] == ["Urinary tract infection, E. coli"]
    s = Sentence("Urinary tract infection. Sepsis", 0, 31)
    assert [c.text for c in clauses(s)] == ["Urinary tract infection", "Sepsis"]
