"""Which earlier bill a new claim replaces: only one of the same kind (hospital 837I vs professional)."""
from __future__ import annotations

from workstation.session.work import CaseWork


def test_a_claim_replaces_only_a_bill_of_its_own_kind() -> None:
    never = CaseWork(case_id="C1")
    assert not never.sent_before_as(facility=False) and not never.sent_before_as(facility=True)
    hospital = CaseWork(case_id="C1", export_batch="837I-20261001-000000001",
                        exports=[{"batch": "837I-20261001-000000001", "file": "x.837i", "at": "t"}])
    assert hospital.sent_before_as(facility=True) and not hospital.sent_before_as(facility=False)
    assert hospital.sent_before  # the case as a whole was billed
    both = CaseWork(case_id="C1", exports=[*hospital.exports, {"batch": "837P-20261001-000000002", "file": "x.837p", "at": "t"}])
    assert both.sent_before_as(facility=True) and both.sent_before_as(facility=False)
    printed = CaseWork(case_id="C1", export_batch="CMS1500-20250101-000001")  # an old store: no exports list
    assert printed.sent_before_as(facility=False) and not printed.sent_before_as(facility=True)
