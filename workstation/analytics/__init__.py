"""Analytics over coded work: a de-identified columnar extract (Parquet, by month), SQL reports run
by DuckDB, and the cancer-registry view (case finding, SEER site recode, NAACCR XML v26).

extract.py    session stores -> rows (cases, diagnoses, procedures, lines, queries, edits, audit)
reports.py    the SQL files in sql/ run over an extract (or over rows loaded in memory)
registry.py   ICD-10-CM -> ICD-O-3 case finding and the SEER site recode (compiled codebook)
naaccr.py     the NAACCR XML v26 file of reportable cases, checked against the v26 dictionary
"""
