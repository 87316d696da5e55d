"""Suggestions from whole notes: context rules end to end, combinations, sex and age, the CLI."""
from __future__ import annotations

import json

import orjson
import pytest

from tests.suggest.notes import NOTES
from workstation.cli import main
from workstation.suggest import rejections
from workstation.suggest.suggest import Patient, suggest_text

OUT = Patient("F", 64, "2026-03-01", "outpatient")
INP = Patient("F", 64, "2026-03-01", "inpatient")


def codes(text: str, patient: Patient = OUT) -> list[str]:
    return [s.code for s in suggest_text(text, patient).suggestions]


def test_negated_condition_is_not_suggested() -> None:
    got = codes("ASSESSMENT: No evidence of pneumonia. Acute bronchitis.")
    assert "J20.9" in got
    assert not any(c.startswith(("J18", "J12", "J13", "J15")) for c in got)


def test_uncertain_outpatient_not_coded_inpatient_coded() -> None:
    note = "ASSESSMENT: Probable community-acquired pneumonia."
    reading = suggest_text(note, OUT)
    assert not any(s.code.startswith("J18") for s in reading.suggestions)
    assert any("outpatient" in k.reason for k in reading.skipped)
    inp = suggest_text(note, INP).suggestions
    assert [s.code for s in inp] == ["J18.9"]
    assert any("II.H" in w for w in inp[0].why)


def test_history_gives_the_personal_history_code() -> None:
    got = codes("ASSESSMENT: History of breast cancer.")
    assert got == ["Z85.3"]  # not C50.-
    assert codes("ASSESSMENT: Breast cancer, left upper-outer quadrant.")[0].startswith("C50.4")


def test_family_gives_the_family_history_code() -> None:
    got = codes("FAMILY HISTORY: Mother had breast cancer.\nASSESSMENT: Encounter for screening mammogram.")
    assert "Z80.3" in got and "Z12.31" in got
    assert not any(c.startswith("C50") for c in got)


def test_hypertension_with_ckd_by_presumption() -> None:
    got = codes("ASSESSMENT:\n1. Hypertension.\n2. Chronic kidney disease stage 3b.")
    assert "I12.9" in got and "N18.32" in got and "I10" not in got


def test_diabetes_and_ckd_are_linked() -> None:
    got = codes("ASSESSMENT:\n1. Type 2 diabetes mellitus.\n2. CKD stage 4.")
    assert "E11.22" in got and "N18.4" in got and "E11.9" not in got


def test_no_combination_without_both_conditions() -> None:
    got = codes("ASSESSMENT: Essential hypertension. Type 2 diabetes mellitus.")
    assert "I10" in got and "E11.9" in got


def test_sex_decides_between_siblings() -> None:
    # Breast cancer: C50.41- is female, C50.42- male.
    f = codes("ASSESSMENT: Malignant neoplasm of upper-outer quadrant of left breast.", Patient("F", 60, "2026-03-01"))
    m = codes("ASSESSMENT: Malignant neoplasm of upper-outer quadrant of left breast.", Patient("M", 60, "2026-03-01"))
    assert f[0] == "C50.412" and m[0] == "C50.422"


def test_mce_refused_codes_are_not_suggested() -> None:
    got = codes("ASSESSMENT: Gestational diabetes, diet controlled.", Patient("M", 40, "2026-03-01"))
    assert not any(c.startswith("O") for c in got)
    got = codes("ASSESSMENT: Gestational diabetes, diet controlled.", Patient("F", 30, "2026-03-01"))
    assert got == ["O24.410"]


def test_evidence_points_into_the_note() -> None:
    note = "HPI: Knee pain.\nASSESSMENT: Primary osteoarthritis of the left knee."
    s = suggest_text(note, OUT).suggestions[0]
    assert s.code == "M17.12"
    assert note[s.start:s.end] == s.evidence
    assert s.why  # index path or title match


def test_synthetic_key_codes_are_real() -> None:
    from workstation.codes import books

    assert len(NOTES) >= 20
    from workstation.codes.hcpcs import hcpcs
    from workstation.codes.icd10pcs import icd10pcs

    for n in NOTES:
        book = books.icd10cm(date=n.date)
        for c in n.dx:
            assert book.is_billable(c), (n.id, c)
        for c in n.pcs:
            assert icd10pcs().is_valid(c), (n.id, c)
        for c, _units in n.hcpcs:
            assert hcpcs().get(c) is not None, (n.id, c)


# ------------------------------------------------------------------ CLI


