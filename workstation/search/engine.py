"""One search engine over every code set: a coder's words (or a code) in, ranked codes out.

Per keystroke:
1. A code or code prefix in any form ("E11.2", "e112", "0DT", "J11", "LT") goes straight to the
   sorted code lists.
2. Words become concepts: each word's stem, plus what an abbreviation stands for, plus the
   words it could be the start of (the word being typed) or a one-letter typo of.
3. Candidates come from the inverted index: the intersection of the concepts' entry sets
   (a concept that matches nothing with the rest is dropped rather than emptying the result),
   capped at 600 entries by their build-time prior (entries are numbered shortest first).
4. A cheap coverage score picks the best 100 entries; rapidfuzz rescores only those.
5. Entries fold into codes (best evidence wins, index-backed and billable preferred), filtered by
   code set and by the code year of the date of service.

Thread-safe: the index is immutable once loaded; the caches are lru_caches (locked internally).
"""
from __future__ import annotations

import gc
import heapq
import logging
import math
import re
import threading
from bisect import bisect_left
from dataclasses import asdict, dataclass, replace
from datetime import date as Date
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from workstation.search import ranking, sources as src
from workstation.search.abbreviations import expansions, normalize_query, phrase_expansions
from workstation.search.case_words import CaseWords, case_adjustment, descriptive_words, mce_penalty, read_case_words
from workstation.search.index import CodeRow, SearchIndex, build, load, save_cache
from workstation.search.tokenize import STOP_WORDS, stem, tokens, words

log = logging.getLogger(__name__)

SYSTEM_CHOICES = ("all", "icd10cm", "icd10pcs", "hcpcs")
MAX_CANDIDATES = 600    # entries scored cheaply (in Python: the main cost of a keystroke)
RERANK = 100            # entries rescored with rapidfuzz
_CODE_TOKEN = re.compile(r"^[A-Z0-9][A-Z0-9.]{1,7}-?$")
_FREE_STEMS = frozenset({"unspecifi", "nos"})  # see _text_hits
_INTENT_STEMS = frozenset({"accident", "intention", "intent", "self", "harm", "assault", "undetermin",
                           "suicid", "unintention", "homicid", "adverse", "effect", "underdos"})
_SECONDARY_STEMS = frozenset({"secondar", "metastat", "metastasi", "metastas", "mets", "spread"})
_NEGATOR_WORDS = frozenset({"without", "no", "not", "wo"})


@dataclass(frozen=True)
class SearchResult:
    code: str          # as published, with its dot (E11.22)
    system: str        # icd10cm | icd10pcs | hcpcs
    title: str
    billable: bool
    score: float       # 0-100
    via: str           # what matched: code, title, "inclusion term: ...", "index: ...", ...
    needs_seventh: bool = False  # an ICD-10-CM header one 7th character away from billable
    # An Index/Drug/Neoplasm/External cause hit (FY2025 tables) whose code is not valid in the
    # code year asked for: what replaced it (listed right after it) and why.
    replaced_by: tuple[str, ...] = ()
    note: str = ""

    @property
    def kind(self) -> str:
        """billable, needs a 7th character, a header (a category with codes below), or replaced
        (an index hit not valid in the year: its replacements follow it)."""
        if self.note:
            return "replaced in its year" if self.replaced_by else "not valid on its date"
        return "billable" if self.billable else ("needs 7th character" if self.needs_seventh else "header")

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["score"] = round(self.score, 1)
        return d


@dataclass
class _Concept:
    word: str
    exact: frozenset[int]
    loose: frozenset[int]      # exact plus prefix / typo / abbreviation matches
    weight: float
    loose_quality: float
    stems: frozenset[str]      # the stems that count as this word (for the 7th-character pick)
    seventh: bool              # the word belongs to 7th-character meanings (initial, sequela ...)
    said: str = ""             # stems the rerank compares ("type 2 diabet mellitus" for "dm2")
    size: int = 1              # how many entry words a match covers
    optional: frozenset[int] = frozenset()  # entries holding the word only as a nonessential modifier
    own: frozenset[int] = frozenset()       # entries holding the typed word itself (an abbreviation
    alt_said: str = ""                      # the books also use, "esrd"); elsewhere alt_said is compared


