"""Is a provider query compliant? The checks every query passes before it is sent, drafted or typed.

From the AHIMA/ACDIS "Guidelines for Achieving a Compliant Query Practice" (2022 update):
a query presents the clinical indicators from the record, asks a clear question, offers the
clinically reasonable options plus "other" and "clinically undetermined", never mentions payment,
and takes the yes/no form only to confirm a condition already documented or to settle
present-on-admission. This module imports nothing from the rest of the workstation, so the
session core can apply it to every query, from the CLI and the app alike.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

SOURCE = "AHIMA/ACDIS Guidelines for Achieving a Compliant Query Practice (2022 update)"
OTHER = "Other (please specify)"
UNDETERMINED = "Clinically undetermined"

# The two forms a yes/no query may take, and nothing else.
YES_NO_PURPOSES = {
    "poa": "settle present-on-admission",
    "confirm": "confirm a condition already documented in the record",
}

# Words that tie the query to money: a compliant query never names them.
_PAYMENT = re.compile(
    r"\b(payments?|pay(?:s|ing|er|ers)?|paid|reimburs\w*|revenue|financ\w*|dollars?|"
    r"(?:ms-|apr-)?drgs?|mccs?|cc/mcc|case[- ]mix|relative weight|"
    r"complication or comorbidity|major complication|severity of illness|risk of mortality|"
    r"hcc|risk adjust\w*|denials?|audit risk)\b|\$\s?\d",
    re.IGNORECASE,
)
_YES = {"yes", "y", "no", "n", "yes/no"}


@dataclass(frozen=True)
class Problem:
    """Why a query cannot be sent as written: the part it concerns and the reason."""

    field: str  # question, indicators, options
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


def is_other(option: str) -> bool:
    return option.strip().casefold().startswith("other")


def is_undetermined(option: str) -> bool:
    low = option.strip().casefold()
    return "undetermined" in low or "unable to determine" in low


def with_open_options(options: list[str]) -> list[str]:
    """The offered options plus "Other (please specify)" and "Clinically undetermined" when missing."""
    out = [o.strip() for o in options if o.strip()]
    if out:
        if not any(is_other(o) for o in out):
            out.append(OTHER)
        if not any(is_undetermined(o) for o in out):
            out.append(UNDETERMINED)
    return out


def _is_yes_no(options: list[str]) -> bool:
    answers = [o for o in options if not is_other(o) and not is_undetermined(o)]
    return bool(answers) and all(o.strip().casefold().rstrip(".") in _YES for o in answers)


def payment_words(text: str) -> list[str]:
    return sorted({m.group(0).strip() for m in _PAYMENT.finditer(text)}, key=str.casefold)


def check(question: str, indicators: str, options: list[str], yes_no: str = "") -> list[Problem]:
    """Every reason the query is not compliant; an empty list means it may be sent.

    `options` are the choices as offered (before or after "other"/"undetermined" are added);
    `yes_no` names why a yes/no form is allowed ("poa" or "confirm"), else "".
    """
    out: list[Problem] = []
    if not question.strip():
        out.append(Problem("question", "a query needs a clear question"))
    if not indicators.strip():
        out.append(Problem("indicators", "quote the clinical indicators from the record that support the "
                                         "options: a query without them leads the provider"))
    for name, text in (("question", question), ("indicators", indicators), ("options", "; ".join(options))):
        words = payment_words(text)
        if words:
            out.append(Problem(name, f"mentions payment ({', '.join(words)}): a query never names "
                                     "reimbursement, DRG or financial impact"))
    if yes_no and yes_no not in YES_NO_PURPOSES:
        out.append(Problem("options", f"a yes/no query is only for: {', '.join(YES_NO_PURPOSES)}"))
    answers = [o for o in (o.strip() for o in options) if o and not is_other(o) and not is_undetermined(o)]
    if _is_yes_no(options):
        if not yes_no:
            out.append(Problem("options", "a yes/no query may only confirm a condition already documented or "
                                          "settle present-on-admission; offer the clinically reasonable options"))
    elif yes_no:
        out.append(Problem("options", f"a query marked yes/no ({yes_no}) offers Yes and No"))
    elif len(answers) < 2:
        out.append(Problem("options", "offer at least two clinically reasonable options (one option, or none, "
                                      "leads the provider to it)" if answers else
                                      "offer the clinically reasonable options (multiple choice)"))
    elif len({a.casefold() for a in answers}) < len(answers):
        out.append(Problem("options", "an option is offered twice"))
    return out


def refusal(problems: list[Problem]) -> str:
    """One message naming every problem, for an error the coder reads."""
    return "the query is not compliant (" + SOURCE + "): " + "; ".join(str(p) for p in problems)
