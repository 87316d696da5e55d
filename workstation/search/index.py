"""The inverted index search runs on: stems -> entries, words for prefix and typo expansion, codes.

Built from the compiled code books (`sources.collect`) and, when `workstation codebooks build`
has run, precompiled to `codebooks/search-index.json.gz` so that loading it is a single orjson
read. The precompiled file records the sha256 of every book it was made from; a stale or
missing file is rebuilt in memory at load time instead (slower, same result).
"""
from __future__ import annotations

import base64
import gc
import logging
from array import array
from bisect import bisect_left
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, NamedTuple

from workstation.search import sources as src
from workstation.search.tokenize import STOP_WORDS, stem, tokens, words

log = logging.getLogger(__name__)

BOOK = "search-index"
FORMAT = 7

# Evidence kinds in the order their entries are numbered (after length): lower entry numbers
# are better priors, so truncating a long posting list keeps short, index-backed, billable entries.
_KIND_RANK = {
    src.KIND_INDEX: 0, src.KIND_DRUG: 0, src.KIND_NEOPLASM: 0, src.KIND_EINDEX: 1,
    src.KIND_PCS_INDEX: 1, src.KIND_TITLE: 1, src.KIND_INCLUSION: 2, src.KIND_MODIFIER: 3,
}


class CodeRow(NamedTuple):
    """One code of the index (a row of `SearchIndex.codes`)."""

    code: str            # as published, with its dot (E11.22)
    system: str          # icd10cm | icd10pcs | hcpcs
    title: str           # in the newest year indexed
    billable: bool       # in the newest year indexed
    years: int           # bit (year - 2000) set for every fiscal year the code is valid in
    needs_seventh: bool  # an ICD-10-CM header one 7th character away from billable
    parent: int          # row of the code it extends by a 7th character, else -1


