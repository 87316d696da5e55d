"""Expected coding for every demo case (sessions/demo/worklist.json).

Diagnoses are ICD-10-CM, first-listed (outpatient) or principal (inpatient) first; procedures are
ICD-10-PCS for inpatient stays; lines are the professional service lines (for an inpatient stay: the attending's or
surgeon's own services, on the 837P with POS 21) (HCPCS Level II, or
CPT codes by number only: no CPT descriptors are shipped). Where the documentation is not
specific enough, `query` names what a provider query should ask, and the codes are those
supportable *before* the answer (the unspecified ones).

Every code here was checked with `workstation lookup CODE --date DOS`; test_answer_key.py checks
them again against the compiled code books and assigns them through the session store, and
tests/billing/test_demo_scrub.py scrubs the whole worklist coded with this key (no error, at most
one reminder per code). Each `why` gives the reason of every answer, citing the note's words, the
Index path and the ICD-10-CM Official Guidelines section (FY2026; FY2025 for the FY2025 dates).
E/M levels follow the 2021+ office and 2023+ hospital/ED rules (MDM, or total time when documented).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Line:
    code: str
    modifiers: tuple[str, ...] = ()
    units: float = 1
    pointers: tuple[str, ...] = ("A",)
    date: str = ""  # empty: the encounter's date of service (inpatient: set per visit)


@dataclass(frozen=True)
class Expected:
    dx: tuple[str, ...]
    pcs: tuple[str, ...] = ()
    lines: tuple[Line, ...] = ()
    query: str = ""  # topic of the provider query the documentation calls for
    why: str = ""  # the reason of each answer: the documentation, Index path or guideline behind every code and line


L = Line

KEY: dict[str, Expected] = {
    "DEMO-001": Expected(
        ("E11.22", "I12.9", "N18.31", "Z79.84"),
        lines=(L("99214", pointers=("A", "B", "C", "D")), L("G2211", pointers=("A", "B"))),
        why="'Type 2 diabetes with diabetic CKD' is the combination E11.22 (Index: Diabetes, type 2, with, "
            "chronic kidney disease) and E11.22 says use additional code for the stage: CKD 3a is N18.31. "
            "'Hypertensive chronic kidney disease' with CKD 1-4 is I12.9, not I10 (guideline I.C.9.a.2). "
            "Metformin and empagliflozin: Z79.84 long-term oral hypoglycemic (I.C.4.a.3; E11 note). "
            "99214: 32 minutes total time (30-39); G2211 for the longitudinal care of the diabetes and CKD (Medicare).",
    ),
    "DEMO-002": Expected(
        ("I13.0", "I50.32", "N18.4"),
        lines=(L("99214", pointers=("A", "B", "C")),),
        why="Hypertension with heart failure and CKD stage 4 is I13.0 (guideline I.C.9.a.3), with "
            "additional codes for the HF type (chronic diastolic, I50.32) and the CKD stage (N18.4) as the I13 "
            "notes instruct. 99214: two stable chronic illnesses with prescription drug management (moderate MDM).",
    ),
    "DEMO-003": Expected(
        ("S82.61XA", "W01.0XXA", "Y92.480", "Y93.01", "Y99.8"),
        lines=(L("99284", ("25",)), L("29515", ("RT",))),
        why="Closed displaced fracture of the right lateral malleolus: S82.61- with 7th character A (active "
            "treatment) and placeholder X. External causes (guideline I.C.20): tripped on a sidewalk without "
            "striking anything W01.0XXA; place sidewalk Y92.480; activity walking Y93.01; status: commuting, "
            "not work for pay, Y99.8. Lines: ED E/M with -25 (separate from the splint, 0-day global) and "
            "the short leg splint 29515-RT applied by the ED physician.",
    ),
    "DEMO-004": Expected(
        ("R31.0", "T45.515A", "I48.21", "Z79.01"),
        lines=(L("99284", pointers=("A", "B", "C")),),
        why="Warfarin taken as prescribed: an adverse effect, so the nature of the effect (gross hematuria "
            "R31.0) first, then T45.515A (Drug table: warfarin, adverse effect column) (guideline I.C.19.e.5.a). "
            "The ciprofloxacin interaction is 'likely': uncertain, not coded in the ED (guideline IV.H). "
            "Permanent atrial fibrillation I48.21; long-term anticoagulant Z79.01.",
    ),
    "DEMO-005": Expected(
        ("T42.4X2A", "R40.0", "F32.2"),
        lines=(L("99285", pointers=("A", "B", "C")),),
        why="Alprazolam overdose taken 'to harm herself': poisoning by benzodiazepines, intentional self-harm "
            "(Drug table, intentional self-harm column) T42.4X2A, sequenced first with its manifestation "
            "(somnolence R40.0) after (guideline I.C.19.e.5.b). Major depressive disorder, single episode, severe "
            "without psychotic features F32.2. 99285: a threat to life (high MDM).",
    ),
    "DEMO-006": Expected(
        ("Z51.11", "C50.412", "Z17.0", "Z17.21", "Z17.32"),
        lines=(
            L("96413", pointers=("A", "B")),
            L("96417", pointers=("A", "B")),
            L("96375", pointers=("A", "B")),
            L("96377", pointers=("A", "B")),
            L("J9171", units=130, pointers=("A", "B")),
            L("J9070", units=11, pointers=("A", "B")),
            L("J2405", units=16, pointers=("A", "B")),
            L("J2506", units=12, pointers=("A", "B")),
        ),
        why="Encounter solely for chemotherapy: Z51.11 first, then the malignancy (guideline I.C.2.e.2): "
            "upper-outer quadrant of the left female breast C50.412, still under treatment so not history. "
            "One receptor-status code per receptor (FY2026): ER+ Z17.0, PR+ Z17.21, HER2- Z17.32. Lines: "
            "docetaxel infusion 60 min 96413 (initial), cyclophosphamide 45 min 96417 (sequential); ondansetron "
            "IV over 15 minutes is a push (an infusion of 15 minutes or less) of a new drug, 96375; the "
            "pegfilgrastim on-body injector application 96377. Drugs by HCPCS unit: docetaxel 130 mg J9171 x130, "
            "cyclophosphamide 1,050 mg J9070 (100 mg) x11, ondansetron 16 mg J2405 x16, pegfilgrastim 6 mg "
            "J2506 (0.5 mg) x12. Dexamethasone taken at home is not billed. The NDCs are not in the note: the "
            "scrubber warns on each drug line until they are entered from the vials.",
    ),
    "DEMO-007": Expected(
        ("C34.11", "C79.51", "J91.0", "Z87.891"),
        pcs=("0W993ZZ",),
        lines=(
            L("99223", ("25",), pointers=("A", "C"), date="2026-03-24"),
            L("32555", ("RT",), pointers=("C", "A"), date="2026-03-24"),
            L("99238", pointers=("A", "C"), date="2026-03-27"),
        ),
        why="Malignant pleural effusion J91.0 says 'code first underlying neoplasm': the right upper lobe "
            "primary C34.11 is principal and listed before it; bone metastases from the Neoplasm table, "
            "secondary column, C79.51; former smoker Z87.891 (no COPD). PCS: drainage of right pleural cavity, "
            "percutaneous, diagnostic and therapeutic with no device left, 0W993ZZ. Lines (Dr. Haddad, who "
            "admitted and did the procedure): the admission E/M on the day of the thoracentesis needs -25 "
            "(significant and separately identifiable from the 0-day-global procedure); ultrasound-guided "
            "thoracentesis 32555-RT; discharge day 99238 (no discharge time documented, so not 99239). No "
            "visit notes for 03/25-03/26 are in the record, so no subsequent care is billed.",
    ),
    "DEMO-008": Expected(
        ("K35.80",),
        pcs=("0DTJ4ZZ",),
        lines=(L("44970", date="2026-01-29"),),
        why="Acute appendicitis without perforation, gangrene, abscess or peritonitis and no other type "
            "specified: Index Appendicitis, acute K35.80. Laparoscopic appendectomy: PCS Resection of appendix, "
            "percutaneous endoscopic 0DTJ4ZZ; CPT 44970 by the surgeon on the day of surgery.",
    ),
    "DEMO-009": Expected(
        ("S72.011A", "W06.XXXA", "Y92.013", "I10"),
        pcs=("0SRR0J9",),
        lines=(L("27236", ("RT",), date="2026-02-16"),),
        why="Displaced intracapsular fracture of the right femoral neck, type not further specified: S72.011A "
            "(unspecified intracapsular fracture of right femur, initial encounter). Fall from bed W06.XXXA in "
            "the bedroom of a single-family house Y92.013; essential hypertension I10. PCS: hemiarthroplasty "
            "replaces the femoral surface only, cemented synthetic, 0SRR0J9. CPT: a hemiarthroplasty for an "
            "acute femoral neck fracture is open treatment of the fracture with prosthetic replacement, 27236 "
            "(27125 is the hemiarthroplasty for joint disease), -RT.",
    ),
    "DEMO-010": Expected(
        ("O80", "Z37.0", "Z3A.39"),
        pcs=("10E0XZZ",),
        lines=(L("59410", pointers=("A", "B", "C"), date="2026-06-10"),),
        why="Full-term uncomplicated pregnancy with a spontaneous vaginal delivery of a single liveborn, "
            "minimal assistance, no episiotomy or laceration: O80 (guideline I.C.15.b.4), with the outcome "
            "Z37.0 and 39 weeks Z3A.39. PCS Delivery of products of conception, external 10E0XZZ. 59410: "
            "vaginal delivery with postpartum care (no antepartum care by this practice in the record).",
    ),
    "DEMO-011": Expected(
        ("O24.410", "Z3A.28"),
        lines=(L("99213", pointers=("A", "B")),),
        why="Gestational diabetes, diet controlled, no medication: O24.410 (O24.41- in pregnancy; 0 diet "
            "controlled), with 28 weeks Z3A.28 (guideline I.C.15.g: gestational diabetes codes).",
    ),
    "DEMO-012": Expected(
        ("H66.001",),
        lines=(L("99213"),),
        why="Acute suppurative otitis media without spontaneous rupture of the eardrum, right ear: H66.001. "
            "No tobacco exposure is documented, so none of the H66 'use additional code' items applies.",
    ),
    "DEMO-013": Expected(
        ("Z00.129", "Z23"),
        lines=(
            L("99392"),
            L("90460", units=3, pointers=("B",)),
            L("90461", units=2, pointers=("B",)),
            L("90707", pointers=("B",)),
            L("90716", pointers=("B",)),
            L("90633", pointers=("B",)),
        ),
        why="Routine child health examination without abnormal findings Z00.129 first-listed (guideline "
            "I.C.21.c.16), with Z23 for the vaccines. 12 months old: preventive visit age 1-4 99392. Vaccines "
            "with counselling, under 18: 90460 per vaccine (3) and 90461 per additional component (MMR has 2 "
            "more); MMR 90707, varicella 90716, hepatitis A pediatric 90633.",
    ),
    "DEMO-014": Expected(
        ("J45.41",),
        lines=(L("99284"),),
        why="Moderate persistent asthma with acute exacerbation: J45.41 (severity and exacerbation in one code). "
            "The nebulizer treatments in the ED are the facility's, not on the physician's claim.",
    ),
    "DEMO-015": Expected(
        ("Z12.11", "D12.5", "K64.8"),
        lines=(L("45385", ("33",), pointers=("A", "B")),),
        why="Screening colonoscopy: Z12.11 stays first when a polyp is found (guideline I.C.21.c.5), then the "
            "finding: tubular adenoma of the sigmoid from pathology D12.5 (benign neoplasm, not K63.5 polyp); "
            "internal hemorrhoids, degree not stated, K64.8 (Index: Hemorrhoids, internal). Snare polypectomy "
            "45385 with -33 (preventive service, commercial payer).",
    ),
    "DEMO-016": Expected(
        ("H25.11",),
        lines=(L("66984", ("RT",)),),
        why="Age-related nuclear cataract, right eye H25.11; routine phacoemulsification with IOL, no complex "
            "maneuvers, 66984-RT.",
    ),
    "DEMO-017": Expected(
        ("G56.01",),
        lines=(L("64721", ("RT",)),),
        why="Carpal tunnel syndrome, right upper limb G56.01; open release of the transverse carpal ligament "
            "64721-RT (no neurolysis).",
    ),
    "DEMO-018": Expected(
        ("F33.1", "F41.1"),
        lines=(L("99214", ("95",), pointers=("A", "B")),),
        why="Major depressive disorder, recurrent, moderate F33.1; generalized anxiety disorder F41.1. Real-time "
            "audio-video with the patient at home: POS 10 and modifier 95; 30 minutes total time is 99214.",
    ),
    "DEMO-019": Expected(
        ("J44.1", "F17.210"),
        lines=(
            L("99214", ("25",), pointers=("A", "B")),
            L("99407", pointers=("B",)),
            L("96372"),
            L("J1040"),
        ),
        why="COPD with acute exacerbation J44.1; J44 says use additional code for tobacco dependence: "
            "cigarettes, uncomplicated F17.210. Smoking cessation counselling of 12 minutes is intensive, over "
            "10 minutes: 99407 (99406 is 3-10 minutes), so the E/M carries -25. Methylprednisolone acetate 80 mg "
            "IM: 96372 and J1040 (80 mg) x1. The in-office chest X-ray gives no number of views, so it is not "
            "billed until the report states them.",
    ),
    "DEMO-020": Expected(
        ("Z00.00", "Z23", "E78.5"),
        lines=(L("G0439", pointers=("A", "C")), L("G0008", pointers=("B",)), L("90662", pointers=("B",))),
        why="Subsequent Medicare annual wellness visit G0439 with Z00.00 first-listed (I.C.21.c.16), "
            "hyperlipidemia E78.5 reviewed and refilled; high-dose influenza vaccine 90662 with Medicare's "
            "administration code G0008 and Z23.",
    ),
    "DEMO-021": Expected(
        ("S61.451A", "W54.0XXA", "Y92.017", "Y93.K1", "Y99.8"),
        lines=(L("99283", ("25",)), L("12002")),
        why="A dog bite of the hand is an open bite: Index Bite, hand (open wound) S61.45-, right hand "
            "S61.451A, even though the note calls it a laceration. Bitten by dog W54.0XXA; yard of a "
            "single-family house Y92.017; walking an animal Y93.K1; leisure Y99.8. Simple repair 3.0 cm 12002 "
            "(2.6-7.5 cm); the ED E/M (rabies and antibiotic decisions) with -25.",
    ),
    "DEMO-022": Expected(
        ("S06.0X0A", "V43.52XA", "Y92.411", "Y99.8"),
        lines=(L("99284"),),
        why="Concussion without loss of consciousness S06.0X0A (headache, nausea and fogginess are part of it). "
            "Car driver injured in collision with another car in a traffic accident V43.52XA; interstate "
            "highway Y92.411; leisure status Y99.8. 99284 with the head CT.",
    ),
    "DEMO-023": Expected(
        ("S39.012A", "X50.0XXA", "Y92.61", "Y93.H3", "Y99.0"),
        lines=(L("99203"),),
        why="Strain of muscle, fascia and tendon of the lower back S39.012A; overexertion from a strenuous "
            "load X50.0XXA; building under construction Y92.61; construction activity Y93.H3; work for pay "
            "Y99.0 (workers' compensation). New patient, acute uncomplicated injury with prescription drugs: 99203.",
    ),
    "DEMO-024": Expected(
        ("J02.0",),
        lines=(L("99213"), L("87880", ("QW",)), L("96372"), L("J0561", units=12)),
        why="Streptococcal pharyngitis J02.0 (rapid strep positive). CLIA-waived rapid strep 87880-QW; "
            "penicillin G benzathine 1.2 million units IM: 96372 and J0561 (100,000 units) x12. Self-pay: "
            "a statement, not a claim.",
    ),
    "DEMO-025": Expected(
        ("M17.10",),
        lines=(L("20610"), L("J3301", units=4)),
        query="laterality: which knee (right, left or both) was examined and injected",
        why="Primary osteoarthritis of one knee with no side anywhere in the note: M17.10 (unilateral, "
            "unspecified knee) and a query rather than a guess; the RT/LT modifier of 20610 waits on it too. "
            "Major joint injection without ultrasound 20610; triamcinolone acetonide 40 mg J3301 (10 mg) x4.",
    ),
    "DEMO-026": Expected(
        ("E11.9", "R20.0", "Z79.4", "Z96.41"),
        lines=(L("99204", pointers=("A", "B", "C", "D")),),
        query="type of diabetes (type 1 vs type 2: insulin since DKA at age 11) and the cause of the foot numbness",
        why="The type of diabetes is not documented: the default is E11 (guideline I.C.4.a.2) and a query is "
            "due; 'suboptimal' control is not one of the Index's terms for hyperglycemia, so E11.9. Numbness of "
            "both feet R20.0 ('possibly diabetic neuropathy' is uncertain: not coded outpatient, IV.H). Insulin "
            "Z79.4 and the documented insulin pump Z96.41 (presence of insulin pump). New patient, moderate MDM: 99204.",
    ),
    "DEMO-027": Expected(
        ("S52.502D", "W19.XXXD"),
        lines=(L("29075", ("LT",)), L("73100", ("LT",))),
        query="fracture type and displacement, and whether care today is routine healing (D) given the copied-forward reduction text",
        why="Left distal radius fracture, type not stated, healing: S52.502D (7th character D, routine healing "
            "in the healing phase, guideline I.C.19.a); the fall W19.XXXD takes the same 7th character and no "
            "place code after the initial encounter (I.C.20.b). Cast change 29075-LT and the in-office 2-view "
            "wrist X-ray 73100-LT. The copied-forward reduction text conflicts with today's findings: query.",
    ),
    "DEMO-028": Expected(
        ("I11.0", "I50.9", "T50.1X6A"),
        lines=(L("99223", pointers=("A", "B"), date="2026-09-01"), L("99238", pointers=("A", "B", "C"), date="2026-09-04")),
        query="type (systolic, diastolic, combined) and acuity (acute, chronic, acute on chronic) of the heart failure: LVEF 35%, BNP 1,450, IV diuresis",
        why="Hypertension with heart failure is presumed linked: I11.0 with I50.9 ('CHF exacerbation' gives no "
            "type or acuity: query) (guideline I.C.9.a.1). The exacerbation followed running out of furosemide: "
            "underdosing of loop diuretics T50.1X6A after the condition (I.C.19.e.5.c, never first); no intent is "
            "documented, so no Z91.1- code ('if known'). Discharge day with no time documented is 99238, not 99239.",
    ),
    "DEMO-029": Expected(
        ("M17.11", "D64.9"),
        pcs=("0SRC0J9", "30233N1"),
        lines=(L("27447", ("RT",), date="2026-07-14"),),
        query="type of anemia: Hgb 13.8 to 7.4 after surgery, transfused (e.g. acute blood loss anemia, other, undetermined)",
        why="Primary osteoarthritis, right knee M17.11 (principal, the reason for the TKA); 'anemia' alone is "
            "D64.9: the indicators support a query for acute blood loss anemia, never an assumption. PCS: "
            "replacement of right knee joint, synthetic, cemented, open 0SRC0J9; transfusion of nonautologous "
            "red cells into a peripheral vein 30233N1. Surgeon's line 27447-RT.",
    ),
    "DEMO-030": Expected(
        ("I21.02", "I25.10", "E78.5", "F17.210"),
        pcs=("027034Z", "4A023N7", "B2111ZZ"),
        lines=(L("92941", ("LD",), pointers=("A", "B"), date="2026-03-12"),
               L("93458", ("59",), pointers=("A", "B"), date="2026-03-12")),
        why="STEMI of the LAD I21.02; non-obstructive native coronary atherosclerosis without angina I25.10; "
            "hyperlipidemia E78.5; cigarette dependence F17.210 (meets the I20-I25 tobacco note). PCS: dilation "
            "of one coronary artery with a drug-eluting device 027034Z, left heart pressure measurement "
            "4A023N7, fluoroscopy of multiple coronary arteries, low osmolar B2111ZZ. CPT: PCI for acute MI "
            "92941-LD; the diagnostic left heart catheterization with coronary angiography 93458 is separately "
            "reported (no prior study, the decision to intervene came from it) with -59.",
    ),
    "DEMO-031": Expected(
        ("Z38.00",),
        pcs=("0VTTXZZ",),
        lines=(L("99460", date="2026-04-11"), L("54150", date="2026-04-12"), L("99238", date="2026-04-13")),
        why="Single liveborn, born in hospital, vaginal delivery Z38.00 (first-listed only, guideline I.C.21.c.16; newborn coding I.C.16.a). "
            "Circumcision: PCS Resection of prepuce, external 0VTTXZZ; CPT clamp circumcision with nerve block "
            "54150; initial newborn care 99460 and the discharge day 99238.",
    ),
    "DEMO-032": Expected(
        ("T78.3XXA", "T46.4X5A", "I10"),
        lines=(L("99284", pointers=("A", "B", "C")),),
        why="Lisinopril taken as prescribed: an adverse effect, so the angioedema T78.3XXA first and the drug "
            "T46.4X5A (Drug table: ACE inhibitor, adverse effect) after (guideline I.C.19.e.5.a); essential "
            "hypertension I10.",
    ),
    "DEMO-033": Expected(
        ("C44.311",),
        lines=(L("11642"),),
        why="FY2025 date of service, FY2025 book: basal cell carcinoma of skin of nose, Neoplasm table skin, "
            "nose, malignant, C44.311. Excised diameter 1.6 cm (lesion plus margins) of a malignant lesion of "
            "the nose: 11642 (1.1-2.0 cm); simple closure is included.",
    ),
    "DEMO-034": Expected(
        ("D17.1",),
        lines=(L("21930"),),
        why="FY2025 date of service; lipoma of subcutaneous tissue of the trunk (back) D17.1. Excision of a "
            "subcutaneous soft tissue tumor of the back under 3 cm 21930.",
    ),
    "DEMO-035": Expected(
        ("A41.51", "N39.0", "B96.20", "R65.20", "N17.9", "I10"),
        lines=(L("99223", pointers=("A", "B", "C", "D"), date="2026-08-02"), L("99238", pointers=("A", "B", "C", "D"), date="2026-08-07")),
        why="Sepsis due to E. coli A41.51 first (guideline I.C.1.d.4: the systemic infection before the "
            "localized one), the UTI N39.0 with its organism B96.20 (N39.0 'use additional code'), severe sepsis "
            "without shock R65.20 after the infection (I.C.1.d.1.b, never first) and its organ dysfunction, "
            "acute kidney injury N17.9; essential hypertension I10. Discharge day with no time documented: 99238.",
    ),
}
