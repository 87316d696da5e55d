"""Long descriptive phrases, as older classifications (ICD-9-CM) and discharge summaries word
them, with the ICD-10-CM code each should find. Held out: written 2026-12-01 (issue 17, round 2)
by the engineer of the issue, BEFORE any tuning of the episode-of-care, trimester and "with
mention of" reading, and never tuned on. Each code was read in the FY2026 tabular (its title is
checked by tests/suggest/test_long_phrases.py). The CMS GEM files are not among the project's
sources, so this set is not drawn from them.

ICD-9-CM's fifth digits of chapter 11 name the episode of care: "delivered" (childbirth),
"antepartum condition or complication" (pregnancy), "postpartum condition or complication"
(puerperium); ICD-10-CM puts the same axis, and the trimester, in its codes.
"""
from __future__ import annotations

PHRASES: tuple[tuple[str, str], ...] = (
    ("unstable lie, antepartum condition or complication", "O32.0XX0"),
    ("abnormal glucose tolerance of mother, antepartum condition or complication", "O99.810"),
    ("abnormal glucose tolerance of mother, delivered", "O99.814"),
    ("abnormal glucose tolerance of mother, postpartum condition or complication", "O99.815"),
    ("anemia of mother, postpartum condition or complication", "O90.81"),
    ("anemia of mother, antepartum condition or complication", "O99.019"),
    ("anemia of mother, delivered", "O99.02"),
    ("mild or unspecified pre-eclampsia, antepartum condition or complication", "O14.90"),
    ("mild or unspecified pre-eclampsia, delivered", "O14.94"),
    ("mild or unspecified pre-eclampsia, postpartum condition or complication", "O14.95"),
    ("breech presentation without mention of version, antepartum condition or complication", "O32.1XX0"),
    ("oligohydramnios, antepartum condition or complication", "O41.00X0"),
    ("hyperemesis gravidarum with metabolic disturbance, antepartum condition or complication", "O21.1"),
    ("gestational diabetes, antepartum condition or complication", "O24.419"),
    ("gestational diabetes, delivered", "O24.429"),
    ("gestational diabetes, postpartum condition or complication", "O24.439"),
    ("pre-existing essential hypertension complicating pregnancy, antepartum, second trimester", "O10.012"),
    ("pre-existing essential hypertension complicating pregnancy, delivered", "O10.02"),
    ("pre-existing essential hypertension complicating pregnancy, postpartum condition or complication", "O10.03"),
    ("obesity complicating pregnancy, antepartum condition or complication, third trimester", "O99.213"),
    ("obesity complicating pregnancy, delivered", "O99.214"),
    ("obesity complicating pregnancy, postpartum condition or complication", "O99.215"),
    ("varicose veins of legs complicating pregnancy, antepartum, first trimester", "O22.01"),
    ("threatened abortion, antepartum condition or complication", "O20.0"),
    ("post term pregnancy, delivered", "O48.0"),
    ("diabetes mellitus type II with mention of ketoacidosis", "E11.10"),
    ("obstructive chronic bronchitis with mention of acute exacerbation", "J44.1"),
    ("calculus of gallbladder with acute cholecystitis, without mention of obstruction", "K80.00"),
    ("inguinal hernia, unilateral, without mention of obstruction or gangrene", "K40.90"),
    ("acute gastric ulcer with hemorrhage, without mention of perforation", "K25.0"),
    ("asthma, unspecified, with mention of acute exacerbation", "J45.901"),
    ("migraine without aura, without mention of intractable migraine", "G43.009"),
    ("acute appendicitis without mention of peritonitis", "K35.80"),
    ("spontaneous abortion, complete, without mention of complication", "O03.9"),
)
