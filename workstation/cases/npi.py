"""National Provider Identifier check: 10 digits, the last a Luhn check digit over "80840" + the first nine."""
from __future__ import annotations

import re
from functools import lru_cache

_DIGITS = re.compile(r"[0-9]+")  # ASCII only: str.isdigit() also accepts other scripts' digits


def _ascii_digits(text: str) -> bool:
    return bool(_DIGITS.fullmatch(text))


NPI_PREFIX = "80840"  # the card-issuer prefix (health industry, US) the check digit is computed with


def _luhn_sum(digits: str) -> int:
    """Luhn sum of `digits` where the check digit has already been appended (rightmost)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:  # every second digit from the right, starting left of the check digit
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total


def npi_check_digit(first_nine: str) -> str:
    """The check digit for a 9-digit NPI stem."""
    if len(first_nine) != 9 or not _ascii_digits(first_nine):
        raise ValueError("an NPI stem is 9 digits")
    return str((10 - _luhn_sum(NPI_PREFIX + first_nine + "0") % 10) % 10)


def npi_is_valid(npi: str | None) -> bool:
    """True for a 10-digit NPI whose check digit is right (first digit 1 or 2 as issued)."""
    if not npi or len(npi) != 10 or not _ascii_digits(npi) or npi[0] not in "12":
        return False
    return _luhn_sum(NPI_PREFIX + npi) % 10 == 0


@lru_cache(maxsize=4096)  # pure, and asked for on every scrub of every claim
def npi_problem(npi: str | None) -> str:
    """A coder-readable reason an NPI is invalid, or "" when it is valid."""
    if not npi:
        return "NPI is missing"
    if len(npi) != 10 or not _ascii_digits(npi):
        return f"NPI {npi} is not 10 digits"
    if npi[0] not in "12":
        return f"NPI {npi} must start with 1 or 2"
    if not npi_is_valid(npi):
        return f"NPI {npi} fails the check digit (Luhn over 80840 + NPI); expected last digit {npi_check_digit(npi[:9])}"
    return ""
