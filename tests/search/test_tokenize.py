from workstation.search.abbreviations import ABBREVIATIONS, expansions
from workstation.search.tokenize import STOP_WORDS, stem, tokens


def test_inflections_fold_to_one_stem():
    assert stem("fracture") == stem("fractured") == stem("fractures")
    assert stem("ulcer") == stem("ulceration") == stem("ulcerated") == stem("ulcers")
    assert stem("diabetes") == stem("diabetic")
    assert stem("hypertension") == stem("hypertensive")


def test_short_words_and_inflammations_stay_whole():
    assert stem("rib") == "rib"
    assert stem("ulna") == "ulna"
    assert stem("arthritis") == "arthritis"
    assert stem("arthritis") != stem("arthrosis")


def test_stop_words_dropped_and_possessive_removed():
    for w in ("with", "due", "to", "of", "the", "and", "by", "from", "in"):
        assert w in STOP_WORDS
    assert tokens("Fracture of the neck of femur") == [stem("fracture"), "neck", "femur"]
    assert tokens("Aarskog's syndrome") == ["aarskog", stem("syndrome")]


def test_abbreviations_expand_to_words_not_codes():
    assert "chronic kidney disease" in expansions("CKD")
    assert "type 2 diabetes mellitus" in expansions("t2dm")
    assert expansions("dm2") == expansions("t2dm")
    assert expansions("diabetes") == ()
    for abbr, phrases in ABBREVIATIONS.items():
        assert abbr == abbr.lower()
        for p in phrases:
            assert not any(ch.isdigit() for ch in p.replace("2", "").replace("1", "").replace("3", "")
                           .replace("4", "").replace("5", "").replace("9", "")), p
