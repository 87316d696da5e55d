"""Every SQL report runs through DuckDB on a fabricated Parquet extract, with known results."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import orjson
import pytest

from workstation.analytics import extract as ex
from workstation.analytics import reports as rp

from tests.analytics.conftest import Stores


@pytest.fixture(scope="module")
def extract_dir(built_stores: Stores, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One extract for the module (the reports only read it), with its own user data folder."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WORKSTATION_DATA_DIR", str(tmp_path_factory.mktemp("userdata-reports")))
        out = tmp_path_factory.mktemp("reports") / "extract"
        ex.extract_to_parquet(out, [built_stores.folder], include_default=False)
    return out


@pytest.fixture
def con(extract_dir: Path):
    c = ex.connect_extract(extract_dir)
    yield c
    c.close()


def rows(report: rp.Report, section: str) -> list[dict]:
    t = report.table(section)
    return [dict(zip(t.columns, r)) for r in t.rows]


@pytest.mark.parametrize("name", rp.report_names())
def test_each_sql_file_runs_on_the_extract(con, name: str) -> None:
    report = rp.run(con, name, rp.Filters(as_of="2026-12-01 00:00:00"))
    assert [t.section for t in report.tables] == [s.name for s in rp.sections(name)]
    for t in report.tables:
        assert t.columns
    for fmt in rp.FORMATS:
        assert rp.render(report, fmt)
    # And on an empty extract (the schema alone).
    empty = ex.load_connection([], include_default=False)[0]
    rp.run(empty, name)


def test_every_report_is_a_file() -> None:
    assert rp.report_names() == ["case_mix", "claims", "code_year", "productivity", "queries", "registry"]


def test_case_mix(con) -> None:
    r = rp.run(con, "case_mix")
    chapters = {x["chapter"]: x["cases"] for x in rows(r, "by_chapter")}
    assert chapters == {"Chapter 2": 5, "Chapter 1": 1, "Chapter 10": 1}
    assert sum(chapters.values()) == 7  # every case with a diagnosis, once
    top = {x["code"]: x["cases"] for x in rows(r, "top_diagnoses")}
    assert top["C50.911"] == 2 and top["I10"] == 1
    assert {x["code"]: x["cases"] for x in rows(r, "top_procedures")}["99213"] == 4
    assert {x["month"]: x["cases"] for x in rows(r, "by_month")} == {
        "2025-03": 1, "2025-11": 1, "2026-01": 2, "2026-02": 3, "2026-03": 1}


def test_filters(con) -> None:
    r = rp.run(con, "case_mix", rp.Filters(date_from="2026-01-01", date_to="2026-01-31"))
    assert {x["month"]: x["cases"] for x in rows(r, "by_month")} == {"2026-01": 2}
    r = rp.run(con, "claims", rp.Filters(payer="medicare part b"))
    assert [(x["payer"], x["charges"]) for x in rows(r, "charges_by_payer")] == [("Medicare Part B", Decimal("250.00"))]
    r = rp.run(con, "productivity", rp.Filters(coder="bob"))
    assert [(x["coder"], x["cases_coded"]) for x in rows(r, "per_coder")] == [("bob", 2)]
    with pytest.raises(rp.ReportError):
        rp.run(con, "case_mix", rp.Filters(date_from="January"))
    with pytest.raises(rp.ReportError):
        rp.run(con, "no_such_report")


def test_claims(con) -> None:
    r = rp.run(con, "claims")
    assert rows(r, "clean_claims") == [{"claims": 6, "clean": 4, "clean_pct": 66.67}]
    charges = {x["payer"]: x["charges"] for x in rows(r, "charges_by_payer")}
    assert charges == {"Lakeshore Health Plan": Decimal("510.00"), "Medicare Part B": Decimal("250.00"),
                       "Ohio Medicaid": Decimal("90.00"), "self-pay": Decimal("80.00")}
    assert rows(r, "held") == [{"reason": "on hold for a provider query", "cases": 1}]
    assert [(x["batch"], x["cases"]) for x in rows(r, "batches")] == [("B0001", 1)]
    failures = {x["edit_id"]: x["cases"] for x in rows(r, "edit_failures")}
    assert failures["query.open"] == 1


def test_queries(con) -> None:
    r = rp.run(con, "queries", rp.Filters(as_of="2099-01-01 00:00:00"))
    s = rows(r, "summary")[0]
    assert (s["cases"], s["cases_with_query"], s["queries"], s["answered"], s["open"]) == (8, 2, 2, 1, 1)
    assert s["query_rate_pct"] == 25.0 and s["answer_rate_pct"] == 100.0
    assert rows(r, "open_by_age") == [{"age": "over 30 days", "open_queries": 1}]


def test_productivity_with_targets(con) -> None:
    r = rp.run(con, "productivity", targets={"office": 24.0})
    per = {x["coder"]: x["cases_coded"] for x in rows(r, "per_coder")}
    assert per == {"alice": 4, "bob": 2}
    ta = {x["encounter_type"]: x for x in rows(r, "turnaround")}
    assert ta["office"]["cases_coded"] == 6 and ta["office"]["target_hours"] == 24.0
    assert ta["office"]["pct_within_target"] == 100.0


def test_code_year_impact(con) -> None:
    r = rp.run(con, "code_year")
    assert {x["change"]: x["cases"] for x in rows(r, "impact")} == {
        "became_header FY2025->FY2026": 1, "added FY2025->FY2026": 1}  # B88.0 gained B88.01/B88.09
    assert {x["code"] for x in rows(r, "codes")} == {"B88.0", "C50.A0"}


def test_registry_counts(con) -> None:
    r = rp.run(con, "registry")
    assert {x["status"]: x["cases"] for x in rows(r, "case_finding")} == {
        "reportable": 2, "check": 2, "not reportable": 1}
    assert {x["code"] for x in rows(r, "check")} == {"C44.01", "C50.A0"}
    assert rows(r, "by_site") == [{"site_group": "Breast", "recode": "39", "tumours": 1, "encounters": 2}]
    assert {x["patient"]: x["encounters"] for x in rows(r, "new_vs_seen")} == {"new": 1, "previously seen": 1}
    assert rows(r, "by_sex") == [{"sex": "F", "tumours": 1}]
    # Filtered to March, the second breast encounter is still "previously seen" (all stores decide).
    r = rp.run(con, "registry", rp.Filters(date_from="2026-03-01"))
    assert {x["patient"]: x["encounters"] for x in rows(r, "new_vs_seen")} == {"previously seen": 1}


def test_drill_down(con) -> None:
    rp.run(con, "case_mix")
    t = rp.drill(con, "case_mix", "by_chapter", "Chapter 2")
    assert sorted(r[t.columns.index("case_id")] for r in t.rows) == ["A1", "A2", "A3", "B1", "B3"]
    rp.run(con, "registry")
    t = rp.drill(con, "registry", "case_finding", "check")
    assert sorted(r[1] for r in t.rows) == ["A2", "B3"]
    t = rp.drill(con, "registry", "new_vs_seen", "previously seen")
    assert [r[1] for r in t.rows] == ["A3"]
    with pytest.raises(rp.ReportError):
        rp.drill(con, "claims", "clean_claims", "x")


def test_every_drill_query_runs(con) -> None:
    for name in rp.report_names():
        report = rp.run(con, name, rp.Filters(as_of="2026-12-01 00:00:00"))
        for t in report.tables:
            if t.drillable and t.rows:
                d = rp.drill(con, name, t.section, t.rows[0][0])
                assert d.columns[:2] == ["store", "case_id"], (name, t.section)
                assert d.rows, (name, t.section)


def test_formats(con) -> None:
    r = rp.run(con, "claims")
    doc = orjson.loads(rp.format_json(r))
    assert doc["report"] == "claims" and doc["sections"][1]["rows"] == [{"claims": 6, "clean": 4, "clean_pct": 66.67}]
    csv = rp.format_csv(r)
    assert "# clean_claims\nclaims,clean,clean_pct\n6,4,66.67\n" in csv
    assert "== Clean-claim rate" in rp.format_text(r)
