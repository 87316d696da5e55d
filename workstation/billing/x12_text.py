"""What text an X12 5010 file can carry: the claim writers and the scrubber clean names with the
same function, so a name the scrubber passes is exactly the name the 837P/837I holds."""
from __future__ import annotations

import re
import unicodedata

# The X12 basic character set (less the delimiters) plus '#' for addresses ("APT #4"): receivers
# differ on the extended set, so nothing else passes. Anything else (control characters,
# delimiters, non-ASCII left after folding) becomes a space.
_NOT_ALLOWED = re.compile(r"[^A-Z0-9 !\"&'()+,\-./;?=#]")
_SPACES = re.compile(r" {2,}")
_FOLD = str.maketrans({"ß": "ss", "Æ": "AE", "æ": "ae", "Ø": "O", "ø": "o", "Œ": "OE", "œ": "oe",
                       "Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Þ": "TH", "þ": "th"})


def fold_ascii(text: str) -> str:
    """José -> Jose, Ångström -> Angstrom, Straße -> Strasse: letters keep their base form."""
    return unicodedata.normalize("NFKD", text.translate(_FOLD)).encode("ascii", "ignore").decode("ascii")


def clean(text: object, max_len: int | None = None) -> str:
    """Upper-cased ASCII without delimiters or control characters, single-spaced, cut to max_len."""
    if text is None:
        return ""
    s = _NOT_ALLOWED.sub(" ", fold_ascii(str(text)).upper())
    s = _SPACES.sub(" ", s).strip()
    if max_len is not None and len(s) > max_len:
        s = s[:max_len].rstrip()
    return s