def test_cli_text(tmp_path, capsys) -> None:
    f = tmp_path / "note.txt"
    f.write_text("ASSESSMENT: Possible pneumonia. Cough.\n")
    assert main(["suggest", "--text", str(f), "--sex", "F", "--age", "64", "--date", "2026-03-01",
                 "--setting", "outpatient", "--json"]) == 0
    doc = orjson.loads(capsys.readouterr().out)
    assert [s["code"] for s in doc["suggestions"]] == ["R05.9"]
    assert doc["not_coded"][0]["evidence"] == "Possible pneumonia"
    assert main(["suggest", "--text", str(f), "--date", "2026-03-01", "--setting", "inpatient", "--json"]) == 0
    assert "J18.9" in [s["code"] for s in orjson.loads(capsys.readouterr().out)["suggestions"]]


def test_cli_needs_a_date_with_text(tmp_path, capsys) -> None:
    f = tmp_path / "note.txt"
    f.write_text("ASSESSMENT: Cough.\n")
    assert main(["suggest", "--text", str(f)]) == 2
    assert "--date" in capsys.readouterr().err


def test_cli_session_case_marks_coded_and_hides_rejected(tmp_path, capsys) -> None:
    store = tmp_path / "s.json"
    assert main(["sessions", "new", str(store), "--demo"]) == 0
    assert main(["code", "--session", str(store), "DEMO-001", "--dx", "E11.22"]) == 0
    capsys.readouterr()
    assert main(["suggest", "--session", str(store), "--case", "DEMO-001", "--json"]) == 0
    doc = orjson.loads(capsys.readouterr().out)
    by_code = {s["code"]: s for s in doc["suggestions"]}
    assert by_code["E11.22"]["already_coded"] and not by_code["I12.9"]["already_coded"]
    rejections.reject(store, "DEMO-001", "I12.9")
    assert oct(rejections.path_for(store).stat().st_mode & 0o777) == "0o600"
    assert main(["suggest", "--session", str(store), "--case", "DEMO-001", "--json"]) == 0
    doc = orjson.loads(capsys.readouterr().out)
    assert "I12.9" not in [s["code"] for s in doc["suggestions"]]
    assert doc["rejected"] == ["I12.9"]


def test_encounter_reasons() -> None:
    chemo = codes("VISIT: Cycle 2 of 4 adjuvant docetaxel and cyclophosphamide.\n"
                  "DIAGNOSIS: Malignant neoplasm of upper-outer quadrant of left breast.")
    assert chemo[0] == "Z51.11" and "C50.412" in chemo  # chemotherapy encounter first-listed
    assert "Z51.11" not in codes("DIAGNOSIS: Malignant neoplasm of upper-outer quadrant of left breast. "
                                 "PLAN: Endocrine therapy after chemotherapy.")
    assert "Z23" in codes("ASSESSMENT: Well visit.\nIMMUNIZATIONS given today: MMR, varicella.",
                          Patient("F", 1, "2026-03-01"))
    assert "Z23" not in codes("ASSESSMENT: Otitis media. Tdap declined.", Patient("F", 30, "2026-03-01"))
    preg = codes("G2P1 at 39 weeks, uncomplicated pregnancy.\nDIAGNOSIS: Full-term uncomplicated delivery.",
                 Patient("F", 30, "2026-06-10", "inpatient"))
    assert "Z3A.39" in preg
    # Z3A is for the maternal record: not for the newborn
    assert "Z3A.39" not in codes("Born at 39 weeks by vaginal delivery.\nDIAGNOSIS: Healthy newborn.",
                                 Patient("M", 0, "2026-06-10", "inpatient"))


def test_external_cause_only_with_an_injury() -> None:
    ed = Patient("F", 84, "2026-02-16", "inpatient", "inpatient")
    got = codes("ASSESSMENT: Closed displaced intracapsular fracture of the right femoral neck due to fall from bed.", ed)
    assert got[0] == "S72.011A" and "W06.XXXA" in got  # the injury first, then how it happened
    # no injury: the same words give no external cause
    got = codes("ASSESSMENT: Hypertension. Anxiety due to fall from bed last year.", ed)
    assert not any(c[:1] in "VWXY" for c in got)


def test_place_of_occurrence() -> None:
    ed = Patient("M", 29, "2026-05-01", "outpatient", "emergency")
    got = codes("ASSESSMENT: Concussion without loss of consciousness, initial encounter. "
                "Car driver injured in collision with other car in traffic accident on an interstate highway.", ed)
    assert got[:2] == ["S06.0X0A", "V43.52XA"] and "Y92.411" in got


