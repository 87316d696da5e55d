-- Claims: the scrubber's edits over the coded cases, clean-claim rate, charges, holds and exported batches.
-- A case is scrubbed once it has a diagnosis; a clean claim is a scrubbed, billable (not self-pay)
-- case with service lines and no error edit.

-- section: edit_failures Edit failure rate by rule
-- drill: SELECT DISTINCT c.store, c.case_id, c.service_date, c.encounter_type, c.status, c.coder, c.payer FROM cases c JOIN edits e ON e.store = c.store AND e.case_id = c.case_id WHERE e.edit_id = $key ORDER BY c.service_date, c.case_id
SELECT e.edit_id, e.severity,
       count(DISTINCT e.store || '/' || e.case_id) AS cases,
       round(100.0 * count(DISTINCT e.store || '/' || e.case_id) / nullif((SELECT count(*) FROM cases WHERE scrubbed), 0), 2) AS pct_of_scrubbed
FROM edits e
GROUP BY e.edit_id, e.severity
ORDER BY cases DESC, e.edit_id;

-- section: clean_claims Clean-claim rate
SELECT count(*) AS claims,
       count_if(n_errors = 0) AS clean,
       round(100.0 * count_if(n_errors = 0) / nullif(count(*), 0), 2) AS clean_pct
FROM cases
WHERE scrubbed AND NOT self_pay AND n_lines > 0;

-- section: charges_by_payer Charges by payer
-- drill: SELECT store, case_id, service_date, encounter_type, status, coder, payer FROM cases WHERE payer = $key ORDER BY service_date, case_id
SELECT payer, count(*) AS cases, sum(n_lines) AS lines, sum(total_charge) AS charges
FROM cases
GROUP BY payer
ORDER BY charges DESC NULLS LAST, payer;

-- section: held Cases held, and why
-- drill: SELECT store, case_id, service_date, encounter_type, status, coder, payer FROM cases WHERE CASE WHEN status = 'query' THEN 'on hold for a provider query' WHEN status IN ('in_progress', 'coded') AND n_errors > 0 THEN 'claim edit errors block export' END = $key ORDER BY service_date, case_id
SELECT reason, count(*) AS cases
FROM (SELECT CASE WHEN status = 'query' THEN 'on hold for a provider query'
                  WHEN status IN ('in_progress', 'coded') AND n_errors > 0 THEN 'claim edit errors block export'
             END AS reason
      FROM cases)
WHERE reason IS NOT NULL
GROUP BY reason
ORDER BY cases DESC, reason;

-- section: batches Exported batches
-- drill: SELECT DISTINCT c.store, c.case_id, c.service_date, c.encounter_type, c.status, c.coder, c.payer FROM cases c JOIN audit a ON a.store = c.store AND a.case_id = c.case_id WHERE a.action = 'mark_exported' AND a.batch = $key ORDER BY c.case_id
SELECT batch, count(DISTINCT store || '/' || case_id) AS cases, min("at") AS exported
FROM audit
WHERE action = 'mark_exported' AND batch IS NOT NULL
GROUP BY batch
ORDER BY exported, batch;
