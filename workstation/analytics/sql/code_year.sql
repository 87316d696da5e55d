-- Code-year impact: cases whose codes a release change touches. From the compiled releases:
-- a code of the case's code year that the next release deletes, makes a header (it gained
-- subdivisions: CMS counts it as deleted) or retitles, or a code the
-- case's own code year added.

-- section: impact Cases touched by a release change
-- drill: SELECT DISTINCT c.store, c.case_id, c.service_date, c.encounter_type, c.status, c.coder, c.payer FROM cases c JOIN diagnoses d ON d.store = c.store AND d.case_id = c.case_id JOIN code_changes x ON x.code = d.code AND ((x.change IN ('deleted', 'became_header', 'retitled') AND x.from_year = c.code_year) OR (x.change = 'added' AND x.to_year = c.code_year)) WHERE x.change || ' FY' || x.from_year || '->FY' || x.to_year = $key ORDER BY c.service_date, c.case_id
SELECT x.change || ' FY' || x.from_year || '->FY' || x.to_year AS change,
       count(DISTINCT c.store || '/' || c.case_id) AS cases,
       count(DISTINCT d.code) AS codes
FROM cases c
JOIN diagnoses d ON d.store = c.store AND d.case_id = c.case_id
JOIN code_changes x ON x.code = d.code
 AND ((x.change IN ('deleted', 'became_header', 'retitled') AND x.from_year = c.code_year)
      OR (x.change = 'added' AND x.to_year = c.code_year))
GROUP BY 1
ORDER BY cases DESC, change;

-- section: codes Codes behind the impact
-- drill: SELECT DISTINCT c.store, c.case_id, c.service_date, c.encounter_type, c.status, c.coder, c.payer FROM cases c JOIN diagnoses d ON d.store = c.store AND d.case_id = c.case_id WHERE d.code = $key ORDER BY c.service_date, c.case_id
SELECT d.code, x.change, x.from_year, x.to_year, count(DISTINCT c.store || '/' || c.case_id) AS cases
FROM cases c
JOIN diagnoses d ON d.store = c.store AND d.case_id = c.case_id
JOIN code_changes x ON x.code = d.code
 AND ((x.change IN ('deleted', 'became_header', 'retitled') AND x.from_year = c.code_year)
      OR (x.change = 'added' AND x.to_year = c.code_year))
GROUP BY ALL
ORDER BY cases DESC, d.code
LIMIT 50;

-- section: by_code_year Cases by ICD-10-CM code year
SELECT code_year, count(*) AS cases FROM cases GROUP BY code_year ORDER BY code_year;
