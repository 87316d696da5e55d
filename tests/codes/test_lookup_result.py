"""Every code set's lookup answers in the one `LookupResult` shape the CLI and the app share."""
from __future__ import annotations

import pytest

from workstation.codes.lookup import lookup
from workstation.codes.lookup_result import LookupResult


@pytest.mark.parametrize("code, system", [
    ("E11.22", "icd10cm"), ("S72.012", "icd10cm"), ("0DTJ4ZZ", "icd10pcs"), ("G0439", "hcpcs"),
    ("J2506", "hcpcs"), ("99213", "cpt"),
])
def test_lookup_answers_in_the_one_shape(code, system):
    hit = lookup(code, date="2025-03-01")
    assert hit["system"] == system
    assert LookupResult.__required_keys__ <= set(hit)
    assert set(hit) <= LookupResult.__required_keys__ | LookupResult.__optional_keys__


def test_a_hcpcs_code_that_is_also_icd10cm_says_so_and_one_that_is_not_does_not():
    assert lookup("G0439", date="2025-03-01")["also"]["code"] == "G04.39"
    assert "also" not in lookup("J2506", date="2025-03-01")