def test_activity_and_status_with_an_external_cause() -> None:
    ed = Patient("F", 15, "2026-05-01", "outpatient", "emergency")
    got = codes("HPI: Walking the family's dog when a neighbor's dog bit her hand.\n"
                "ASSESSMENT: Laceration without foreign body of the right hand, initial encounter. Bitten by dog.", ed)
    assert got[:2] == ["S61.411A", "W54.0XXA"]
    assert "Y93.K1" in got and "Y99.8" in got
    work = codes("HPI: At work he lifted a heavy box.\n"
                 "ASSESSMENT: Strain of muscle, fascia and tendon of lower back, initial encounter.",
                 Patient("M", 41, "2026-05-01", "outpatient", "office"))
    # no cause or place code found: no activity or status alone
    assert not any(c.startswith(("Y93", "Y99")) for c in work) or any(c[:1] in "VWX" for c in work)
    # no injury: nothing external at all
    assert not any(c[:1] in "VWXY" for c in codes("HPI: Walking daily.\nASSESSMENT: Hypertension.", ed))


def test_a_dose_in_parentheses_leaves_the_subterm_it_follows() -> None:
    # "(1/2 pack per day)" is detail, not a date: the "cigarettes" subterm before it still counts.
    assert codes("ASSESSMENT: Nicotine dependence, cigarettes (1/2 pack per day).") == ["F17.210"]
    # No product named: the unspecified nicotine dependence, not the cigarette code.
    assert codes("ASSESSMENT: Nicotine dependence (1/2 pack per day).") == ["F17.200"]


def test_the_period_of_e_coli_ends_no_clause() -> None:
    # "E. coli" stays with its infection, which then names its organism (B96.20).
    got = codes("DIAGNOSES: Urinary tract infection, E. coli. Essential hypertension.", INP)
    assert got == ["N39.0", "B96.20", "I10"]
    got = codes("DIAGNOSES: Urinary tract infection. Essential hypertension.", INP)
    assert got == ["N39.0", "I10"]


def test_what_follows_with_that_the_code_does_not_say_is_coded_too() -> None:
    # R65.20 says organ dysfunction, not which organ: the acute kidney injury is its own code.
    got = codes("DIAGNOSES: Sepsis due to Escherichia coli. Severe sepsis with acute kidney injury "
                "(sepsis-related organ dysfunction), no septic shock.", INP)
    assert got == ["A41.51", "R65.20", "N17.9"]
    # What the code's own title says ("with hyperglycemia", "with organ dysfunction") is no second code.
    assert codes("DIAGNOSES: Type 2 diabetes mellitus with hyperglycemia.", INP) == ["E11.65"]
    assert codes("DIAGNOSES: Severe sepsis with organ dysfunction.", INP) == ["R65.20"]


def test_a_subterm_the_note_does_not_say_is_not_walked() -> None:
    # The search reaches I25.811 through "Atherosclerosis, transplanted heart, native coronary
    # artery"; the note says no transplant, so the walk's Atherosclerosis, coronary, artery I25.10.
    got = codes("DISCHARGE DIAGNOSES: Coronary atherosclerosis of native coronary arteries.", INP)
    assert got == ["I25.10"]
    got = codes("DISCHARGE DIAGNOSES: Atherosclerosis of native coronary artery of transplanted heart.", INP)
    assert got == ["I25.811"]
    # A subterm the code's title does not repeat is a synonym ("cardiorenal"): still I13.0.
    got = codes("ASSESSMENT:\n1. Hypertensive heart and chronic kidney disease with heart failure.\n"
                "2. Chronic diastolic heart failure.\n3. CKD stage 4.")
    assert "I13.0" in got and "I13.10" not in got


ED_84 = Patient("F", 84, "2026-02-20", "outpatient", "emergency")
_FALL = "\nASSESSMENT: Closed fracture of the right femoral neck, initial encounter, due to fall from bed."


@pytest.mark.parametrize("hpi,place", [
    ("Lives alone in a single-family house. Rolled out of bed and landed on the bedroom floor.", "Y92.013"),
    # No room named, or two rooms: the unspecified place in the house (the coder chooses).
    ("Lives alone in a single-family house. Rolled out of bed and landed on the floor.", "Y92.019"),
    ("Lives alone in a single-family house. Walked from the kitchen and fell on the bedroom floor.", "Y92.019"),
])
def test_the_place_goes_down_to_the_room_the_note_names(hpi: str, place: str) -> None:
    got = codes("HPI: " + hpi + _FALL, ED_84)
    assert got[:2] == ["S72.011A", "W06.XXXA"]
    assert [c for c in got if c.startswith("Y92")] == [place]


