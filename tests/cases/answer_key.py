"""Expected coding for every demo case (sessions/demo/worklist.json).

Diagnoses are ICD-10-CM, first-listed (outpatient) or principal (inpatient) first; procedures are
ICD-10-PCS for inpatient stays; lines are the professional service lines (for an inpatient stay: the attending's or
surgeon's own services, on the 837P with POS 21) (HCPCS Level II, or
CPT codes by number only: no CPT descriptors are shipped). Where the documentation is not
specific enough, `query` names what a provider query should ask, and the codes are those
supportable *before* the answer (the unspecified ones).

Every code here was checked with `workstation lookup CODE --date DOS`; test_answer_key.py checks
them again against the compiled code books and assigns them through the session store.
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
    why: str = ""  # the coding point the case teaches


L = Line

KEY: dict[str, Expected] = {
    "DEMO-001": Expected(
        ("E11.22", "I12.9", "N18.31", "Z79.84"),
        lines=(L("99214", pointers=("A", "B", "C", "D")), L("G2211", pointers=("A", "B"))),
        why="diabetes with CKD: E11.22 plus the N18 stage; hypertension with CKD is I12.-, not I10",
    ),
    "DEMO-002": Expected(
        ("I13.0", "I50.32", "N18.4"),
        lines=(L("99214", pointers=("A", "B", "C")),),
        why="hypertension with heart failure and CKD: the I13 combination code, then the HF type and CKD stage",
    ),
    "DEMO-003": Expected(
        ("S82.61XA", "W01.0XXA", "Y92.480", "Y93.01", "Y99.8"),
        lines=(L("99284", ("25",)), L("29515", ("RT",))),
        why="7th character A with placeholder X; external cause, place, activity and status codes",
    ),
    "DEMO-004": Expected(
        ("R31.0", "T45.515A", "I48.21", "Z79.01"),
        lines=(L("99284", pointers=("A", "B", "C")),),
        why="adverse effect of a drug taken as prescribed: the effect first, then T45.515A (Drug table, adverse effect column)",
    ),
    "DEMO-005": Expected(
        ("T42.4X2A", "R40.0", "F32.2"),
        lines=(L("99285", pointers=("A", "B", "C")),),
        why="poisoning, intentional self-harm: the T code first, then its manifestations",
    ),
    "DEMO-006": Expected(
        ("Z51.11", "C50.412", "Z17.0", "Z17.21", "Z17.32"),
        lines=(
            L("96413", pointers=("A", "B")),
            L("96417", pointers=("A", "B")),
            L("J9171", units=130, pointers=("A", "B")),
            L("J9070", units=11, pointers=("A", "B")),
            L("J2405", units=16, pointers=("A", "B")),
            L("J2506", units=12, pointers=("A", "B")),
        ),
        why="encounter for chemotherapy first; breast site and laterality; one receptor-status code per receptor (FY2026)",
    ),
    "DEMO-007": Expected(
        ("C34.11", "C79.51", "J91.0", "Z87.891"),
        pcs=("0W993ZZ",),
        lines=(
            L("99223", pointers=("A", "C"), date="2026-03-24"),
            L("32555", pointers=("C", "A"), date="2026-03-24"),
            L("99238", pointers=("A", "C"), date="2026-03-27"),
        ),
        why="malignant pleural effusion: code first the neoplasm (J91.0 note); secondary site from the Neoplasm table",
    ),
    "DEMO-008": Expected(
        ("K35.80",),
        pcs=("0DTJ4ZZ",),
        lines=(L("44970", date="2026-01-29"),),
        why="acute appendicitis without peritonitis; laparoscopic appendectomy is a Resection, percutaneous endoscopic",
    ),
    "DEMO-009": Expected(
        ("S72.011A", "W06.XXXA", "Y92.013", "I10"),
        pcs=("0SRR0J9",),
        lines=(L("27125", ("RT",), date="2026-02-16"),),
        why="intracapsular femoral neck fracture; hemiarthroplasty replaces the femoral surface only",
    ),
    "DEMO-010": Expected(
        ("O80", "Z37.0", "Z3A.39"),
        pcs=("10E0XZZ",),
        lines=(L("59410", pointers=("A", "B", "C"), date="2026-06-10"),),
        why="O80 only for a fully uncomplicated delivery, with the outcome Z37.0 and the weeks Z3A",
    ),
    "DEMO-011": Expected(
        ("O24.410", "Z3A.28"),
        lines=(L("99213", pointers=("A", "B")),),
        why="gestational diabetes, diet controlled; weeks of gestation",
    ),
    "DEMO-012": Expected(("H66.001",), lines=(L("99213"),), why="otitis media with laterality"),
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
        why="well-child check without abnormal findings plus Z23 for the vaccines",
    ),
    "DEMO-014": Expected(("J45.41",), lines=(L("99284"),), why="asthma severity and exacerbation in one code"),
    "DEMO-015": Expected(
        ("Z12.11", "D12.5", "K64.8"),
        lines=(L("45385", ("33",), pointers=("A", "B")),),
        why="screening first even when a polyp is found; pathology decides D12.5 (benign neoplasm) over K63.5",
    ),
    "DEMO-016": Expected(("H25.11",), lines=(L("66984", ("RT",)),), why="cataract type and eye"),
    "DEMO-017": Expected(("G56.01",), lines=(L("64721", ("RT",)),), why="carpal tunnel syndrome with laterality"),
    "DEMO-018": Expected(
        ("F33.1", "F41.1"),
        lines=(L("99214", ("95",), pointers=("A", "B")),),
        why="recurrent depression with severity; telehealth at home: POS 10 and modifier 95",
    ),
    "DEMO-019": Expected(
        ("J44.1", "F17.210"),
        lines=(
            L("99214", ("25",), pointers=("A", "B")),
            L("99406", pointers=("B",)),
            L("96372"),
            L("J1040"),
        ),
        why="COPD with exacerbation; tobacco dependence coded with it (J44 'use additional code')",
    ),
    "DEMO-020": Expected(
        ("Z00.00", "Z23", "E78.5"),
        lines=(L("G0439", pointers=("A", "C")), L("G0008", pointers=("B",)), L("90662", pointers=("B",))),
        why="Medicare annual wellness visit (G0439) and flu vaccine administration (G0008)",
    ),
    "DEMO-021": Expected(
        ("S61.411A", "W54.0XXA", "Y92.017", "Y93.K1", "Y99.8"),
        lines=(L("99283", ("25",)), L("12002")),
        why="laceration with and without foreign body; dog bite external cause",
    ),
    "DEMO-022": Expected(
        ("S06.0X0A", "V43.52XA", "Y92.411", "Y99.8"),
        lines=(L("99284"),),
        why="concussion with LOC status; transport accident: who (driver), what vehicle, collision with what",
    ),
    "DEMO-023": Expected(
        ("S39.012A", "X50.0XXA", "Y92.61", "Y93.H3", "Y99.0"),
        lines=(L("99203"),),
        why="work injury: Y99.0 civilian activity for income; overexertion X50",
    ),
    "DEMO-024": Expected(
        ("J02.0",),
        lines=(L("99213"), L("87880", ("QW",)), L("96372"), L("J0561", units=12)),
        why="self-pay patient: a statement, not a claim",
    ),
    "DEMO-025": Expected(
        ("M17.10",),
        lines=(L("20610"), L("J3301", units=4)),
        query="laterality: which knee (right, left or both) was examined and injected",
        why="no laterality anywhere in the note: query rather than guess; RT/LT modifiers depend on it too",
    ),
    "DEMO-026": Expected(
        ("E11.9", "R20.0", "Z79.4"),
        lines=(L("99204", pointers=("A", "B", "C")),),
        query="type of diabetes (type 1 vs type 2: insulin since DKA at age 11) and the cause of the foot numbness",
        why="type not stated defaults to E11 (guideline I.C.4.a.2) and 'possibly' is not coded outpatient; the record points elsewhere",
    ),
    "DEMO-027": Expected(
        ("S52.502D", "W19.XXXD"),
        lines=(L("29075", ("LT",)),),
        query="fracture type and displacement, and whether care today is routine healing (D) given the copied-forward reduction text",
        why="7th character depends on the stage of care; copied-forward text conflicts with today's findings",
    ),
    "DEMO-028": Expected(
        ("I11.0", "I50.9"),
        lines=(L("99223", pointers=("A", "B"), date="2026-09-01"), L("99239", pointers=("A", "B"), date="2026-09-04")),
        query="type (systolic, diastolic, combined) and acuity (acute, chronic, acute on chronic) of the heart failure: LVEF 35%, BNP 1,450, IV diuresis",
        why="hypertension with heart failure is presumed linked (I11.0); 'CHF exacerbation' alone gives I50.9",
    ),
    "DEMO-029": Expected(
        ("M17.11", "D64.9"),
        pcs=("0SRC0J9", "30233N1"),
        lines=(L("27447", ("RT",), date="2026-07-14"),),
        query="type of anemia: Hgb 13.8 to 7.4 after surgery, transfused (e.g. acute blood loss anemia, other, undetermined)",
        why="'anemia' alone is D64.9; the indicators support a query, never an assumption",
    ),
    "DEMO-030": Expected(
        ("I21.02", "I25.10", "E78.5", "F17.210"),
        pcs=("027034Z", "4A023N7", "B2111ZZ"),
        lines=(L("92941", ("LD",), pointers=("A", "B"), date="2026-03-12"),),
        why="STEMI by artery; PCI is Dilation with a drug-eluting intraluminal device",
    ),
    "DEMO-031": Expected(
        ("Z38.00",),
        pcs=("0VTTXZZ",),
        lines=(L("99460", date="2026-04-11"), L("54150", date="2026-04-12"), L("99238", date="2026-04-13")),
        why="newborn: place and type of birth; circumcision is Resection of prepuce",
    ),
    "DEMO-032": Expected(
        ("T78.3XXA", "T46.4X5A", "I10"),
        lines=(L("99284", pointers=("A", "B", "C")),),
        why="adverse effect: the reaction (angioedema) first, then the drug from the Drug table",
    ),
    "DEMO-033": Expected(
        ("C44.311",),
        lines=(L("11642"),),
        why="FY2025 date of service: coded from the FY2025 book; skin of nose from the Neoplasm table",
    ),
    "DEMO-034": Expected(
        ("D17.1",),
        lines=(L("21930"),),
        why="FY2025 date of service; lipoma is a benign lipomatous neoplasm by site",
    ),
    "DEMO-035": Expected(
        ("A41.51", "N39.0", "B96.20", "R65.20", "N17.9", "I10"),
        lines=(L("99223", pointers=("A", "B", "C", "D"), date="2026-08-02"), L("99239", pointers=("A", "B", "C", "D"), date="2026-08-07")),
        why="sepsis first with its organism; the UTI with B96.20 (N39.0 note); R65.20 for severe sepsis, and the organ dysfunction",
    ),
}
