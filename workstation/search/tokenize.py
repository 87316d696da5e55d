"""Words of a query or an entry: lower-case tokens, stop words dropped, inflections folded by a light stemmer.

The same functions run on the indexed text (at build time) and on what the coder types, so a
stem only has to be consistent, not a real word: "fracture", "fractured" and "fractures" all
become "fractur"; "ulcer", "ulcers", "ulceration", "ulcerated" become "ulcer".
"""
from __future__ import annotations

import re
from functools import lru_cache

# Words that carry no meaning for finding a code (the brief's list, plus a few connectors
# that the tabular and the index use everywhere).
STOP_WORDS = frozenset("with due to of the and by from in a an or for on at as is".split())
# Not stop words, on purpose: "without" ("without perceptual disturbance"), "other" ("Other
# piroplasmosis" is not "unspecified"), "not" and "no": they tell sibling codes apart.

_WORD = re.compile(r"[a-z0-9]+")

# Derivational and inflectional endings, longest first; each strip must leave a stem of at least
# MIN_STEM characters, so short words ("ulna", "rib", "eye") stay whole.
_SUFFIXES = (
    "izations", "ization", "ational", "ations", "ation", "ically", "ities", "ively",
    "ments", "ment", "ness", "ical", "ated", "ating", "ates", "ions", "ion", "ing", "ity",
    "ive", "ial", "ous", "ate", "ed", "es", "ic", "al", "ly", "s", "y", "e",
)
MIN_STEM = 4


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A light, deterministic suffix stripper (one pass of plural, then one derivational ending)."""
    if len(word) <= MIN_STEM or not word.isalpha():
        return word
    w = word
    if w.endswith("ies") and len(w) - 3 >= MIN_STEM - 1:
        w = w[:-3] + "y"
    elif w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) - 1 >= MIN_STEM:
        w = w[:-1]
    if w.endswith("itis"):
        return w  # keep inflammation terms whole: arthritis is not arthro-
    for suf in _SUFFIXES:
        if w.endswith(suf) and len(w) - len(suf) >= MIN_STEM:
            w = w[: -len(suf)]
            break
    # A final "e" or "y" left by the plural rule ("fractures" -> "fracture" -> "fractur").
    if w.endswith(("e", "y")) and len(w) - 1 >= MIN_STEM:
        w = w[:-1]
    return w


def words(text: str) -> list[str]:
    """Lower-case alphanumeric runs; apostrophe-s dropped ("Aarskog's" -> "aarskog")."""
    t = text.lower().replace("'s ", " ").replace("\u2019s ", " ")
    if t.endswith(("'s", "\u2019s")):
        t = t[:-2]
    return _WORD.findall(t)


def tokens(text: str) -> list[str]:
    """Stems of the meaningful words of a text, in order (duplicates kept)."""
    return [stem(w) for w in words(text) if w not in STOP_WORDS]