def test_a_drug_named_in_parentheses_after_its_class() -> None:
    # "ACE inhibitor (lisinopril)": searched with and without the aside, the better hit counts.
    got = codes("ASSESSMENT: Angioedema, adverse effect of ACE inhibitor (lisinopril) taken as prescribed. "
                "Essential hypertension.", ED_84)
    assert got == ["T78.3XXA", "T46.4X5A", "I10"]
    # A drug the patient is on is no adverse effect.
    assert codes("ASSESSMENT: Angioedema. Essential hypertension (on lisinopril).", ED_84) == ["T78.3XXA", "I10"]


@pytest.mark.parametrize("note,wound", [
    (("CC: Dog bite to right hand.\nASSESSMENT: Laceration without foreign body of the right hand, initial "
      "encounter. Bitten by dog."), "S61.451A"),   # made by a bite: the open bite, though called a laceration
    ("CC: Cut on glass.\nASSESSMENT: Laceration without foreign body of the right hand, initial encounter.",
     "S61.411A"),
    # The bite is on another site: the hand's laceration stays a laceration.
    (("CC: Dog bite to left leg.\nASSESSMENT: Laceration without foreign body of the right hand, initial "
      "encounter, from a fall. Bitten by dog on the left leg, skin intact."), "S61.411A"),
])
def test_a_wound_made_by_a_bite_is_an_open_bite(note: str, wound: str) -> None:
    assert codes(note, ED_84)[0] == wound


_CHF = "\nDISCHARGE DIAGNOSES:\n1. CHF exacerbation.\n2. Hypertension."


@pytest.mark.parametrize("history,underdosed", [
    ("HISTORY: Weight gain and orthopnea after running out of furosemide.", True),
    # Denied, or only advice in the plan: no underdosing.
    ("HISTORY: Weight gain and orthopnea. Denies running out of furosemide.", False),
    ("HISTORY: Weight gain and orthopnea.\nPLAN: Do not run out of furosemide.", False),
])
def test_underdosing_told_in_the_history(history: str, underdosed: bool) -> None:
    got = codes(history + _CHF, Patient("F", 77, "2026-09-04", "inpatient", "inpatient"))
    assert got[:2] == ["I50.9", "I11.0"]
    assert ("T50.1X6A" in got) is underdosed
    assert not any(c.startswith("Z91.1") for c in got)  # intent not documented


@pytest.mark.parametrize("hpi,has", [
    ("HPI: On insulin for years (insulin pump, Humalog).", True),
    # Negated, or only talked about in the plan: no status code.
    ("HPI: On insulin injections; no insulin pump.", False),
    ("HPI: On insulin injections.\nPLAN: Discussed an insulin pump.", False),
])
def test_a_device_the_patient_has_is_its_status_code(hpi: str, has: bool) -> None:
    got = codes(hpi + "\nASSESSMENT: Diabetes mellitus, on insulin.", Patient("M", 24, "2026-03-01", "outpatient"))
    assert "Z79.4" in got
    assert ("Z96.41" in got) is has


def test_a_device_named_by_a_deeper_subterm_s_last_words_is_not_a_status() -> None:
    # "Presence, intravascular implant, coronary artery": "coronary artery" alone names no device.
    got = codes("HPI: Drug-eluting stent placed in the coronary artery today.\nASSESSMENT: Coronary atherosclerosis.")
    assert got == ["I25.10"]


def test_no_pregnancy_code_without_a_pregnancy_in_the_record() -> None:
    woman = Patient("F", 30, "2026-03-01", "outpatient")
    # Chapter 15 only for a pregnancy the notes tell of (guideline I.C.15.a).
    assert codes("ASSESSMENT: Diabetes mellitus, on insulin.", woman) == ["E11.9", "Z79.4"]
    got = codes("ASSESSMENT: Pregnancy at 28 weeks. Gestational diabetes mellitus, on insulin.", woman)
    assert "O24.414" in got


@pytest.mark.parametrize("where,place", [
    ("in the back yard of their house", ["Y92.017"]),   # house, see residence, house, single family, yard
    ("in the back yard", []),                          # whose yard is not said: no place code
])
def test_the_place_walked_down_the_external_cause_index(where: str, place: list[str]) -> None:
    got = codes(f"HPI: Walking the family's dog {where} when a neighbor's dog bit her hand.\n"
                "ASSESSMENT: Open bite of right hand, initial encounter. Bitten by dog.", ED_84)
    assert got[:2] == ["S61.451A", "W54.0XXA"]
    assert [c for c in got if c.startswith("Y92")] == place