@dataclass
class SearchIndex:
    codes: list[CodeRow]
    doc_code: array                   # entry -> code row
    doc_kind: bytes                   # entry -> kind
    doc_len: bytes                    # entry -> number of meaningful stems (capped at 255)
    doc_text: list[str]               # entry -> text as published (path, term, title)
    postings: dict[str, array]        # stem -> sorted entry numbers
    word_stem: dict[str, str]         # every indexed word -> its stem
    optional: dict[str, array] = field(default_factory=dict)  # stem -> entries where it is only nonessential
    sources: dict[str, Any] = field(default_factory=dict)
    years: dict[str, list[int]] = field(default_factory=dict)
    seventh_stems: frozenset[str] = frozenset()  # stems of 7th-character meanings (initial, sequela ...)
    seventh_only: frozenset[str] = frozenset()   # ... that no header title uses ("fracture" is not one)
    words_sorted: list[str] = field(default_factory=list)
    # per code set: bare codes sorted ("E1122"), and the code row of each
    code_keys: dict[str, tuple[list[str], array]] = field(default_factory=dict)

    def finish(self) -> "SearchIndex":
        """Derive what was not stored (only for an index built in memory)."""
        if not self.words_sorted:
            self.words_sorted = sorted(self.word_stem)
        if not self.code_keys:
            keys: dict[str, list[tuple[str, int]]] = {}
            for i, row in enumerate(self.codes):
                keys.setdefault(row.system, []).append((row.code.replace(".", ""), i))
            for sys, v in keys.items():
                v.sort()
                self.code_keys[sys] = ([k for k, _ in v], array("i", [r for _, r in v]))
        if not self.seventh_stems:
            stems: set[str] = set()
            heads: set[int] = set()
            for row in self.codes:
                p = row.parent
                if p >= 0 and self.codes[p].needs_seventh:
                    stems.update(tokens(row.title[len(self.codes[p].title):]))
                    heads.add(p)
            in_titles: set[str] = set()
            for h in heads:
                in_titles.update(tokens(self.codes[h].title))
            self.seventh_stems = frozenset(stems)
            self.seventh_only = frozenset(stems - in_titles)
        return self

    def seventh_children(self, head: int) -> list[int]:
        """Rows of the codes a 7th character makes of a header (S72.001 -> S72.001A ... S72.001S)."""
        code, system = self.codes[head].code, self.codes[head].system
        keys, rows = self.code_keys.get(system, ([], array("i")))
        bare = code.replace(".", "")
        i = bisect_left(keys, bare)
        out = []
        while i < len(keys) and keys[i].startswith(bare):
            if self.codes[rows[i]].parent == head:
                out.append(rows[i])
            i += 1
        return out

    def df(self, s: str) -> int:
        p = self.postings.get(s)
        return len(p) if p is not None else 0

    @property
    def size(self) -> int:
        return len(self.doc_text)

    # -------------------------------------------------------- (de)serialise

    def to_doc(self) -> dict[str, Any]:
        """Columnar and packed: a few long strings and base64 integer arrays load far faster
        than 200,000 small JSON lists."""
        stems = list(self.postings)
        offsets = array("I", [0])
        data = array("i")
        for st in stems:
            data.extend(self.postings[st])
            offsets.append(len(data))
        stem_no = {st: i for i, st in enumerate(stems)}
        word_list = self.words_sorted or sorted(self.word_stem)
        cols = list(zip(*self.codes)) if self.codes else [()] * 7
        return {
            "format": FORMAT,
            "sources": self.sources,
            "years": self.years,
            "codes": {
                "code": "\n".join(cols[0]),
                "system": "".join(_SYS_LETTER[x] for x in cols[1]),
                "title": "\n".join(cols[2]),
                "billable": "".join("1" if x else "0" for x in cols[3]),
                "mask": _b64(array("I", cols[4])),
                "needs7": "".join("1" if x else "0" for x in cols[5]),
                "parent": _b64(array("i", cols[6])),
            },
            "code_keys": {sys: {"keys": "\n".join(k), "rows": _b64(r)} for sys, (k, r) in self.code_keys.items()},
            "seventh_stems": sorted(self.seventh_stems),
            "seventh_only": sorted(self.seventh_only),
            "doc_code": _b64(self.doc_code),
            "doc_kind": base64.b64encode(self.doc_kind).decode(),
            "doc_len": base64.b64encode(self.doc_len).decode(),
            # A title entry's text is its code's title: stored once, in the codes.
            "doc_text": "\n".join("" if k == src.KIND_TITLE and t == self.codes[c].title else t
                                  for t, k, c in zip(self.doc_text, self.doc_kind, self.doc_code)),
            "stems": "\n".join(stems),
            "offsets": _b64(offsets),
            "postings": _b64(data),
            "optional": _pack_postings(self.optional),
            "words": "\n".join(word_list),
            "word_stem": _b64(array("i", [stem_no[self.word_stem[w]] for w in word_list])),
        }

    @classmethod
    def from_doc(cls, d: dict[str, Any]) -> "SearchIndex":
        if d.get("format") != FORMAT:
            raise ValueError(f"search index format {d.get('format')} is not {FORMAT}")
        gc_was = gc.isenabled()
        gc.disable()  # hundreds of thousands of small objects: the collector would only rescan them
        try:
            c = d["codes"]
            code_col = c["code"].split("\n") if c["code"] else []
            codes = list(map(CodeRow, code_col, map(_LETTER_SYS.__getitem__, c["system"]), c["title"].split("\n"),
                             map("1".__eq__, c["billable"]), _unb64("I", c["mask"]),
                             map("1".__eq__, c["needs7"]), _unb64("i", c["parent"])))
            stems = d["stems"].split("\n") if d["stems"] else []
            offsets = _unb64("I", d["offsets"])
            data = _unb64("i", d["postings"])
            postings = {st: data[offsets[i]:offsets[i + 1]] for i, st in enumerate(stems)}
            optional = _unpack_postings(d["optional"])
            doc_code = _unb64("i", d["doc_code"])
            doc_text = d["doc_text"].split("\n") if len(doc_code) else []
            doc_text = [t or codes[c].title for t, c in zip(doc_text, doc_code)]
            word_list = d["words"].split("\n") if d["words"] else []
            word_stem = dict(zip(word_list, map(stems.__getitem__, _unb64("i", d["word_stem"]))))
            code_keys = {sys: (v["keys"].split("\n") if v["keys"] else [], _unb64("i", v["rows"]))
                         for sys, v in d.get("code_keys", {}).items()}
            return cls(
                codes=codes,
                doc_code=doc_code,
                doc_kind=base64.b64decode(d["doc_kind"]),
                doc_len=base64.b64decode(d["doc_len"]),
                doc_text=doc_text,
                postings=postings,
                optional=optional,
                word_stem=word_stem,
                sources=d.get("sources", {}),
                years=d.get("years", {}),
                seventh_stems=frozenset(d.get("seventh_stems", ())),
                seventh_only=frozenset(d.get("seventh_only", ())),
                words_sorted=word_list,
                code_keys=code_keys,
            ).finish()
        finally:
            if gc_was:
                gc.enable()


