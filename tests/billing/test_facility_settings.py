"""The facility's 837I settings: each field checked as the 837I needs it, the CLI and the screen alike."""
from __future__ import annotations

import pytest

from workstation.billing.facility import FacilitySettingError, FacilitySettings, get_value, revenue_charge, set_value


@pytest.mark.parametrize("key,value,stored", [
    ("npi", "1234567893", "1234567893"),
    ("tax_id", "31-1234567", "311234567"),
    ("type_of_bill", "0111", "111"),
    ("taxonomy", "282n00000x", "282N00000X"),
    ("address.state", "oh", "OH"),
    ("address.zip", "43215-0001", "432150001"),
    ("name", "  Scioto  Valley Medical Center ", "Scioto Valley Medical Center"),
])
def test_a_good_value_is_stored_normalised(key: str, value: str, stored: str) -> None:
    fac = FacilitySettings()
    set_value(fac, key, value)
    assert get_value(fac, key) == stored


@pytest.mark.parametrize("key,value,why", [
    ("npi", "1234567890", "check digit"),
    ("tax_id", "31-12345", "9 digits"),
    ("type_of_bill", "11", "3 characters"),
    ("taxonomy", "282N00000", "10 characters"),
    ("address.zip", "43215", "9 digits"),
    ("type_of_bill", "", "cannot be empty"),
    ("drg", "291", "unknown"),
])
def test_a_bad_value_is_refused_with_the_reason(key: str, value: str, why: str) -> None:
    with pytest.raises(FacilitySettingError, match=why):
        set_value(FacilitySettings(), key, value)


def test_empty_name_npi_and_address_fall_back_to_the_case() -> None:
    fac = FacilitySettings()
    set_value(fac, "address.zip", "432150001")
    assert any("address is incomplete" in p for p in fac.problems())
    set_value(fac, "address.zip", "")
    assert fac.address is None and not any("address" in p for p in fac.problems())
    set_value(fac, "npi", "")
    assert fac.npi == ""


def test_revenue_rows() -> None:
    row = revenue_charge("0120", "1850", "DAY", " Room  and board ")
    assert (row.code, row.charge, row.basis, row.description) == ("0120", "1850.00", "day", "Room and board")
    for args, why in ((("120", "10"), "4 digits"), (("0120", "0"), "above 0"), (("0120", "10", "week"), "day")):
        with pytest.raises(FacilitySettingError, match=why):
            revenue_charge(*args)


def test_cli_sets_the_same_fields(tmp_path, capsys) -> None:
    from workstation.cli import main
    from workstation.session.store import SessionStore

    path = tmp_path / "s.json"
    SessionStore.open(path, create=True).close()
    rc = main(["facility", "--session", str(path), "--set", "npi", "1234567893", "--set", "taxonomy", "282N00000X",
               "--tax-id", "311234567", "--type-of-bill", "111", "--revenue", "0120:1850:day:Room", "0250:240"])
    assert rc == 0, capsys.readouterr().err
    with SessionStore.open(path, create=False, readonly=True) as s:
        fac = FacilitySettings.from_store(s)
    assert fac.npi == "1234567893" and fac.taxonomy == "282N00000X" and fac.problems() == []
    assert [(r.code, r.basis) for r in fac.revenue] == [("0120", "day"), ("0250", "stay")]
    rc = main(["facility", "--session", str(path), "--set", "npi", "1234567890"])
    assert rc != 0 and "check digit" in capsys.readouterr().err
