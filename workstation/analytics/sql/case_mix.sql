-- Case mix: what was coded. A case counts once, under its first-listed diagnosis.

-- section: by_chapter Cases by ICD-10-CM chapter (first-listed diagnosis)
-- drill: SELECT c.store, c.case_id, c.service_date, c.encounter_type, c.status, c.coder, c.payer FROM cases c JOIN diagnoses d ON d.store = c.store AND d.case_id = c.case_id WHERE d.seq = 1 AND coalesce(d.chapter, '(not in the code book)') = $key ORDER BY c.service_date, c.case_id
SELECT coalesce(d.chapter, '(not in the code book)') AS chapter,
       any_value(d.chapter_title) AS title,
       count(*) AS cases
FROM diagnoses d
WHERE d.seq = 1
GROUP BY 1
ORDER BY cases DESC, chapter;

-- section: by_block Cases by ICD-10-CM block (first-listed diagnosis)
-- drill: SELECT c.store, c.case_id, c.service_date, c.encounter_type, c.status, c.coder, c.payer FROM cases c JOIN diagnoses d ON d.store = c.store AND d.case_id = c.case_id WHERE d.seq = 1 AND coalesce(d.block, '(not in the code book)') = $key ORDER BY c.service_date, c.case_id
SELECT coalesce(d.block, '(not in the code book)') AS block,
       any_value(d.block_title) AS title,
       count(*) AS cases
FROM diagnoses d
WHERE d.seq = 1
GROUP BY 1
ORDER BY cases DESC, block
LIMIT 30;

-- section: top_diagnoses Top diagnoses (any position)
-- drill: SELECT DISTINCT c.store, c.case_id, c.service_date, c.encounter_type, c.status, c.coder, c.payer FROM cases c JOIN diagnoses d ON d.store = c.store AND d.case_id = c.case_id WHERE d.code = $key ORDER BY c.service_date, c.case_id
SELECT code, count(DISTINCT store || '/' || case_id) AS cases, count_if(seq = 1) AS first_listed
FROM diagnoses
GROUP BY code
ORDER BY cases DESC, code
LIMIT 20;

-- section: top_procedures Top procedures (service lines and ICD-10-PCS)
-- drill: SELECT DISTINCT c.store, c.case_id, c.service_date, c.encounter_type, c.status, c.coder, c.payer FROM cases c WHERE EXISTS (SELECT 1 FROM lines l WHERE l.store = c.store AND l.case_id = c.case_id AND l.code = $key) OR EXISTS (SELECT 1 FROM procedures p WHERE p.store = c.store AND p.case_id = c.case_id AND p.code = $key) ORDER BY c.service_date, c.case_id
SELECT code, kind, count(DISTINCT store || '/' || case_id) AS cases, count(*) AS times
FROM (SELECT store, case_id, code, 'line' AS kind FROM lines
      UNION ALL
      SELECT store, case_id, code, 'ICD-10-PCS' AS kind FROM procedures)
GROUP BY code, kind
ORDER BY cases DESC, code
LIMIT 20;

-- section: by_month Cases and codes by month
-- drill: SELECT store, case_id, service_date, encounter_type, status, coder, payer FROM cases WHERE month = $key ORDER BY service_date, case_id
SELECT c.month,
       count(*) AS cases,
       sum(c.n_diagnoses) AS diagnoses,
       sum(c.n_procedures) AS procedures,
       sum(c.n_lines) AS lines
FROM cases c
GROUP BY c.month
ORDER BY c.month;
