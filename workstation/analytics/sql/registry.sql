-- Cancer registry case finding over the coded diagnoses, with the IMS ICD-10-CM -> ICD-O-3 table
-- (reportable flag) and the SEER site recode (2023). A tumour is one patient (salted key) and one
-- ICD-O-3 site and histology; a patient is new in the period when their first reportable encounter
-- in all stores falls in it, else previously seen.

-- section: case_finding Case finding status of neoplasm and registry codes
-- drill: SELECT DISTINCT c.store, c.case_id, c.service_date, c.encounter_type, c.status, c.coder, c.payer FROM cases c JOIN diagnoses d ON d.store = c.store AND d.case_id = c.case_id WHERE d.registry_status = $key ORDER BY c.service_date, c.case_id
SELECT registry_status AS status,
       count(DISTINCT store || '/' || case_id) AS cases,
       count(DISTINCT code) AS codes
FROM diagnoses
WHERE registry_status IS NOT NULL
GROUP BY registry_status
ORDER BY CASE registry_status WHEN 'reportable' THEN 1 WHEN 'check' THEN 2 ELSE 3 END;

-- section: check Codes to check (neoplasm codes the reportability table does not cover)
-- drill: SELECT DISTINCT c.store, c.case_id, c.service_date, c.encounter_type, c.status, c.coder, c.payer FROM cases c JOIN diagnoses d ON d.store = c.store AND d.case_id = c.case_id WHERE d.registry_status = 'check' AND d.code = $key ORDER BY c.service_date, c.case_id
SELECT code, count(DISTINCT store || '/' || case_id) AS cases
FROM diagnoses
WHERE registry_status = 'check'
GROUP BY code
ORDER BY cases DESC, code;

-- section: by_site Reportable tumours by SEER site recode group
-- drill: SELECT DISTINCT c.store, c.case_id, c.service_date, c.encounter_type, c.status, c.coder, c.payer FROM cases c JOIN diagnoses d ON d.store = c.store AND d.case_id = c.case_id WHERE d.registry_status = 'reportable' AND coalesce(d.seer_group, '(no site recode)') = $key ORDER BY c.service_date, c.case_id
SELECT coalesce(d.seer_group, '(no site recode)') AS site_group,
       any_value(d.seer_recode) AS recode,
       count(DISTINCT c.patient_key || '|' || d.icdo3_site || '|' || d.histology) AS tumours,
       count(DISTINCT c.store || '/' || c.case_id) AS encounters
FROM diagnoses d JOIN cases c ON c.store = d.store AND c.case_id = d.case_id
WHERE d.registry_status = 'reportable'
GROUP BY 1
ORDER BY tumours DESC, site_group;

-- section: by_behavior Reportable tumours by ICD-O-3 behavior
SELECT d.behavior,
       CASE d.behavior WHEN '0' THEN 'benign' WHEN '1' THEN 'uncertain' WHEN '2' THEN 'in situ'
                       WHEN '3' THEN 'malignant' WHEN '6' THEN 'metastatic' ELSE 'other' END AS meaning,
       count(DISTINCT c.patient_key || '|' || d.icdo3_site || '|' || d.histology) AS tumours
FROM diagnoses d JOIN cases c ON c.store = d.store AND c.case_id = d.case_id
WHERE d.registry_status = 'reportable'
GROUP BY 1, 2
ORDER BY 1;

-- section: by_sex Reportable tumours by sex
SELECT c.sex, count(DISTINCT c.patient_key || '|' || d.icdo3_site || '|' || d.histology) AS tumours
FROM diagnoses d JOIN cases c ON c.store = d.store AND c.case_id = d.case_id
WHERE d.registry_status = 'reportable'
GROUP BY 1 ORDER BY 1;

-- section: by_age_band Reportable tumours by age band at the first encounter
SELECT age_band, count(*) AS tumours
FROM (SELECT arg_min(c.age_band, c.service_date) AS age_band
      FROM diagnoses d JOIN cases c ON c.store = d.store AND c.case_id = d.case_id
      WHERE d.registry_status = 'reportable'
      GROUP BY c.patient_key, d.icdo3_site, d.histology)
GROUP BY 1 ORDER BY 1;

-- section: by_year Reportable tumours by year of the first encounter
SELECT year, count(*) AS tumours
FROM (SELECT min(year(c.service_date)) AS year
      FROM diagnoses d JOIN cases c ON c.store = d.store AND c.case_id = d.case_id
      WHERE d.registry_status = 'reportable'
      GROUP BY c.patient_key, d.icdo3_site, d.histology)
GROUP BY 1 ORDER BY 1;

-- section: new_vs_seen New and previously seen patients (a reportable encounter is "new" when it is the patient's first in all stores)
-- drill: SELECT c.store, c.case_id, c.service_date, c.encounter_type, c.status, c.coder, c.payer FROM cases c JOIN (SELECT store, case_id, CASE WHEN service_date = min(service_date) OVER (PARTITION BY patient_key) THEN 'new' ELSE 'previously seen' END AS seen FROM all_cases WHERE (store, case_id) IN (SELECT (store, case_id) FROM all_diagnoses WHERE registry_status = 'reportable')) s ON s.store = c.store AND s.case_id = c.case_id WHERE s.seen = $key ORDER BY c.service_date, c.case_id
WITH reportable AS (
    SELECT DISTINCT c.store, c.case_id, c.patient_key, c.service_date
    FROM all_diagnoses d JOIN all_cases c ON c.store = d.store AND c.case_id = d.case_id
    WHERE d.registry_status = 'reportable'),
seen AS (
    SELECT store, case_id, patient_key,
           CASE WHEN service_date = min(service_date) OVER (PARTITION BY patient_key) THEN 'new' ELSE 'previously seen' END AS seen
    FROM reportable)
SELECT s.seen AS patient, count(*) AS encounters, count(DISTINCT s.patient_key) AS patients
FROM seen s SEMI JOIN cases c ON c.store = s.store AND c.case_id = s.case_id
GROUP BY 1
ORDER BY 1;
