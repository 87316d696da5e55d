"""The documentation-gap rules (rules.toml beside this module) as typed data, loaded once."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Union

RULES_FILE = Path(__file__).with_name("rules.toml")


class RulesError(Exception):
    """rules.toml is malformed: the message names the rule and what is wrong."""


@dataclass(frozen=True)
class Words:
    words: tuple[str, ...]


@dataclass(frozen=True)
class Coded:
    prefixes: tuple[str, ...]


@dataclass(frozen=True)
class Value:
    measure: str
    below: float | None = None
    above: float | None = None
    sex: str = ""  # "F" or "M": only for that sex
    age_below: float | None = None
    age_from: float | None = None


@dataclass(frozen=True)
class AnyOf:
    clauses: tuple["Clause", ...]
    at_least: int = 1


@dataclass(frozen=True)
class NoneOf:
    clauses: tuple["Clause", ...]


Clause = Union[Words, Coded, Value, AnyOf, NoneOf]


@dataclass(frozen=True)
class Measure:
    name: str
    pattern: re.Pattern[str]
    units: str


@dataclass(frozen=True)
class Axis:
    name: str
    title_words: frozenset[str]
    source: str
    query_without_indicators: bool = False
    min_words: int = 2


@dataclass(frozen=True)
class Specificity:
    id: str
    topic: str
    axis: str
    codes: tuple[str, ...]
    title_starts: str
    when: tuple[Clause, ...]
    question: str
    options: tuple[str, ...]  # codes (titles from the book) or "text:..." for a free option
    source: str


@dataclass(frozen=True)
class Indicator:
    id: str
    topic: str
    when: tuple[Clause, ...]
    unless_coded: tuple[str, ...]
    documented: tuple[str, ...]
    question: str
    options: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class Symptom:
    symptom: tuple[str, ...]
    explained_by: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class Episode:
    id: str
    seventh: tuple[str, ...]
    when: tuple[Clause, ...]
    action: str  # "query" or "code"
    question: str
    suggest: str  # the 7th character the record points to
    source: str


@dataclass(frozen=True)
class Conflict:
    topic: str
    codes: tuple[str, ...]
    terms: tuple[str, ...]  # mutually exclusive: two documents may not each use a different one
    also_allowed: tuple[str, ...]  # a document with one of these reconciles them ("combined")
    source: str


@dataclass(frozen=True)
class Rules:
    sources: dict[str, str]
    axes: tuple[Axis, ...]  # in the order they are tried; "type" last
    generic_words: frozenset[str]
    abbreviations: dict[str, str]
    measures: dict[str, Measure]
    specificity: tuple[Specificity, ...]
    indicators: tuple[Indicator, ...]
    symptoms: tuple[Symptom, ...] = field(default=())
    conflicts: tuple[Conflict, ...] = field(default=())
    episodes: tuple[Episode, ...] = field(default=())

    def source(self, key: str) -> str:
        return self.sources.get(key, key)


def _clause(raw: dict[str, object], where: str, measures: dict[str, Measure]) -> Clause:
    if "words" in raw:
        return Words(tuple(str(w).lower() for w in raw["words"]))  # type: ignore[union-attr]
    if "coded" in raw:
        return Coded(tuple(str(c).upper() for c in raw["coded"]))  # type: ignore[union-attr]
    if "value" in raw:
        m = str(raw["value"])
        if m not in measures:
            raise RulesError(f"{where}: unknown measure {m!r}")
        num = lambda k: None if k not in raw else float(raw[k])  # type: ignore[arg-type]  # noqa: E731
        v = Value(m, num("below"), num("above"), str(raw.get("sex", "")), num("age_below"), num("age_from"))
        if v.below is None and v.above is None:
            raise RulesError(f"{where}: value {m!r} needs below or above")
        return v
    if "any" in raw:
        return AnyOf(tuple(_clause(c, where, measures) for c in raw["any"]))  # type: ignore[union-attr]
    if "of" in raw:
        return AnyOf(tuple(_clause(c, where, measures) for c in raw["of"]), int(raw.get("at_least", 1)))  # type: ignore[union-attr, arg-type]
    if "not" in raw:
        return NoneOf(tuple(_clause(c, where, measures) for c in raw["not"]))  # type: ignore[union-attr]
    raise RulesError(f"{where}: a clause needs words, coded, value, any, of or not: {raw}")


def parse(doc: dict[str, object]) -> Rules:
    sources = {str(k): str(v) for k, v in doc.get("sources", {}).items()}  # type: ignore[union-attr]
    axes_doc = dict(doc.get("axes", {}))  # type: ignore[arg-type]
    generic = frozenset(str(w) for w in axes_doc.pop("generic_words", []))
    axes = []
    for name, a in axes_doc.items():
        axes.append(Axis(name, frozenset(str(w) for w in a.get("title_words", [])), str(a.get("source", "")),
                         bool(a.get("query_without_indicators", False)), int(a.get("min_words", 2))))
    axes.sort(key=lambda a: a.name == "type")
    measures = {name: Measure(name, re.compile(str(m["pattern"]), re.IGNORECASE), str(m.get("units", "")))
                for name, m in doc.get("measures", {}).items()}  # type: ignore[union-attr]

    def need_source(key: str, where: str) -> str:
        if key not in sources:
            raise RulesError(f"{where}: source {key!r} is not in [sources]")
        return key

    spec = []
    for r in doc.get("specificity", []):  # type: ignore[union-attr]
        where = f"specificity {r.get('id')}"
        spec.append(Specificity(str(r["id"]), str(r["topic"]), str(r.get("axis", "type")),
                                tuple(str(c).upper() for c in r.get("codes", [])), str(r.get("title_starts", "")),
                                tuple(_clause(c, where, measures) for c in r.get("when", [])), str(r["question"]),
                                tuple(str(o) for o in r.get("options", [])), need_source(str(r["source"]), where)))
    ind = []
    for r in doc.get("indicator", []):  # type: ignore[union-attr]
        where = f"indicator {r.get('id')}"
        ind.append(Indicator(str(r["id"]), str(r["topic"]), tuple(_clause(c, where, measures) for c in r["when"]),
                             tuple(str(c).upper() for c in r.get("unless_coded", [])),
                             tuple(str(w).lower() for w in r.get("documented", [])), str(r["question"]),
                             tuple(str(o) for o in r.get("options", [])), need_source(str(r["source"]), where)))
    sym = [Symptom(tuple(s["symptom"]), tuple(s["explained_by"]), need_source(str(s["source"]), "symptom"))
           for s in doc.get("symptom", [])]  # type: ignore[union-attr]
    conf = [Conflict(str(c["topic"]), tuple(str(x).upper() for x in c["codes"]), tuple(str(t).lower() for t in c["terms"]),
                     tuple(str(t).lower() for t in c.get("also_allowed", [])), need_source(str(c["source"]), "conflict"))
            for c in doc.get("conflict", [])]  # type: ignore[union-attr]
    epi = [Episode(str(e["id"]), tuple(str(x).upper() for x in e["seventh"]),
                   tuple(_clause(c, f"episode {e['id']}", measures) for c in e["when"]), str(e["action"]),
                   str(e.get("question", "")), str(e["suggest"]).upper(), need_source(str(e["source"]), "episode"))
           for e in doc.get("episode", [])]  # type: ignore[union-attr]
    return Rules(sources, tuple(axes), generic, {str(k): str(v) for k, v in doc.get("abbreviations", {}).items()},  # type: ignore[union-attr]
                 measures, tuple(spec), tuple(ind), tuple(sym), tuple(conf), tuple(epi))


@lru_cache(maxsize=4)
def load(path: Path = RULES_FILE) -> Rules:
    try:
        return parse(tomllib.loads(path.read_text(encoding="utf-8")))
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise RulesError(f"{path.name}: {exc}") from exc
