"""What text an X12 5010 file can carry: the claim writers and the scrubber clean names and ids with
the same functions, so a value the scrubber passes is exactly the value the 837P/837I holds; and
the element rules of pyx12's 837P map that those values must meet (lengths, code lists)."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# The X12 basic character set (less the delimiters) plus '#' for addresses ("APT #4"): receivers
# differ on the extended set, so nothing else passes. Anything else (control characters,
# delimiters, non-ASCII left after folding) becomes a space.
_NOT_ALLOWED = re.compile(r"[^A-Z0-9 !\"&'()+,\-./;?=#]")
_SPACES = re.compile(r" {2,}")
_FOLD = str.maketrans({"ß": "ss", "Æ": "AE", "æ": "ae", "Ø": "O", "ø": "o", "Œ": "OE", "œ": "oe",
                       "Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Þ": "TH", "þ": "th"})


def fold_ascii(text: str) -> str:
    """José -> Jose, Ångström -> Angstrom, Straße -> Strasse: letters keep their base form."""
    if text.isascii():  # nothing to fold (NFKD leaves ASCII as it is)
        return text
    return unicodedata.normalize("NFKD", text.translate(_FOLD)).encode("ascii", "ignore").decode("ascii")


def clean(text: object, max_len: int | None = None) -> str:
    """Upper-cased ASCII without delimiters or control characters, single-spaced, cut to max_len."""
    if text is None:
        return ""
    return _clean(text if type(text) is str else str(text), max_len)


@lru_cache(maxsize=4096)  # the scrubber cleans the same payer names, cities and ids on every claim
def _clean(text: str, max_len: int | None) -> str:
    s = _NOT_ALLOWED.sub(" ", fold_ascii(text).upper())
    s = _SPACES.sub(" ", s).strip()
    if max_len is not None and len(s) > max_len:
        s = s[:max_len].rstrip()
    return s


def alnum(text: object, max_len: int | None = None) -> str:
    """Identifiers (codes, modifiers, states): letters and digits only, upper-cased."""
    s = re.sub(r"[^A-Z0-9]", "", fold_ascii(str(text or "")).upper())
    return s[:max_len] if max_len else s


def ident(text: object, max_len: int | None = None) -> str:
    """Identifiers that may hold punctuation (member ids, payer ids, authorisations): cleaned, no spaces."""
    return clean(text, None).replace(" ", "")[:max_len] if max_len else clean(text).replace(" ", "")


def digits(text: object) -> str:
    return re.sub(r"[^0-9]", "", str(text or ""))  # not \D: that keeps Arabic-Indic and other digits


# ------------------------------------------------------------------ element rules of the 837P map
# What pyx12's 837P 5010 map (pyx12/map/837.5010.X222.A1.xml, with dataele.xml and codes.xml)
# enforces on the elements our claims fill from case data: each value is cleaned by the writer's
# own function above, then must meet the element's minimum and maximum length and, for the
# elements with a code list, be in it. tests/billing/test_x12_rules.py reads pyx12's map and
# pins every figure here to it, so the scrubber and pyx12 cannot drift apart.

@dataclass(frozen=True)
class Element:
    ref: str  # loop, segment and element, as the map names them ("2010BB NM109")
    name: str  # what it holds, in the coder's words
    min_len: int
    max_len: int

    def problem(self, value: str) -> str:
        """'' when VALUE (already cleaned as the writer cleans it) is acceptable, else why not."""
        if len(value) < self.min_len:
            if not value:
                return f"has no characters an 837P can carry ({self.ref} needs at least {self.min_len})"
            return f"is {len(value)} character{'s' if len(value) != 1 else ''} once cleaned for X12; " \
                   f"{self.ref} needs at least {self.min_len}"
        return ""  # longer values are cut to max_len by the writer, as the TR3 allows


PAYER_ID = Element("2010BB NM109", "payer id", 2, 80)
PAYER_NAME = Element("2010BB NM103", "payer name", 1, 60)
MEMBER_ID = Element("2010BA NM109", "member id", 2, 80)
LAST_NAME = Element("2010BA/2010CA NM103", "last name", 1, 60)
ADDRESS_LINE = Element("N301", "street address", 1, 55)
CITY = Element("N401", "city", 2, 30)
STATE = Element("N402", "state", 2, 2)
CLAIM_ID = Element("2300 CLM01", "claim id (the case id)", 1, 38)
PAYER_CLAIM_NUMBER = Element("2300 REF02 (F8)", "payer claim number", 1, 50)
RENDERING_NAME = Element("2310B NM103", "rendering provider's last name", 1, 60)
FACILITY_NAME = Element("2310C NM103", "service facility name", 1, 60)
PROCEDURE_CODE = Element("2400 SV101-02", "procedure code", 1, 48)
MODIFIER = Element("2400 SV101-03..06", "modifier", 2, 2)

# codes.xml "states": the codes every N402 of the claim (patient, subscriber, payer, service
# facility) and CLM11-04 (auto accident state) must be in (US states and territories, military
# post codes, Canadian provinces).
STATES = frozenset(
    "AA AB AE AK AL AP AR AS AZ BC CA CO CT DC DE FL FM GA GU HI IA ID IL IN KS KY LA MA MB MD ME MH "
    "MI MN MO MP MS MT NB NC ND NE NF NH NJ NM NS NT NV NY OH OK ON OR PA PE PQ PR RI SC SD SK TN TX "
    "UT VA VI VT WA WI WV WY YT".split())
STATE_LIST = "codes.xml states (US states and territories, military, Canadian provinces)"
