"""Search latency per keystroke: replay the typing of realistic queries, print p50 / p95 / p99.

Every prefix of every query below is searched, as the UI does on each keystroke (all code sets
loaded, limit 50). The queries are written the way coders and physicians type: abbreviations,
typos, index-style paths, code prefixes, procedures and supplies.

    .venv/bin/python benchmarks/search_latency.py [--no-build] [--rounds N] [--demo]

Prints figures only; it asserts nothing (timings depend on the machine and its load).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

QUERIES = """
t2dm ckd
t2dm with ckd stage 3
type 2 diabetes with hyperglycemia
dm2 neuropathy
diabetes type 1 with ketoacidosis
diabtes foot ulcer
iddm retinopathy
niddm uncontrolled
gestational diabetes diet controlled
prediabetes
htn
htn ckd stage 4
hypertensive heart disease with chf
essential hypertension
malignant hypertension
chf exacerbation
acute on chronic systolic heart failure
diastolic chf
hfref
cad native vessel
coronary artery disease with angina
stemi anterior wall
nstemi
old mi
afib rvr
paroxysmal afib
atrial flutter
svt
dvt left leg
pulmonary embolism acute
pe with acute cor pulmonale
pvd
peripheral artery disease with claudication
aaa without rupture
cva
tia
stroke with left hemiparesis
hemiplegia following cerebral infarction
copd
copd exacerbation
copd with acute bronchitis
asthma moderate persistent
asthma exacerbation
pnuemonia
pneumonia due to covid
community acquired pneumonia
aspiration pneumonia
sepsis due to e coli
severe sepsis with septic shock
uti
uti due to e coli
pyelonephritis acute
ckd stage 3a
esrd on dialysis
aki
acute kidney injury
bph with luts
kidney stone
renal colic
gerd
gerd with esophagitis
gi bleed
upper gi bleed
peptic ulcer with hemorrhage
gastric ulcer
diverticulitis of colon
ibs with diarrhea
crohns disease
ulcerative colitis
cholecystitis acute
cholelithiasis
appendicitis acute
pancreatitis acute
cirrhosis of liver alcoholic
hepatitis c chronic
fatty liver
obesity morbid
bmi 40
hyperlipidemia
hypercholesterolemia
hypothyroidism
hyperthyroidism
vitamin d deficiency
b12 deficiency anemia
iron deficiency anemia
anemia in ckd
sickle cell crisis
thrombocytopenia
neutropenic fever
hiv disease
mrsa infection
cellulitis of left lower leg
abscess of buttock
pressure ulcer sacrum stage 3
diabetic foot ulcer right heel
venous stasis ulcer
burn of hand second degree
laceration of scalp
dog bite forearm
fx wrist
closed fracture left distal radius
fracture neck of femur
hip fracture right initial
fractured rib
compression fracture l1
ankle sprain
acl tear
rotator cuff tear
low back pain
lbp with sciatica
lumbar radiculopathy
cervical spondylosis
osteoarthritis knee
oa of hip bilateral
rheumatoid arthritis
gout
osteoporosis with fracture
fibromyalgia
carpal tunnel syndrome
migraine without aura
headache
seizure
epilepsy intractable
syncope
dizziness
vertigo
parkinsons disease
alzheimers dementia
dementia with behavioral disturbance
multiple sclerosis
neuropathy peripheral
bells palsy
mdd recurrent severe
depression
anxiety
gad
panic disorder
ptsd
adhd
bipolar disorder
schizophrenia
alcohol dependence with withdrawal
opioid use disorder
tobacco use
nicotine dependence cigarettes
insomnia
osa
chest pain
abdominal pain rlq
nausea and vomiting
diarrhea
constipation
fever
fatigue
weight loss
shortness of breath
cough
hematuria
dysuria
edema
rash
pruritus
allergic rhinitis
sinusitis acute
otitis media
strep throat
conjunctivitis
cataract
glaucoma
macular degeneration
pregnancy supervision normal first
preterm labor
preeclampsia
postpartum hemorrhage
ectopic pregnancy
miscarriage
encounter for immunization
annual physical exam
well child visit
screening colonoscopy
screening mammogram
long term use of insulin
long term anticoagulants
history of breast cancer
family history of colon cancer
breast cancer upper outer quadrant right
lung cancer
prostate cancer
colon cancer metastatic to liver
aspirin poisoning
acetaminophen overdose
adverse effect of warfarin
underdosing of insulin
fall from ladder
motor vehicle accident driver
e11.22
E11.9
e119
I10
n18.3
J44.1
Z79.4
S72.001A
0DTJ4ZZ
0DT
appendectomy laparoscopic
cholecystectomy
total knee replacement
hip replacement
coronary artery bypass
colonoscopy with biopsy
egd
cesarean section
hysterectomy
wheelchair
walker
oxygen concentrator
glucose test strips
insulin pump
j1100
dexamethasone injection
b12 injection
flu vaccine
ambulance
modifier left
LT
59
"""


def queries(demo: bool = False) -> list[str]:
    qs = [q.strip() for q in QUERIES.strip().splitlines() if q.strip()]
    if demo:
        # The demo documentation set (search_demo_set.py): what coders type reading the demo notes.
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from search_demo_set import DEMO_QUERIES

        qs += [q for _case, _code, dq in DEMO_QUERIES for q in dq]
    return qs


def pct(values: list[float], p: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-build", action="store_true", help="skip timing an in-memory index build")
    ap.add_argument("--rounds", type=int, default=1, help="replay the whole typing this many times")
    ap.add_argument("--demo", action="store_true",
                    help="also replay the demo documentation queries (benchmarks/search_demo_set.py)")
    args = ap.parse_args()

    from workstation.search import index as search_index
    from workstation.search.engine import SearchEngine

    qs = queries(args.demo)
    print(f"queries: {len(qs)}, keystrokes per round: {sum(len(q) for q in qs)}")

    t = time.perf_counter()
    idx = search_index.load()
    load_s = time.perf_counter() - t
    if idx is None:
        print("precompiled index missing or stale: building in memory")
        t = time.perf_counter()
        idx = search_index.build()
        load_s = time.perf_counter() - t
    print(f"index load (precompiled codebooks/search-index.json.gz): {load_s * 1000:.0f} ms; "
          f"{idx.size} entries, {len(idx.codes)} codes, {len(idx.postings)} stems")
    if not args.no_build:
        t = time.perf_counter()
        search_index.build()
        print(f"index build in memory from the compiled books: {time.perf_counter() - t:.1f} s")

    engine = SearchEngine()
    engine._index = None
    t = time.perf_counter()
    engine.index  # the engine's own loading path (as the app uses it), with gc.freeze()
    print(f"engine ready (load + prepare): {(time.perf_counter() - t) * 1000:.0f} ms ({engine.loaded_from})")
    del idx
    t = time.perf_counter()
    engine.warm().join()  # what the app does at start, in the background
    print(f"warm-up (typo index, first searches): {(time.perf_counter() - t) * 1000:.0f} ms")

    first: list[float] = []
    times: list[float] = []
    cpu: list[float] = []
    for rnd in range(args.rounds):
        for q in qs:
            for i in range(1, len(q) + 1):
                c = time.process_time()
                t = time.perf_counter()
                engine.search(q[:i], limit=50)
                dt = (time.perf_counter() - t) * 1000
                cpu.append((time.process_time() - c) * 1000)
                times.append(dt)
                if rnd == 0:
                    first.append(dt)
    n1 = len(first)
    print(f"keystrokes timed: {len(times)} ({args.rounds} round(s))")
    rows = [("first round (cold caches), wall", times[:n1]), ("first round, CPU", cpu[:n1])]
    if args.rounds > 1:
        rows += [("later rounds (warm), wall", times[n1:]), ("later rounds, CPU", cpu[n1:])]
    # CPU time is what the search itself costs; wall time also holds waits for a busy CPU.
    for label, v in rows:
        print(f"  {label:<34} ms/keystroke: p50 {pct(v, 50):6.2f}  p95 {pct(v, 95):6.2f}  "
              f"p99 {pct(v, 99):6.2f}  max {max(v):6.1f}  mean {statistics.fmean(v):5.2f}")
    try:
        import resource

        print(f"peak memory (RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB "
              "(includes a second copy of the index, loaded for the load timing)")
    except ImportError:
        pass
    try:
        import os

        print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end")
    except OSError:
        pass
    slow = sorted(((t, q) for t, q in zip(first, (q[:i] for q in qs for i in range(1, len(q) + 1)))), reverse=True)[:8]
    print("slowest keystrokes (first round): " + "; ".join(f"{q!r} {t:.1f}" for t, q in slow))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
