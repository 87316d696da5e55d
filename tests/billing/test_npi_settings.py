from decimal import Decimal

import pytest

from workstation.cases.npi import npi_check_digit, npi_is_valid, npi_problem
from workstation.billing.money import money
from workstation.billing.settings import PracticeSettings, SettingError, get_value, set_value


def test_npi_luhn_with_80840_prefix():
    assert npi_is_valid("1234567893")  # the example in the CMS NPI check-digit note
    assert not npi_is_valid("1234567890")
    assert npi_check_digit("123456789") == "3"
    assert not npi_is_valid("123456789")  # 9 digits
    assert not npi_is_valid("12345678a3")
    assert not npi_is_valid("")
    assert "check digit" in npi_problem("1234567890")
    assert npi_problem("1234567893") == ""


def test_every_wrong_last_digit_fails():
    good = "1234567893"
    for d in "0123456789":
        assert npi_is_valid(good[:9] + d) == (d == "3")


def test_demo_defaults_are_valid():
    s = PracticeSettings()
    assert npi_is_valid(s.npi)
    assert s.problems() == []
    assert len(s.address.zip) == 9
    assert s.fee_for("G0439") == Decimal("120.00")
    assert s.fee_for("g0439") == Decimal("120.00")
    assert s.fee_for("A9999") is None


class FakeStore:
    def __init__(self):
        self.data = {}

    def settings(self):
        return dict(self.data)

    def set_setting(self, key, value):
        self.data[key] = value


def test_save_and_load_round_trip():
    store = FakeStore()
    s = PracticeSettings.from_store(store)
    assert s == PracticeSettings()  # nothing saved: demo defaults
    set_value(s, "fee.J1100", "7.5")
    set_value(s, "address.zip", "62701-1234")
    set_value(s, "payer.NEW01", "New Plan|ci")
    s.coder_id = "CODER07"
    s.save(store)
    assert store.data["coder_id"] == "CODER07"  # the audit trail's coder
    back = PracticeSettings.from_store(store)
    assert back == s
    assert back.fee_for("J1100") == Decimal("7.50")
    assert back.address.zip == "627011234"
    assert back.payer_by_id("NEW01").plan_type == "CI"


@pytest.mark.parametrize(
    "key,value",
    [
        ("npi", "1234567890"),
        ("tax_id", "12-34567"),
        ("address.zip", "62701"),
        ("address.state", "Illinois"),
        ("taxonomy", "207Q"),
        ("fee.99213", "-5"),
        ("fee.99213", "abc"),
        ("billing_name", ""),
        ("nonsense", "x"),
    ],
)
def test_set_value_rejects(key, value):
    s = PracticeSettings()
    with pytest.raises(SettingError):
        set_value(s, key, value)
    assert s == PracticeSettings()


def test_set_value_accepts_and_normalizes():
    s = PracticeSettings()
    set_value(s, "npi", "1234567893")
    set_value(s, "tax_id", "12-3456789")
    set_value(s, "fee.g0008", "40")
    set_value(s, "address.state", "wi")
    assert (s.npi, s.tax_id, s.fee_schedule["G0008"], s.address.state) == ("1234567893", "123456789", "40.00", "WI")
    assert get_value(s, "fee.G0008") == "40.00"
    set_value(s, "fee.G0008", "")
    assert "G0008" not in s.fee_schedule


def test_money():
    assert money("$1,200.5") == Decimal("1200.50")
    assert money("x") is None and money(None) is None


from hypothesis import given, strategies as st  # noqa: E402


@given(st.from_regex(r"[12][0-9]{8}", fullmatch=True))
def test_computed_check_digit_always_validates(stem):
    npi = stem + npi_check_digit(stem)
    assert npi_is_valid(npi)
    # Luhn catches every single-digit error.
    for i in range(10):
        for d in "0123456789":
            if d != npi[i]:
                changed = npi[:i] + d + npi[i + 1:]
                assert not npi_is_valid(changed)


def test_non_ascii_digits_are_not_an_npi():
    # "1000000004" with its last zero written as ARABIC-INDIC DIGIT ZERO: str.isdigit() says yes.
    assert not npi_is_valid("10000000\u06604")
    with pytest.raises(SettingError):
        set_value(PracticeSettings(), "tax_id", "12345678\u0669")


def test_coder_id_defaults_empty_and_is_written_only_when_set():
    assert PracticeSettings().coder_id == ""
    store = FakeStore()
    s = PracticeSettings.from_store(store)
    set_value(s, "fee.J1100", "7.5")
    s.save(store)
    assert "coder_id" not in store.data and "coder_id" not in store.data["practice"]
    # An older practice record carrying the old default does not become the coder.
    store.data["practice"]["coder_id"] = "CODER01"
    assert PracticeSettings.from_store(store).coder_id == ""
    PracticeSettings.from_store(store).save(store)
    assert "coder_id" not in store.data
