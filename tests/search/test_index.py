"""The index itself: built from a small builder, packed and loaded back; missing sets skipped."""
from __future__ import annotations

import gzip

import orjson

from workstation.codes.bookfile import pack
from workstation.search import sources as src
from workstation.search.engine import SearchEngine
from workstation.search.index import SearchIndex, build_from


def _small() -> SearchIndex:
    """A few real ICD-10-CM rows (titles from the FY2026 tabular) and one index path."""
    b = src.IndexBuilder()
    e11 = b.code("icd10cm", "E11", "Type 2 diabetes mellitus", False, 2026)
    e1122 = b.code("icd10cm", "E11.22", "Type 2 diabetes mellitus with diabetic chronic kidney disease",
                   True, 2026, parent=e11)
    n183 = b.code("icd10cm", "N18.30", "Chronic kidney disease, stage 3 unspecified", True, 2026)
    for r in (e11, e1122, n183):
        b.doc(r, src.KIND_TITLE, b.codes[r][2])
    b.doc(e1122, src.KIND_INDEX, "Diabetes, diabetic, type 2, with, chronic kidney disease", "(mellitus)")
    b.years["icd10cm"] = [2026]
    return build_from(b)


def test_pack_and_load_round_trip():
    idx = _small()
    back = SearchIndex.from_doc(orjson.loads(gzip.decompress(pack(idx.to_doc()))))
    assert [tuple(r) for r in back.codes] == [tuple(r) for r in idx.codes]
    assert back.doc_text == idx.doc_text
    assert {k: list(v) for k, v in back.postings.items()} == {k: list(v) for k, v in idx.postings.items()}
    assert back.word_stem == idx.word_stem
    assert back.code_keys["icd10cm"][0] == ["E11", "E1122", "N1830"]


def test_a_missing_code_set_is_simply_skipped():
    # Only ICD-10-CM in this index: asking for PCS or HCPCS gives nothing, and no error.
    engine = SearchEngine(_small())
    assert engine.search("0DT", system="icd10pcs") == []
    assert engine.search("wheelchair", system="hcpcs") == []
    assert engine.search("mellitus type 2 ckd")[0].code == "E11.22"
    r = engine.search("Diabetes, diabetic, type 2, with, chronic kidney disease")
    assert r[0].code == "E11.22"
    assert r[0].via.startswith("index: Diabetes")


def test_nonessential_words_are_optional_evidence():
    idx = _small()
    assert "mellitus" in idx.word_stem  # from "(mellitus)" of the index path and the titles
    engine = SearchEngine(idx)
    assert engine.search("diabetes type 2 chronic kidney disease")[0].code == "E11.22"


def test_missing_or_stale_precompiled_index_is_not_used(tmp_path, monkeypatch):
    from workstation.search import index as search_index

    monkeypatch.setenv("WORKSTATION_DATA_DIR", str(tmp_path / "data"))
    assert search_index.load(tmp_path) is None  # nothing there: the engine builds in memory
    (tmp_path / "search-index.json.gz").write_bytes(b"not gzip")
    assert search_index.load(tmp_path) is None  # corrupt: same
    assert not search_index.is_fresh({"books": {"icd10cm-2026": "0" * 64}})
    assert search_index.is_fresh({"books": search_index.current_sources()})


def test_the_shipped_index_is_fresh(tmp_path, monkeypatch):
    # codebooks/search-index.json.gz must match the compiled books it was made from (else the
    # app rebuilds it in memory at start, ~30 s); if this fails, run:
    #   workstation codebooks build --sources PATH --only search
    from workstation.search import index as search_index

    monkeypatch.setenv("WORKSTATION_DATA_DIR", str(tmp_path))  # not the user's cache
    assert search_index.load() is not None
