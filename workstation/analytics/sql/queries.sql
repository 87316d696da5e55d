-- Provider queries: how often cases need one, how often and how fast they are answered, what is still open.

-- section: summary Query rate, answer rate and turnaround
SELECT (SELECT count(*) FROM cases) AS cases,
       count(DISTINCT store || '/' || case_id) AS cases_with_query,
       round(100.0 * count(DISTINCT store || '/' || case_id) / nullif((SELECT count(*) FROM cases), 0), 1) AS query_rate_pct,
       count(*) AS queries,
       count_if(status = 'answered') AS answered,
       count_if(status = 'withdrawn') AS withdrawn,
       count_if(status = 'open') AS open,
       round(100.0 * count_if(status = 'answered') / nullif(count_if(status <> 'open'), 0), 1) AS answer_rate_pct,
       round(median(date_diff('second', created, answered)) FILTER (WHERE status = 'answered') / 3600.0, 2) AS median_turnaround_hours,
       round(avg(date_diff('second', created, answered)) FILTER (WHERE status = 'answered') / 3600.0, 2) AS mean_turnaround_hours
FROM queries;

-- section: by_month Queries by month of service
-- drill: SELECT DISTINCT c.store, c.case_id, c.service_date, c.encounter_type, c.status, c.coder, c.payer FROM cases c JOIN queries q ON q.store = c.store AND q.case_id = c.case_id WHERE c.month = $key ORDER BY c.service_date, c.case_id
SELECT month, count(*) AS queries, count_if(status = 'answered') AS answered, count_if(status = 'open') AS open
FROM queries
GROUP BY month
ORDER BY month;

-- section: open_by_age Open queries by age
-- drill: SELECT DISTINCT c.store, c.case_id, c.service_date, c.encounter_type, c.status, c.coder, c.payer FROM cases c JOIN queries q ON q.store = c.store AND q.case_id = c.case_id, params p WHERE q.status = 'open' AND CASE WHEN date_diff('day', q.created, p.as_of) <= 2 THEN '0-2 days' WHEN date_diff('day', q.created, p.as_of) <= 7 THEN '3-7 days' WHEN date_diff('day', q.created, p.as_of) <= 14 THEN '8-14 days' WHEN date_diff('day', q.created, p.as_of) <= 30 THEN '15-30 days' ELSE 'over 30 days' END = $key ORDER BY c.case_id
WITH ages AS (
    SELECT CASE WHEN date_diff('day', q.created, p.as_of) <= 2 THEN '0-2 days'
                WHEN date_diff('day', q.created, p.as_of) <= 7 THEN '3-7 days'
                WHEN date_diff('day', q.created, p.as_of) <= 14 THEN '8-14 days'
                WHEN date_diff('day', q.created, p.as_of) <= 30 THEN '15-30 days'
                ELSE 'over 30 days' END AS age,
           CASE WHEN date_diff('day', q.created, p.as_of) <= 2 THEN 1
                WHEN date_diff('day', q.created, p.as_of) <= 7 THEN 2
                WHEN date_diff('day', q.created, p.as_of) <= 14 THEN 3
                WHEN date_diff('day', q.created, p.as_of) <= 30 THEN 4
                ELSE 5 END AS ord
    FROM queries q, params p
    WHERE q.status = 'open')
SELECT age, count(*) AS open_queries
FROM ages
GROUP BY age, ord
ORDER BY ord;