_SYS_LETTER = {"icd10cm": "c", "icd10pcs": "p", "hcpcs": "h"}
_LETTER_SYS = {v: k for k, v in _SYS_LETTER.items()}


def _pack_postings(p: dict[str, array]) -> dict[str, str]:
    stems = list(p)
    offsets = array("I", [0])
    data = array("i")
    for st in stems:
        data.extend(p[st])
        offsets.append(len(data))
    return {"stems": "\n".join(stems), "offsets": _b64(offsets), "data": _b64(data)}


def _unpack_postings(d: dict[str, str]) -> dict[str, array]:
    stems = d["stems"].split("\n") if d["stems"] else []
    offsets = _unb64("I", d["offsets"])
    data = _unb64("i", d["data"])
    return {st: data[offsets[i]:offsets[i + 1]] for i, st in enumerate(stems)}


def _b64(a: array) -> str:
    return base64.b64encode(a.tobytes()).decode()


def _unb64(typecode: str, text: str) -> array:
    a = array(typecode)
    a.frombytes(base64.b64decode(text))
    return a


def build(systems: tuple[str, ...] = src.SYSTEMS) -> SearchIndex:
    """Tokenise every entry of every available code set into a fresh index."""
    return build_from(src.collect(systems))


def build_from(b: src.IndexBuilder) -> SearchIndex:
    """The index of whatever a builder collected (tests feed small builders directly)."""
    codes = b.codes
    prepared = []
    for code_row, kind, text, optional in b.docs:
        ws = [w for w in words(text) if w not in STOP_WORDS]
        opt = [w for w in words(optional) if w not in STOP_WORDS] if optional else []
        stems = {stem(w) for w in ws}
        row = codes[code_row]
        # A 7th-character header is as good as billable: its codes are one keystroke away.
        # Shortest first: among entries that hold every word typed, the one with the fewest
        # other words is the likeliest, so a long posting list is cut from its start.
        rank = (len(stems), _KIND_RANK.get(kind, 3), 0 if (row[3] or row[5]) else 1)
        prepared.append((rank, code_row, kind, text, ws, opt, stems))
    prepared.sort(key=lambda p: p[0])
    postings: dict[str, list[int]] = {}
    optional_only: dict[str, list[int]] = {}  # stem -> entries that hold it only as a nonessential word
    word_stem: dict[str, str] = {}
    doc_code = array("i")
    kinds = bytearray()
    lens = bytearray()
    texts: list[str] = []
    for n, (_rank, code_row, kind, text, ws, opt, stems) in enumerate(prepared):
        doc_code.append(code_row)
        kinds.append(kind)
        lens.append(min(len(stems), 255))
        texts.append(text.replace("\n", " "))
        all_stems = set(stems)
        for w in ws + opt:
            s = word_stem.get(w)
            if s is None:
                s = word_stem[w] = stem(w)
            all_stems.add(s)
        for s in sorted(all_stems):  # sorted: the same sources give the same bytes, whatever the hash seed
            postings.setdefault(s, []).append(n)
            if s not in stems:
                optional_only.setdefault(s, []).append(n)
    # The code itself is a word too ("e1122" typed as text still finds E11.22 through the code path).
    sources = {"books": current_sources(), "counts": {k: v for k, v in b.sources.items() if k.startswith("index:")}}
    return SearchIndex(
        codes=[CodeRow(r[0], r[1], r[2], bool(r[3]), r[4], bool(r[5]), r[6]) for r in codes],
        doc_code=doc_code,
        doc_kind=bytes(kinds),
        doc_len=bytes(lens),
        doc_text=texts,
        postings={k: array("i", v) for k, v in postings.items()},
        optional={k: array("i", v) for k, v in optional_only.items()},
        word_stem=word_stem,
        sources=sources,
        years=b.years,
    ).finish()