class SearchEngine:
    def __init__(self, index: SearchIndex | None = None, weights: ranking.Weights = ranking.WEIGHTS) -> None:
        self._index = index
        self.weights = weights  # every ranking weight (search/ranking.py)
        self._lock = threading.Lock()
        self._warm: threading.Thread | None = None
        self.load_seconds: float | None = None
        self.loaded_from: str = "given" if index is not None else ""
        if index is not None:
            self._prepare(index)

    # ------------------------------------------------------------ loading

    @property
    def index(self) -> SearchIndex:
        if self._index is None:
            with self._lock:
                if self._index is None:
                    import time

                    t = time.perf_counter()
                    idx = load()
                    self.loaded_from = "precompiled"
                    if idx is None:
                        # The compiled books changed since `codebooks build` made the index (or it
                        # was never made): build it now, and keep it for the next start.
                        idx = build()
                        self.loaded_from = "built in memory"
                        save_cache(idx)
                    self._prepare(idx)
                    self._index = idx
                    self.load_seconds = time.perf_counter() - t
                    # Half a million long-lived objects: move them out of the collector's sight,
                    # or every full collection rescans them (a 50-100 ms pause mid-keystroke).
                    gc.freeze()
        return self._index

    def _prepare(self, idx: SearchIndex) -> None:
        """Lookups derived from the index, built once."""
        self._n = max(idx.size, 1)
        # The deletes index for typo candidates is built lazily (or by warm()).
        self._deletes: dict[str, list[str]] | None = None
        self._sets = lru_cache(maxsize=8192)(self._posting_set)
        self._prefix_sets = lru_cache(maxsize=2048)(self._prefix_set)
        self._phrase_sets = lru_cache(maxsize=1024)(self._phrase_set)
        self._typos = lru_cache(maxsize=4096)(self._typo_words)
        self._year_bits_cached = lru_cache(maxsize=256)(self._year_bits_uncached)
        self._title_stems = lru_cache(maxsize=16384)(lambda r: frozenset(tokens(idx.codes[r].title)))
        # A 7th character's meaning (", initial encounter for closed fracture") recurs across
        # thousands of codes: cache its stems by the text, not by the code.
        self._meaning_stems = lru_cache(maxsize=4096)(lambda text: frozenset(tokens(text)))
        # Each stem once: an index main term's forms ("Infection, infected, infective") are one word.
        self._doc_stems = lru_cache(maxsize=65536)(
            lambda d: " ".join(dict.fromkeys(tokens(idx.doc_text[d]))))
        self._system_docs = lru_cache(maxsize=16)(self._docs_of_systems)
        self._all_systems = set(src.SYSTEMS)
        self._tiers = [frozenset(range(n)) for n in (4000, 20000, 80000) if n < idx.size]
        self._newest = {sys: (years[-1] if years else 0) for sys, years in idx.years.items()}

    @staticmethod
    def _intersect(usable: list[_Concept], restrict: frozenset[int] | None) -> tuple[frozenset[int], int]:
        """Entries matching as many of the words as possible: intersect the sets smallest first,
        skipping a word that would empty the result. A wrong rare word ("congen" matching one
        odd entry) must not decide alone, so up to three starting words are tried and the
        intersection that keeps the most words wins."""
        best: tuple[frozenset[int], int] = (frozenset(), -1)
        for start in range(min(3, len(usable))):
            full = usable[start].loose
            if restrict is not None:
                full = full & restrict
            if not full:
                continue
            n = 1
            for k, c in enumerate(usable):
                if k == start:
                    continue
                nxt = full & c.loose
                if nxt:
                    full = nxt
                    n += 1
            if n > best[1]:
                best = (full, n)
            if n == len(usable):
                break
        return best

    def _first(self, entries: frozenset[int] | set[int], k: int) -> list[int]:
        """The k lowest-numbered (best prior) entries of a set, without sorting a huge set:
        intersect it with the first few thousand entry numbers first (C speed)."""
        for tier in self._tiers:
            if len(tier) >= len(entries):
                break
            head = entries & tier
            if len(head) >= k:
                return sorted(head)[:k]
        return sorted(entries)[:k]

    def _docs_of_systems(self, systems: frozenset[str]) -> frozenset[int]:
        """Entries whose code belongs to one of the code sets (for a restricted search)."""
        idx = self.index
        codes = idx.codes
        return frozenset(d for d, r in enumerate(idx.doc_code) if codes[r].system in systems)

    def warm(self) -> threading.Thread:
        """Load (or build) the index in a background thread; search() waits for it if needed."""
        with self._lock:
            if self._warm is None:
                def run() -> None:
                    try:
                        self.index
                        self._deletes_index()
                        for q in ("diabetes type 2", "fracture femur", "e11.9", "0dt"):
                            self.search(q)  # first-call costs (rapidfuzz, caches) paid here
                        # The commonest words (left, right, open, approach ...) have the largest
                        # entry sets: make them now, not on the keystroke that first needs them.
                        idx = self.index
                        for s in heapq.nlargest(24, idx.postings, key=idx.df):
                            self._sets(s)
                        for letter in "abcdefghijklmnopqrstuvwxyz":
                            self._prefix_sets(letter)  # the first keystroke of every query
                            self._sets(letter)
                        gc.freeze()
                    except Exception:  # noqa: BLE001 - a failure resurfaces on the first search
                        log.exception("search: warming the index failed")
                self._warm = threading.Thread(target=run, name="search-warm", daemon=True)
                self._warm.start()
            return self._warm

    # ------------------------------------------------------------ entry sets

    def _posting_set(self, s: str) -> frozenset[int]:
        p = self._index.postings.get(s) if self._index else None
        return frozenset(p) if p is not None else frozenset()

    def _phrase_set(self, phrase: str) -> frozenset[int]:
        """Entries holding every word of a phrase (an abbreviation's expansion)."""
        stems = tokens(phrase)
        if not stems:
            return frozenset()
        sets = sorted((self._sets(s) for s in stems), key=len)
        out = sets[0]
        for s in sets[1:]:
            out = out & s
            if not out:
                break
        return out

    def _prefix_set(self, prefix: str) -> frozenset[int]:
        """Entries with a word starting with `prefix` (the word still being typed)."""
        idx = self.index
        ws = idx.words_sorted
        i = bisect_left(ws, prefix)
        stems: dict[str, int] = {}
        while i < len(ws) and ws[i].startswith(prefix):
            s = idx.word_stem[ws[i]]
            stems[s] = idx.df(s)
            i += 1
        if not stems:
            return frozenset()
        if len(prefix) <= 2 and len(stems) > 12:
            # One or two letters: only the commonest completions, and only their best entries.
            top = heapq.nlargest(12, stems, key=stems.__getitem__)
            out: set[int] = set()
            for s in top:
                out.update(idx.postings[s][:400])
            return frozenset(out)
        if len(prefix) == 3 and len(stems) > 4:
            # Three letters: every completion, but only its best (shortest) 2,000 entries; the
            # next keystroke narrows the word and the whole lists come back.
            out = set()
            for s in stems:
                out.update(idx.postings[s][:2000])
            return frozenset(out)
        return frozenset().union(*(self._sets(s) for s in stems))

    def _deletes_index(self) -> dict[str, list[str]]:
        """SymSpell-style: every word with one letter deleted -> the words it came from."""
        if self._deletes is None:
            d: dict[str, list[str]] = {}
            for w in self.index.word_stem:
                if len(w) < 4 or not w.isalpha():
                    continue
                d.setdefault(w, []).append(w)
                for i in range(len(w)):
                    d.setdefault(w[:i] + w[i + 1:], []).append(w)
            buckets: dict[str, list[str]] = {}
            for w in self.index.word_stem:
                if len(w) >= 6 and w.isalpha():
                    buckets.setdefault(w[:2], []).append(w)
            self._buckets = buckets
            self._deletes = d
        return self._deletes

    def _typo_words(self, word: str) -> tuple[str, ...]:
        """Indexed words one edit (insert, delete, substitute, transpose) from `word`; for long
        words with no such neighbour, two edits among the words sharing its first two letters."""
        d = self._deletes_index()
        found: set[str] = set(d.get(word, ()))
        for i in range(len(word)):
            found.update(d.get(word[:i] + word[i + 1:], ()))
        found.discard(word)
        near = tuple(w for w in found if DamerauLevenshtein.distance(w, word, score_cutoff=1) <= 1)
        if near or len(word) < 7:
            return near
        bucket = self._buckets.get(word[:2], [])
        hits = process.extract(word, bucket, scorer=DamerauLevenshtein.distance, score_cutoff=2, limit=5)
        return tuple(w for w, _dist, _i in hits)

    # ------------------------------------------------------------ query parsing

    def _concepts(self, query: str) -> list[_Concept]:
        idx = self.index
        ws = words(query)
        partial = bool(query) and not query[-1].isspace()
        out: list[_Concept] = []
        skip_next = False
        for j, w in enumerate(ws):
            if skip_next:
                skip_next = False
                continue
            typing = partial and j == len(ws) - 1
            if j + 1 < len(ws):
                lay = phrase_expansions(w, ws[j + 1])
                if lay:
                    # "heart attack": one concept, the two words or what they stand for.
                    exact = self._phrase_sets(f"{w} {ws[j + 1]}")
                    for phrase in lay:
                        exact = exact | self._phrase_sets(phrase)
                    said = " ".join(tokens(lay[0]))
                    df = len(exact)
                    weight = 2 * (math.log((self._n + 1) / (df + 1)) + 0.5 if df else 1.0)
                    out.append(_Concept(f"{w} {ws[j + 1]}", exact, exact, weight, 1.0,
                                        frozenset(tokens(lay[0]) + [stem(w), stem(ws[j + 1])]),
                                        False, said, len(said.split())))
                    skip_next = True
                    continue
            abbr = expansions(w)
            if w in STOP_WORDS and not abbr:
                continue
            s = stem(w)
            exact = self._sets(s)
            stems = {s}
            loose: frozenset[int] = exact
            quality = 0.85
            said = s  # what the rerank compares: the word, or what the abbreviation stands for
            alt_said = ""
            own = exact
            for phrase in abbr:
                ph = self._phrase_sets(phrase)
                if ph:
                    if said == s and not self._sets(s):
                        said = " ".join(tokens(phrase))
                    elif said == s and not alt_said:
                        # The books use the abbreviation too (HCPCS "ESRD"): entries that say it
                        # compare the word, the others what it stands for (N18.6 End stage ...).
                        alt_said = " ".join(tokens(phrase))
                    exact = exact | ph
                    stems.update(tokens(phrase))
            loose = exact
            # The word being typed, or a word the books never use whole ("congen", "hemorr"):
            # the start of longer words.
            if typing or (len(w) >= 4 and w not in idx.word_stem):
                pre = self._prefix_sets(w)
                loose = loose | pre
                # A complete word (or abbreviation) that matches as typed beats its longer completions.
                quality = 0.7 if exact else (0.9 if typing else 0.8)
            # A word the books never use may still share a stem with one ("carnial" -> "carn"
            # of "carneous"): look for its one-edit neighbours too ("cranial").
            if w not in idx.word_stem and len(w) >= 4 and w.isalpha() and (not typing or not loose):
                typo = self._typos(w)
                for t in typo:
                    ts = idx.word_stem[t]
                    stems.add(ts)
                    loose = loose | self._sets(ts)
                if typo and not (typing and len(loose) > len(exact)):
                    quality = 0.75
            if not loose:
                if typing and len(w) <= 2:
                    continue  # a letter or two that begins nothing: wait for more
                # A word found nowhere: keep it so coverage drops, but it cannot drive candidates.
            df = len(loose)
            weight = math.log((self._n + 1) / (df + 1)) + 0.5 if df else 1.0
            if typing and len(w) <= 2:
                weight *= 0.4  # the first letters of a word say little yet
            opt = idx.optional.get(s)
            out.append(_Concept(w, exact, loose, weight, quality, frozenset(stems),
                                s in idx.seventh_only, said, len(said.split()),
                                frozenset(opt) if opt is not None else frozenset(),
                                own if alt_said else frozenset(), alt_said))
        return out

    # ------------------------------------------------------------ search

    def search(self, query: str, system: str = "all", limit: int = 50,
               date: Date | str | None = None, sex: str | None = None,
               age: int | None = None) -> list[SearchResult]:
        """Ranked codes for what the coder typed; [] for an empty query.

        `sex` ("F"/"M") and `age` (years) are the patient's: ICD-10-CM codes the Medicare Code
        Editor would reject for them (gestational diabetes for a man, a newborn code for an
        adult) rank below the others, still listed (search/case_words.py)."""
        if system not in SYSTEM_CHOICES:
            raise ValueError(f"unknown code set {system!r}; choose one of {', '.join(SYSTEM_CHOICES)}")
        if not query or not query.strip() or limit <= 0:
            return []
        query = normalize_query(descriptive_words(query))
        words_of_case = read_case_words(query)
        idx = self.index
        years = self._year_bits(date)
        systems = set(src.SYSTEMS) if system == "all" else {system}
        if years.get("icd10cm") is None:
            systems.discard("icd10cm")  # no ICD-10-CM release covers the date
        pending: dict[int, tuple[float, str]] = {}
        code_hits, code_filter, text = self._code_hits(query, systems, years, limit)
        text_hits: list[tuple[int, float, str]] = []
        if text.strip():
            text_hits = self._text_hits(text, systems, years, limit, code_filter, words_of_case)
            if code_filter:
                if text_hits:
                    # "E11 ckd": words within the codes named; the codes themselves follow.
                    code_hits = [(row, score - self.weights.code_among_words) for row, score in code_hits]
                else:
                    # "LGMD R22 collagen": the code-like word was a word after all.
                    code_hits, text = [], query
                    text_hits = self._text_hits(text, systems, years, limit, [], words_of_case)
        for row, score in code_hits:
            pending[row] = (score, "code")
        for row, score, via in text_hits:
            if row not in pending or score > pending[row][0]:
                pending[row] = (score, via)
        codes = idx.codes
        if sex or age is not None:
            for row, (score, via) in list(pending.items()):
                c = codes[row]
                if c.system == "icd10cm":
                    pen = mce_penalty(c.code, sex, age)
                    if pen:
                        pending[row] = (score - pen, via)
        # Rank on the raw score (it can pass 100); show it clipped to 0-100.
        ranked = sorted(pending.items(), key=lambda kv: (-kv[1][0], codes[kv[0]].code))[:limit]
        q7 = (frozenset(tokens(text)) & idx.seventh_stems) if text.strip() else frozenset()
        return self._lead_to_replacements(
            [self._result(row, score, via, years, q7) for row, (score, via) in ranked], date, limit)

    @staticmethod
    def _hcpcs_on(results: list[SearchResult], day: str) -> list[SearchResult]:
        """HCPCS codes not valid on the date in the quarterly release in force then (added later,
        terminated, not in it) stay listed, not billable, with the reason."""
        from workstation.codes import hcpcs

        try:
            book = hcpcs.hcpcs(day)
        except Exception:  # noqa: BLE001 - no HCPCS book is the loader's error, not the search's
            return results
        out = []
        for r in results:
            why = book.invalid_on(r.code, day) if r.system == "hcpcs" and r.billable else ""
            out.append(replace(r, billable=False, note=why) if why else r)
        return out

    def _lead_to_replacements(self, results: list[SearchResult], date: Date | str | None,
                              limit: int) -> list[SearchResult]:
        """An Index/Drug/Neoplasm/External cause hit whose code is not valid in the code year of
        the date (the tables are FY2025's) is kept, marked not billable with the reason, and
        followed by what replaced it (`codes/dated.year_of`, as `index --date` says): FY2027
        M72.2 became a header, so M72.20-M72.22 follow it."""
        if date is not None and any(r.system == "hcpcs" for r in results):
            results = self._hcpcs_on(results, str(date))
        table_via = tuple(f"{src.KIND_LABELS[k]}:" for k in src.TABLE_KINDS)
        if not any(r.system == "icd10cm" and r.via.startswith(table_via) for r in results):
            return results
        from workstation.codes import books
        from workstation.codes.dated import YearCheck, year_of

        day = str(date) if date is not None else f"{books.icd10cm_years()[-1] - 1}-10-01"
        try:
            book = books.icd10cm(date=day)
        except books.NoRelease:
            return results
        # First what each stale hit is replaced by; then the list, each replacement moved up to
        # right after the hit it replaces (a lower title hit of the same code gives way to it).
        checks: dict[int, YearCheck] = {}
        claimed: set[str] = set()
        for i, r in enumerate(results):
            if r.system != "icd10cm" or not r.via.startswith(table_via):
                continue
            hit = book.get(r.code)
            if hit is not None and hit.billable:
                continue  # valid in the year
            y = year_of(r.code, day)
            if y.status not in ("valid", "incomplete"):
                checks[i] = y
                claimed.update(c for c in y.replaced_by if c != r.code)
        if not checks:
            return results
        out: list[SearchResult] = []
        placed: set[str] = set()
        for i, r in enumerate(results):
            if r.system == "icd10cm" and r.code in claimed and i not in checks:
                continue  # shown after the hit it replaces
            y = checks.get(i)
            if y is None:
                out.append(r)
                continue
            out.append(replace(r, billable=False, needs_seventh=False, replaced_by=tuple(y.replaced_by), note=y.message))
            for k, code in enumerate(y.replaced_by):
                c = book.get(code)
                if c is None or code in placed:
                    continue
                placed.add(code)
                out.append(SearchResult(c.code, "icd10cm", c.title, c.billable, max(0.0, r.score - 0.01 * (k + 1)),
                                        f"in place of {r.code} (FY{y.fiscal_year}): {r.via}",
                                        needs_seventh=book.needs_seventh(c.code)))
        return out[: max(limit, len(results))]

    def _year_bits(self, date: Date | str | None) -> dict[str, int | None]:
        """Per code set, the year bit codes must carry (0: that set has no years; None: no release)."""
        return self._year_bits_cached(None if date is None else str(date))

    def _year_bits_uncached(self, date: str | None) -> dict[str, int | None]:
        idx = self.index
        out: dict[str, int | None] = {}
        for sys in src.SYSTEMS:
            years = idx.years.get(sys) or []
            if not years:
                out[sys] = 0
                continue
            if date is None:
                out[sys] = 1 << (years[-1] - 2000)
                continue
            from workstation.codes import books

            try:
                fy = books.release_for_date(date, sys)["fiscal_year"]
            except books.NoRelease:
                out[sys] = None
                continue
            out[sys] = (1 << (fy - 2000)) if fy in years else None
        return out

    def no_release(self, date: Date | str) -> bool:
        """True when no compiled ICD-10-CM release covers the date (its codes are left out)."""
        return self._year_bits(date).get("icd10cm") is None

    def _allowed(self, row: CodeRow, systems: set[str], years: dict[str, int | None]) -> bool:
        if row.system not in systems:
            return False
        bit = years.get(row.system)
        return bit == 0 or bool(bit and row.years & bit)

    def _code_hits(self, query: str, systems: set[str], years: dict[str, int | None],
                   limit: int) -> tuple[list[tuple[int, float]], list[str], str]:
        """Codes named by code-shaped words; the bare prefixes (to filter the text hits); the words left."""
        idx = self.index
        w = self.weights
        hits: list[tuple[int, float]] = []
        prefixes: list[str] = []
        rest: list[str] = []
        parts = query.split()
        for part in parts:
            u = part.upper().rstrip(".-")
            if len(parts) > 1 and len(u.replace(".", "")) < 3:
                rest.append(part)  # "type B3", "C5-C6": too short to be a code among words
                continue
            found = False
            # An abbreviation is a word even when it looks like a code ("DM2" is also a PCS
            # table, "LT" a modifier): alone it is looked up both ways, codes ranked below words.
            abbr = bool(expansions(part)) and "." not in part
            if abbr and len(parts) > 1:
                rest.append(part)
                continue
            if _CODE_TOKEN.match(u) and (any(ch.isdigit() for ch in u) or len(u) == 2):
                bare = u.replace(".", "")
                for sys in systems:
                    keys, rows = idx.code_keys.get(sys, ([], ()))
                    i = bisect_left(keys, bare)
                    n = 0
                    while i < len(keys) and keys[i].startswith(bare) and n < limit:
                        key, row = keys[i], rows[i]
                        i += 1
                        if len(bare) == 2 and key != bare and not any(ch.isdigit() for ch in bare):
                            break  # two letters name a modifier, never a prefix of codes
                        if not self._allowed(idx.codes[row], systems, years):
                            continue
                        extra = len(key) - len(bare)
                        score = ranking.code_match(extra, abbr, w)
                        if extra == 0 and len(bare) == 5 and self._also_other_system(bare, sys):
                            score += ranking.dotless_code(sys, "." in u, w)
                        hits.append((row, score))
                        n += 1
                        found = True
                if found and any(ch.isdigit() for ch in bare) and not abbr:
                    prefixes.append(bare)
                    continue
            rest.append(part)
        text = " ".join(rest)
        if query[-1:].isspace():
            text += " "
        return hits, prefixes, text

    def _also_other_system(self, bare: str, system: str) -> bool:
        for other, (keys, _rows) in self.index.code_keys.items():
            if other != system:
                i = bisect_left(keys, bare)
                if i < len(keys) and keys[i] == bare:
                    return True
        return False

    def _text_hits(self, query: str, systems: set[str], years: dict[str, int | None], limit: int,
                   code_filter: list[str], cw: CaseWords | None = None) -> list[tuple[int, float, str]]:
        idx = self.index
        w = self.weights
        doc_code = idx.doc_code
        concepts = self._concepts(query)
        negated_words: set[str] = set()
        if cw is not None and cw.negated:
            # "without peritonitis": what the note says is absent must not pick the candidates,
            # and counts for little in the coverage; case_adjustment ranks the entries that
            # have it after "with" down and those that have it after "without" up.
            for c in concepts:
                if c.word in _NEGATOR_WORDS or c.stems <= cw.negated:
                    c.weight *= w.negated_word
                    negated_words.add(c.word)
        if not concepts:
            return []
        usable = sorted((c for c in concepts if c.loose), key=lambda c: len(c.loose))
        # Words of 7th-character meanings ("initial", "closed") are carried by the header's
        # 7th character, not its title: they must not pick the candidates unless alone.
        drivers = [c for c in usable if not c.seventh and c.word not in negated_words]
        usable = drivers or usable
        if not usable:
            return []
        restrict = self._system_docs(frozenset(systems)) if systems != self._all_systems else None
        full, _n = self._intersect(usable, restrict)
        if code_filter:
            pre = tuple(code_filter)
            full = frozenset(d for d in full if idx.codes[doc_code[d]].code.replace(".", "").startswith(pre))
            if not full:
                return []
        if len(full) > MAX_CANDIDATES:
            cand: list[int] | frozenset[int] = self._first(full, MAX_CANDIDATES)
        else:
            cand = full
            if len(usable) > 1 and len(full) < 300:
                # Entries lacking one of the words still deserve a look (a word the entry puts
                # differently), after every entry that has them all.
                budget = (MAX_CANDIDATES - len(full)) // len(usable)
                extra: set[int] = set()
                for skip in range(len(usable)):
                    rest = [c.loose for k, c in enumerate(usable) if k != skip]
                    s = rest[0]
                    for r in rest[1:]:
                        s = s & r
                        if not s:
                            break
                    s = s - full
                    extra.update(self._first(s, budget) if len(s) > budget else s)
                cand = full | extra
        total = sum(c.weight for c in concepts) or 1.0
        doc_code, doc_kind, doc_len, codes = idx.doc_code, idx.doc_kind, idx.doc_len, idx.codes
        scored: list[tuple[float, int, float, int]] = []
        # The weights as locals: this loop runs for up to 600 entries per keystroke.
        optional_w, seventh_w = w.optional_word, w.seventh_word
        loose_w, loose_cap, index_w, codeable_w = w.cheap_loose_word, w.cheap_loose_cap, w.cheap_index, w.cheap_codeable
        for d in cand:
            code, system, _title, billable, mask, needs7, _parent = codes[doc_code[d]]  # a CodeRow
            if system not in systems:
                continue
            bit = years.get(system)
            if bit and not mask & bit and not (system == "icd10cm" and doc_kind[d] in src.TABLE_KINDS):
                continue  # (an index hit on a code deleted since is kept: it leads to the replacement)
            if bit is None:
                continue
            if code_filter and not any(code.replace(".", "").startswith(p) for p in code_filter):
                continue
            cov = 0.0
            matched = 0
            for c in concepts:
                if d in c.exact:
                    if d in c.optional:
                        # Only a parenthesised nonessential word of the path ("urinary (tract)"):
                        # it may be present or not without changing the code, so typing it is
                        # (almost) as good as the path saying it.
                        cov += c.weight * optional_w
                        matched += c.size
                    else:
                        cov += c.weight
                        matched += c.size
                elif d in c.loose:
                    cov += c.weight * c.loose_quality
                    matched += 1
                elif c.seventh and needs7:
                    cov += c.weight * seventh_w  # the header's 7th character will carry this word
            cov /= total
            kind = doc_kind[d]
            loose_words = max(0, doc_len[d] - matched)
            cheap = cov - loose_w * min(loose_words, loose_cap) \
                + (index_w if kind in src.INDEX_KINDS else 0.0) \
                + (codeable_w if (billable or needs7) else 0.0)
            scored.append((cheap, d, cov, matched))
        top = heapq.nlargest(RERANK, scored)
        qtext = _once(" ".join(c.said for c in concepts))
        any_optional = any(c.optional for c in concepts)
        any_alt = any(c.alt_said for c in concepts)
        q_stems = frozenset().union(*(c.stems for c in concepts))
        # Poisoning with no intent documented is coded accidental (ICD-10-CM guideline
        # I.C.19.e.5.b): the Drug table's accidental column comes first then.
        default_accidental = "poison" in q_stems and q_stems.isdisjoint(_INTENT_STEMS)
        free = _FREE_STEMS.difference(qtext.split())
        # A malignancy not documented as secondary (metastatic) is the primary site: "breast
        # cancer" is C50.-, not C79.81 (Neoplasm table: the Malignant Primary column).
        default_primary = "malignant" in q_stems and q_stems.isdisjoint(_SECONDARY_STEMS)
        best: dict[int, tuple[float, str]] = {}
        injury_words: list[frozenset[int]] = []      # the concepts each injury entry holds
        ext_missing: dict[int, frozenset[int]] = {}  # external cause code -> concepts it lacks
        seventh_ids = frozenset(i for i, c in enumerate(concepts) if c.seventh)
        # The conventions of search/ranking.py, bound once for the loop (100 entries per keystroke).
        index_entry, accidental_poisoning, lost_subterm = ranking.index_entry, ranking.accidental_poisoning, ranking.lost_subterm
        inclusion_term, primary_unless_secondary, codeable = ranking.inclusion_term, ranking.primary_unless_secondary, ranking.codeable
        for cheap, d, cov, matched in top:
            code_row = doc_code[d]
            row = codes[code_row]
            text = idx.doc_text[d]
            dtext = self._doc_stems(d)
            if (any_optional and any(d in c.optional for c in concepts)) or \
                    (any_alt and any(c.alt_said and d not in c.own for c in concepts)):
                # A word the path holds only in parentheses ("urinary (tract)") is not in its
                # text: leave it out of the comparison rather than count it missing. An
                # abbreviation the entry does not use itself compares as what it stands for.
                qtext_d = _once(" ".join(c.said if (not c.alt_said or d in c.own) else c.alt_said
                                         for c in concepts if d not in c.optional))
            else:
                qtext_d = qtext
            n = doc_len[d]
            if free and not free.isdisjoint(dtext.split()):
                # "Unspecified" / "NOS" is what a note that says no more is coded to: an entry
                # is not less likely for saying it ("fracture of lower end of left radius":
                # Unspecified fracture ... before Torus fracture ...).
                kept = [w for w in dtext.split() if w not in free]
                n -= len(dtext.split()) - len(kept)
                dtext = " ".join(kept)
            # set ratio: are the query's words there; sort ratio: how little else is there.
            sim = (fuzz.token_set_ratio(qtext_d, dtext) + fuzz.token_sort_ratio(qtext_d, dtext)) / 200.0
            tight = min(1.0, matched / max(n, 1))
            kind = doc_kind[d]
            score = 100.0 * (w.coverage * cov + w.similarity * sim + w.tightness * tight)
            score += index_entry(kind, w)
            score += accidental_poisoning(default_accidental, kind, text, w)
            score += lost_subterm(kind, text, w)
            score += inclusion_term(kind, w)
            if row.system == "icd10cm" and row.code[:1] in "VWXYST":
                have = frozenset(i for i, c in enumerate(concepts) if d in c.loose)
                if row.code[:1] in "ST":
                    injury_words.append(have)
                else:
                    missing = frozenset(range(len(concepts))) - have - seventh_ids
                    if missing:
                        ext_missing[code_row] = ext_missing.get(code_row, missing) & missing
            score += primary_unless_secondary(default_primary, text, w)
            score += codeable(row.billable, row.needs_seventh, w)
            if cw is not None:
                # "without peritonitis", "left knee": the words that tell sibling codes apart
                # (the entry's text, and the code's own title for index entries).
                score += case_adjustment(cw, text if kind == src.KIND_TITLE else f"{text} | {row.title}", w)
            prev = best.get(code_row)
            if prev is None or score > prev[0]:
                best[code_row] = (score, self._via(kind, text))
            elif prev is not None:
                best[code_row] = (ranking.more_evidence(prev[0], w), prev[1])
        # "dog bite of hand": the injury before the external cause (ranking.external_cause_after_injury).
        for r, missing in ext_missing.items():
            if r in best and any(missing <= have for have in injury_words):
                sc, via = best[r]
                best[r] = (ranking.external_cause_after_injury(sc, w), via)
        self._children_first(best)
        out = [(r, s, v) for r, (s, v) in best.items()]
        out.sort(key=lambda x: -x[1])
        return out[: max(limit * 2, limit)]

    def _children_first(self, best: dict[int, tuple[float, str]]) -> None:
        """A PCS table row (0DTJ) points to its codes: when one of its valid codes is among the
        hits, the table ranks just below the best of them, so the code a coder can assign comes
        first ("lap appy": 0DTJ4ZZ, then the 0DTJ table). ICD-10-CM headers keep their place:
        an index entry such as "C50.4-" names the header because the words do not decide the
        code below it (laterality, 7th character), and the app asks for it."""
        codes = self.index.codes
        heads = [r for r in best if codes[r].system == "icd10pcs" and not codes[r].billable]
        if not heads:
            return
        billable = [(codes[r].code.replace(".", ""), best[r][0]) for r in best if codes[r].billable or codes[r].needs_seventh]
        for h in heads:
            key = codes[h].code.replace(".", "")
            top = max((sc for c, sc in billable if c.startswith(key) and c != key), default=None)
            if top is not None and best[h][0] >= top:
                best[h] = (ranking.table_below_code(top, self.weights), best[h][1])

    @staticmethod
    def _via(kind: int, text: str) -> str:
        if kind == src.KIND_TITLE:
            return "title"
        return f"{src.KIND_LABELS.get(kind, 'entry')}: {text}"

    # ------------------------------------------------------------ results

    def _result(self, row: int, score: float, via: str, years: dict[str, int | None],
                q7: frozenset[str] = frozenset()) -> SearchResult:
        idx = self.index
        code, system, title, billable, _mask, needs7, _parent = idx.codes[row]
        if needs7 and q7:
            pick = self._seventh_pick(row, q7)
            if pick is not None:
                c = idx.codes[pick]
                return SearchResult(c.code, c.system, self._title(pick, years), True, _shown(score), via)
        bit = years.get(system)
        if system == "icd10cm" and bit and bit != (1 << (self._newest.get(system, 2000) - 2000)):
            # The row carries the newest year's flags: M72.2 is a header in FY2027, billable in FY2026.
            from workstation.codes import books

            book = books.icd10cm(bit.bit_length() - 1 + 2000)
            c = book.get(code)
            if c is not None:
                billable, needs7 = c.billable, book.needs_seventh(c.code)
        return SearchResult(code, system, self._title(row, years), bool(billable), _shown(score), via,
                            needs_seventh=bool(needs7))

    def _title(self, row: int, years: dict[str, int | None]) -> str:
        """The title in the code year asked for (titles can change from one year to the next)."""
        idx = self.index
        code, system, title = idx.codes[row][:3]
        bit = years.get(system)
        if system == "icd10cm" and bit and bit != (1 << (self._newest.get(system, 2000) - 2000)):
            from workstation.codes import books

            fy = bit.bit_length() - 1 + 2000
            c = books.icd10cm(fy).get(code)
            if c is not None:
                return c.title
        return title

    def _seventh_pick(self, head: int, q7: frozenset[str]) -> int | None:
        """The 7th-character code the query's words point to (initial / subsequent / sequela ...)."""
        idx = self.index
        ht = idx.codes[head].title
        q = q7 - self._title_stems(head)
        if not q:
            return None
        kids = [(k, q & self._meaning_stems(idx.codes[k].title[len(ht):])) for k in idx.seventh_children(head)]
        # A word that names one 7th character ("sequela") decides more than one shared by
        # several ("closed": initial, subsequent routine / delayed healing ...).
        spread: dict[str, int] = {}
        for _k, hit in kids:
            for w in hit:
                spread[w] = spread.get(w, 0) + 1
        best, best_score = None, 0.0
        for k, hit in kids:
            score = sum(1.0 / spread[w] for w in hit)
            if score > best_score:
                best, best_score = k, score
        return best


def _once(text: str) -> str:
    """Each word once ("disease diseased vein" -> "diseas vein"), as the entries are compared."""
    return " ".join(dict.fromkeys(text.split()))


def _shown(score: float) -> float:
    return round(max(0.0, min(100.0, score)), 2)


_engine: SearchEngine | None = None
_engine_lock = threading.Lock()


def get_engine() -> SearchEngine:
    """The process-wide engine (the index itself loads on first search or on warm())."""
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                _engine = SearchEngine()
    return _engine
