"""ICD-10-PCS by the PCS Index and the table axes, HCPCS drug codes with units, HCPCS G-codes:
each rule with a case that must fire and one that must not."""
from __future__ import annotations

from workstation.suggest import drugs, pcs, services
from workstation.suggest.suggest import Patient, suggest_text

IN = Patient("F", 70, "2026-03-01", "inpatient", "inpatient")
OFFICE = Patient("M", 66, "2026-03-01", "outpatient", "office")


def test_index_to_table_then_axes() -> None:
    got = pcs.pick("Laparoscopic appendectomy")
    assert got is not None and got.code == "0DTJ4ZZ"          # Resection, Percutaneous Endoscopic
    assert "Appendectomy" in got.path
    assert pcs.pick("Open appendectomy").code == "0DTJ0ZZ"      # the approach word decides
    assert pcs.pick("Partial appendectomy, open").code[:3] == "0DB"   # a portion: Excision


def test_laterality_surface_and_device_words() -> None:
    hemi = pcs.pick("Right hip hemiarthroplasty (cemented bipolar), open",
                    "The femoral head was removed; a cemented femoral stem was placed.")
    assert hemi is not None and hemi.code == "0SRR0J9"         # femoral surface, right, cemented
    total = pcs.pick("Left total knee arthroplasty, cemented, open")
    assert total is not None and total.code == "0SRD0J9"       # the whole left knee joint


def test_therapeutic_over_diagnostic_and_no_device_when_none_left() -> None:
    got = pcs.pick("Right diagnostic and therapeutic thoracentesis, percutaneous",
                   "1.6 L removed, no drain left in place. Large right pleural effusion.")
    assert got is not None and got.code == "0W993ZZ"
    diag = pcs.pick("Right diagnostic thoracentesis, percutaneous", "Right pleural effusion.")
    assert diag is not None and diag.code == "0W993ZX"


def test_subterms_walked_and_whole_codes() -> None:
    assert pcs.pick("Left heart catheterization").code == "4A023N7"
    assert pcs.pick("Transfusion of 1 unit PRBC", "via peripheral IV").code == "30233N1"
    circ = pcs.pick("circumcision (Gomco clamp)")
    assert circ is not None and circ.code == "0VTTXZZ" and circ.whole_from_index
    assert pcs.pick("General endotracheal anesthesia") is None


def test_procedure_list_is_cut_per_procedure() -> None:
    parts = pcs.procedures_in("Left heart catheterization, selective coronary angiography, percutaneous coronary "
                              "intervention of the proximal LAD with one drug-eluting stent")
    assert len(parts) == 3
    assert pcs.pick(parts[2]).code == "027034Z"
    assert pcs.procedures_in("Right total knee arthroplasty, cemented, open") == [
        "Right total knee arthroplasty, cemented, open"]


def test_pcs_only_for_inpatients() -> None:
    note = "PROCEDURE: Laparoscopic appendectomy.\nPOSTOPERATIVE DIAGNOSIS: Acute appendicitis."
    assert "0DTJ4ZZ" in [s.code for s in suggest_text(note, IN).suggestions]
    assert not [s for s in suggest_text(note, OFFICE).suggestions if s.system == "icd10pcs"]


def test_drug_units_from_the_dose_descriptor() -> None:
    g = drugs.given("Docetaxel 75 mg/m2 = 130 mg IV over 60 minutes")
    assert [(d.code, d.units) for d in g] == [("J9171", 130)]
    g = drugs.given("Penicillin G benzathine 1.2 million units IM given in clinic")
    assert [(d.code, d.units) for d in g] == [("J0561", 12)]   # not the benzathine-and-procaine code
    g = drugs.given("Methylprednisolone acetate 80 mg IM given in office")
    assert [(d.code, d.units) for d in g] == [("J1040", 1)]    # the 80 mg code once, not J1020 x 4


def test_drugs_not_given_here_are_not_coded() -> None:
    assert drugs.given("Dexamethasone 8 mg PO premedication taken at home") == []
    assert drugs.given("Prednisone 40 mg daily x 5 days") == []
    # the local anaesthetic of a joint injection is part of the procedure
    g = drugs.given("the knee joint was injected with triamcinolone acetonide 40 mg and 4 mL 1% lidocaine")
    assert [d.code for d in g] == ["J3301"]
    # methylprednisolone without its salt: acetate or succinate is the coder's to say
    assert drugs.given("Methylprednisolone 80 mg IM given") == []


def test_drugs_in_the_office_not_in_the_ed() -> None:
    note = "ASSESSMENT: Streptococcal pharyngitis.\nPLAN: Penicillin G benzathine 1.2 million units IM given."
    office = [s for s in suggest_text(note, OFFICE).suggestions if s.system == "hcpcs"]
    assert [(s.code, s.units) for s in office] == [("J0561", 12)]
    assert note[office[0].start:office[0].end] == office[0].evidence
    ed = Patient("M", 66, "2026-03-01", "outpatient", "emergency")
    assert not [s for s in suggest_text(note, ed).suggestions if s.system == "hcpcs"]


def test_g_codes() -> None:
    assert [s.query for s in services.services("Medicare annual wellness visit, subsequent.", False)] == [
        "annual wellness visit subsequent visit"]
    flu = "IMMUNIZATION: Influenza vaccine, high-dose, 0.5 mL IM left deltoid."
    assert services.services(flu, medicare=False) == []          # other payers: the CPT administration code
    assert len(services.services(flu, medicare=True)) == 1
    assert services.services("Influenza vaccine declined today.", medicare=True) == []
    med = Patient("F", 70, "2026-10-01", "outpatient", "office", medicare=True)
    got = [s.code for s in suggest_text("ASSESSMENT: Encounter for immunization.\n" + flu, med).suggestions]
    assert "G0008" in got


def test_each_procedure_of_a_list_has_its_own_words_as_evidence() -> None:
    note = ("DISCHARGE DIAGNOSES: Pulmonary hypertension.\nPROCEDURES: Left heart catheterization, "
            "selective coronary angiography.")
    pcs_rows = [s for s in suggest_text(note, IN).suggestions if s.system == "icd10pcs"]
    assert [s.evidence for s in pcs_rows][:1] == ["Left heart catheterization"]
    assert all(note[s.start:s.end] == s.evidence for s in pcs_rows)
    # a value no word supports says so, for the coder to check
    angio = next(s for s in pcs_rows if s.code.startswith("B21"))
    assert any("NOT DOCUMENTED" in w for w in angio.why)


def test_a_procedure_told_elsewhere_only_when_done_and_whole() -> None:
    done = "Spontaneous vaginal delivery of a live born infant over an intact perineum. Manual assistance only."
    assert "10E0XZZ" in [s.code for s in suggest_text(done, IN).suggestions]
    planned = "ASSESSMENT: Phimosis.\nPLAN: circumcision tomorrow."
    assert not [s for s in suggest_text(planned, IN).suggestions if s.system == "icd10pcs"]