def current_sources() -> dict[str, Any]:
    """sha256 of every compiled book the index would be made from, as the manifest lists them."""
    from workstation.codes import books

    try:
        entries = books.manifest()["codebooks"]
    except Exception:  # noqa: BLE001
        return {}
    return {name: e.get("sha256") for name, e in entries.items()
            if name.startswith(("icd10cm", "icd10pcs", "hcpcs"))}


def is_fresh(recorded: dict[str, Any]) -> bool:
    """True when the books the index was made from are exactly the compiled books now."""
    return recorded.get("books") == current_sources()


def cache_path() -> Path:
    """Where an index built in memory is kept for the next start (not patient data)."""
    from workstation.paths import user_data_dir

    return user_data_dir() / "cache" / f"{BOOK}.json.gz"


def load(directory: Path | None = None) -> SearchIndex | None:
    """The precompiled index (codebooks/, else the user's cache), or None if missing or stale."""
    from workstation.codes import books

    for where in (directory, cache_path().parent):
        try:
            d = books.load_doc(BOOK, where)
            idx = SearchIndex.from_doc(d)
        except Exception as exc:  # noqa: BLE001 - any problem means: try the next, or build
            log.info("search: index in %s not used (%s)", where or "codebooks/", exc)
            continue
        if is_fresh(idx.sources):
            return idx
        log.info("search: index in %s is stale", where or "codebooks/")
    return None


def save_cache(idx: SearchIndex) -> None:
    """Keep an index built in memory for the next start (best effort: a read-only home is fine)."""
    import gzip

    import orjson

    from workstation.fileio import atomic_write_bytes

    try:
        data = gzip.compress(orjson.dumps(idx.to_doc()), compresslevel=1, mtime=0)
        atomic_write_bytes(cache_path(), data, mode=0o644)
    except OSError as exc:
        log.info("search: could not cache the index (%s)", exc)


def build_search(sources: Path, out_dir: Path, log_fn: Callable[[str], None] = print) -> dict[str, dict[str, Any]]:
    """Builder for `workstation codebooks build`: runs after the code sets it reads."""
    from workstation.codes.bookfile import write_book

    idx = build()
    entry = {
        "system": "search",
        "release": "built from " + ", ".join(sorted(idx.sources.get("books", {}))),
        "sources": [],
        "counts": {
            "entries": idx.size,
            "codes": len(idx.codes),
            "stems": len(idx.postings),
            "words": len(idx.word_stem),
            "postings": sum(len(v) for v in idx.postings.values()),
        },
    }
    out = write_book(out_dir, BOOK, idx.to_doc(), entry)
    log_fn(f"  {BOOK}: {idx.size} entries over {len(idx.codes)} codes, {out['bytes'] / 1e6:.1f} MB")
    return {BOOK: out}
