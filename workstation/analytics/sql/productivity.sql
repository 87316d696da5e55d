-- Coder productivity, from the audit trail: who marked a case coded and who added codes, by day;
-- time from import (add_case) to coded (the first set_status -> coded) against a target per encounter type.

-- section: per_coder_day Cases coded and codes added per coder per day
-- drill: SELECT c.store, c.case_id, c.service_date, c.encounter_type, c.status, c.coder, c.payer FROM cases c WHERE c.coder = $key ORDER BY c.coded_at, c.case_id
WITH coded AS (
    SELECT who AS coder, CAST("at" AS DATE) AS day, count(DISTINCT store || '/' || case_id) AS cases_coded
    FROM audit WHERE action = 'set_status' AND status = 'coded'
    GROUP BY 1, 2),
codes AS (
    SELECT who AS coder, CAST("at" AS DATE) AS day, count(*) AS codes_added
    FROM audit WHERE action IN ('assign_dx', 'add_procedure', 'add_line')
    GROUP BY 1, 2)
SELECT coder, day, coalesce(cases_coded, 0) AS cases_coded, coalesce(codes_added, 0) AS codes_added
FROM coded FULL OUTER JOIN codes USING (coder, day)
ORDER BY day, coder;

-- section: per_coder Totals per coder
-- drill: SELECT c.store, c.case_id, c.service_date, c.encounter_type, c.status, c.coder, c.payer FROM cases c WHERE c.coder = $key ORDER BY c.coded_at, c.case_id
SELECT coder,
       count(*) FILTER (WHERE coded_at IS NOT NULL) AS cases_coded,
       sum(n_diagnoses + n_procedures + n_lines) AS codes,
       count(DISTINCT CAST(coded_at AS DATE)) AS days_coding
FROM cases
WHERE coder IS NOT NULL
GROUP BY coder
ORDER BY cases_coded DESC, coder;

-- section: turnaround Hours from import to coded, by encounter type, against the target
-- drill: SELECT store, case_id, service_date, encounter_type, status, coder, payer FROM cases WHERE encounter_type = $key AND coded_at IS NOT NULL ORDER BY coded_at, case_id
SELECT c.encounter_type,
       count(*) AS cases_coded,
       round(avg(date_diff('second', c.imported_at, c.coded_at)) / 3600.0, 2) AS mean_hours,
       round(median(date_diff('second', c.imported_at, c.coded_at)) / 3600.0, 2) AS median_hours,
       t.hours AS target_hours,
       CASE WHEN t.hours IS NULL THEN NULL
            ELSE round(100.0 * count_if(date_diff('second', c.imported_at, c.coded_at) <= t.hours * 3600) / count(*), 1)
       END AS pct_within_target
FROM cases c LEFT JOIN targets t ON t.encounter_type = c.encounter_type
WHERE c.coded_at IS NOT NULL AND c.imported_at IS NOT NULL
GROUP BY c.encounter_type, t.hours
ORDER BY c.encounter_type;
