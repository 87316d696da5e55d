"""Independent validation of an 837P file: pyx12 against the 005010X222A1 map, plus our own checks.

pyx12's command-line exit status does not tell success from failure, so its Python API is used
and its error tree (the same data as the 999 acknowledgement) is read. pyx12 does not check
money arithmetic, NPI check digits or code sets, so `own_checks` reads the file back and does.

Messages name the segment, line and element, never the data in them (they may be patient details).
"""
from __future__ import annotations

import io
import json
import logging
import threading
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from workstation.cases.npi import npi_is_valid

# 999 IK4 / IK3 / IK5 / AK9 error codes (X12 005010X231A1), so messages explain themselves.
ELEMENT_ERRORS = {
    "1": "required data element missing",
    "2": "conditional required data element missing",
    "3": "too many data elements",
    "4": "data element too short",
    "5": "data element too long",
    "6": "invalid character in data element",
    "7": "invalid code value",
    "8": "invalid date",
    "9": "invalid time",
    "10": "exclusion condition violated",
    "12": "too many repetitions",
    "13": "too many components",
    "I10": "implementation not used data element present",
    "I11": "implementation too few repetitions",
    "I12": "implementation pattern match failure",
    "I13": "implementation not used data element present",
    "I6": "code value not used in implementation",
    "I9": "implementation dependent data element missing",
}
SEGMENT_ERRORS = {
    "1": "unrecognized segment ID",
    "2": "unexpected segment",
    "3": "required segment missing",
    "4": "loop occurs over maximum times",
    "5": "segment exceeds maximum use",
    "6": "segment not in defined transaction set",
    "7": "segment not in proper sequence",
    "8": "segment has data element errors",
    "I4": "implementation not used segment present",
    "I6": "implementation dependent segment missing",
    "I7": "implementation loop occurs under minimum times",
    "I8": "implementation segment below minimum use",
    "I9": "implementation dependent not used segment present",
}

_lock = threading.Lock()  # pyx12 keeps module-level map caches; validate one file at a time


@dataclass
class Problem:
    source: str  # "pyx12" or "check"
    message: str
    line: int | None = None
    segment: str = ""


@dataclass
class ValidationReport:
    problems: list[Problem] = field(default_factory=list)
    ack: str = ""  # the 999 acknowledgement pyx12 generated
    claims: int = 0
    segments: int = 0
    standard: str = "005010X222A1"  # the implementation guide pyx12 checked it against

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self, limit: int = 20) -> str:
        if self.ok:
            return f"valid: {self.claims} claim(s), {self.segments} segments (pyx12 {self.standard} + own checks)"
        out = [f"{len(self.problems)} problem(s):"]
        for p in self.problems[:limit]:
            where = f"line {p.line} " if p.line else ""
            seg = f"{p.segment} " if p.segment else ""
            out.append(f"  [{p.source}] {where}{seg}{p.message}")
        if len(self.problems) > limit:
            out.append(f"  ... and {len(self.problems) - limit} more")
        return "\n".join(out)


def _quiet_pyx12() -> None:
    """pyx12 logs each error with the offending value; keep that (patient data) off the console."""
    log = logging.getLogger("pyx12")
    if not any(isinstance(h, logging.NullHandler) for h in log.handlers):
        log.addHandler(logging.NullHandler())
    log.propagate = False


def run_pyx12(text: str) -> tuple[list[Problem], str]:
    """Validate with pyx12; returns (problems, 999 text)."""
    import pyx12.params
    import pyx12.x12n_document

    _quiet_pyx12()
    ack, js = io.StringIO(), io.StringIO()
    problems: list[Problem] = []
    with _lock:
        try:
            ok = pyx12.x12n_document.x12n_document(pyx12.params.ParamsBase(), io.StringIO(text), ack, None, None, js)
        except Exception as exc:  # a map lookup failure or parser crash is a failed validation
            return [Problem("pyx12", f"validator stopped: {type(exc).__name__}")], ""
    try:
        doc = json.loads(js.getvalue() or "{}")
    except ValueError:
        doc = {}
    problems.extend(_walk(doc))
    if not ok and not problems:
        problems.append(Problem("pyx12", "pyx12 rejected the file without a specific error"))
    ack_text = ack.getvalue()
    # Belt and braces: a rejection in the 999 must never pass even if the JSON tree missed it.
    if ("IK5*R" in ack_text or "AK9*R" in ack_text or "IK5*E" in ack_text) and not problems:
        problems.append(Problem("pyx12", "999 acknowledgement rejects the transaction"))
    if not doc.get("interchanges"):
        problems.append(Problem("pyx12", "no interchange found (not an X12 file?)"))
    return problems, ack_text


def _walk(doc: dict[str, Any]) -> list[Problem]:
    out: list[Problem] = []

    def errs(node: dict[str, Any], level: str) -> None:
        for e in node.get("errors", []):
            code = str(e.get("err_cde", ""))
            text = SEGMENT_ERRORS.get(code) if level == "segment" else None
            # Envelope-level messages (counts, control numbers) hold no patient data.
            msg = text or (e.get("err_str") if level != "segment" else "") or f"error {code}"
            out.append(Problem("pyx12", f"{level}: {msg} (code {code})", node.get("cur_line"),
                               node.get("seg_id", "")))

    for isa in doc.get("interchanges", []):
        errs(isa, "interchange")
        for gs in isa.get("groups", []):
            errs(gs, "group")
            if gs.get("ack_code") not in (None, "A"):
                out.append(Problem("pyx12", f"group acknowledgement code {gs.get('ack_code')}"))
            for st in gs.get("transactions", []):
                errs(st, "transaction")
                if st.get("ack_code") not in (None, "A"):
                    out.append(Problem("pyx12", f"transaction acknowledgement code {st.get('ack_code')}"))
                for seg in st.get("segments", []):
                    errs(seg, "segment")
                    for el in seg.get("elements", []):
                        for e in el.get("errors", []):
                            code = str(e.get("err_cde", ""))
                            pos = f"{seg.get('seg_id', '')}{int(el.get('ele_pos') or 0):02d}"
                            if el.get("subele_pos"):
                                pos += f"-{el['subele_pos']}"
                            desc = ELEMENT_ERRORS.get(code, f"element error {code}")
                            out.append(Problem("pyx12", f"{pos} {el.get('name', '')}: {desc} (code {code})",
                                               seg.get("cur_line"), seg.get("seg_id", "")))
    # Drop the exact duplicates (a summary line per transaction repeats the segment errors).
    seen, unique = set(), []
    for p in out:
        key = (p.message, p.line, p.segment)
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


# --------------------------------------------------------------------------- own checks


def _delimiters(text: str) -> tuple[str, str, str, int] | None:
    """(element, component, segment terminator, offset of ISA16) read from the ISA, or None."""
    body = text.lstrip()
    if not body.startswith("ISA") or len(body) < 106:
        return None
    el = body[3]
    pos = -1
    for _ in range(16):
        pos = body.find(el, pos + 1)
        if pos < 0:
            return None
    return el, body[pos + 1], body[pos + 2], pos + 1


def _segments(text: str) -> list[tuple[int, list[str]]]:
    """(1-based segment number, elements) using the delimiters the ISA declares."""
    found = _delimiters(text)
    if found is None:
        return []
    el, _, term, _ = found
    out = []
    for n, raw in enumerate(text.lstrip().split(term), 1):
        raw = raw.strip("\r\n")
        if raw:
            out.append((n, raw.split(el)))
    return out


def _icd_book(dos: str, cache: dict[str, Any]) -> Any:
    from workstation.codes import books

    if dos not in cache:
        try:
            cache[dos] = books.icd10cm(date=date(int(dos[:4]), int(dos[4:6]), int(dos[6:8])))
        except Exception:  # no release for that date, or an unreadable date
            cache[dos] = None
    return cache[dos]


def own_checks(text: str, check_codes: bool = True) -> tuple[list[Problem], int, int]:
    """What pyx12 does not check: totals, NPIs, codes for the date of service, pointers.

    Returns (problems, claims, segments).
    """
    segs = _segments(text)
    if not segs:
        return [Problem("check", "file does not start with a 106-character ISA segment")], 0, 0
    _, comp, _, isa16 = _delimiters(text)  # type: ignore[misc]  # segs is non-empty, so found
    problems: list[Problem] = []
    if isa16 != 104:
        problems.append(Problem("check", "ISA is not fixed width (16 elements, 106 characters with the terminator)",
                                1, "ISA"))
    books_cache: dict[str, Any] = {}
    claims: list[dict[str, Any]] = []
    cur: dict[str, Any] | None = None

    def close() -> None:
        if cur is None:
            return
        claims.append(cur)

    for n, els in segs:
        sid = els[0]
        if sid == "NM1" and len(els) > 9 and els[8] == "XX" and not npi_is_valid(els[9]):
            who = {"85": "billing provider", "82": "rendering provider", "77": "service facility"}.get(els[1], f"NM1*{els[1]}")
            problems.append(Problem("check", f"{who} NPI fails the check digit", n, "NM1"))
        elif sid == "CLM":
            close()
            clm05 = els[5].split(comp) if len(els) > 5 else []
            cur = {"line": n, "total": els[2] if len(els) > 2 else "", "charges": [], "codes": [], "pointers": [],
                   "dates": [], "frequency": clm05[2] if len(clm05) > 2 else "", "f8": False}
        elif sid == "REF" and len(els) > 2 and els[1] == "F8" and cur is not None and not cur["charges"]:
            cur["f8"] = bool(els[2].strip())
        elif sid == "HI" and cur is not None:
            for comp_el in els[1:]:
                parts = comp_el.split(comp)
                if len(parts) >= 2:
                    cur["codes"].append((parts[0], parts[1], n))
        elif sid == "SV1" and cur is not None:
            cur["charges"].append((els[2] if len(els) > 2 else "", n))
            ptr = els[7] if len(els) > 7 else ""
            cur["pointers"].append(([p for p in ptr.split(comp) if p], n))
        elif sid == "DTP" and len(els) > 3 and els[1] == "472" and cur is not None:
            cur["dates"].append(els[3])
        elif sid == "SE":
            close()
            cur = None
    for c in claims:
        cl = c["line"]
        try:
            total = Decimal(c["total"])
            line_sum = sum((Decimal(x) for x, _ in c["charges"]), Decimal("0"))
            if total != line_sum:
                problems.append(Problem("check", f"CLM02 total {total} is not the sum of the SV102 charges {line_sum}",
                                        cl, "CLM"))
        except InvalidOperation:
            problems.append(Problem("check", "CLM02 or an SV102 charge is not a number", cl, "CLM"))
        if c["frequency"] in ("7", "8") and not c["f8"]:
            # TR3 2300 REF*F8: required when CLM05-3 is 7 (replacement) or 8 (void).
            problems.append(Problem("check", f"claim frequency {c['frequency']} without the payer claim control "
                                             "number (REF*F8)", cl, "CLM"))
        if not c["charges"]:
            problems.append(Problem("check", "claim has no service lines", cl, "CLM"))
        if not c["codes"]:
            problems.append(Problem("check", "claim has no diagnoses (HI)", cl, "CLM"))
        n_dx = len(c["codes"])
        for i, (qual, code, ln) in enumerate(c["codes"]):
            expected = "ABK" if i == 0 else "ABF"
            if qual != expected:
                problems.append(Problem("check", f"diagnosis {i + 1} qualifier {qual}, expected {expected}", ln, "HI"))
        for ptrs, ln in c["pointers"]:
            if not ptrs:
                problems.append(Problem("check", "service line has no diagnosis pointer", ln, "SV1"))
            for p in ptrs:
                if not p.isdigit() or not 1 <= int(p) <= min(n_dx, 12):
                    problems.append(Problem("check", f"diagnosis pointer {p} is out of range 1-{n_dx}", ln, "SV1"))
        if check_codes:
            for dos in sorted(set(c["dates"])) or []:
                book = _icd_book(dos, books_cache)
                if book is None:
                    problems.append(Problem("check", f"no ICD-10-CM release for service date {dos}", cl, "CLM"))
                    continue
                for _, code, ln in c["codes"]:
                    got = book.get(code)
                    if got is None:
                        problems.append(Problem("check", f"ICD-10-CM {code} is not a code on {dos}", ln, "HI"))
                    elif not got.billable:
                        problems.append(Problem("check", f"ICD-10-CM {code} is not billable (a header) on {dos}",
                                                ln, "HI"))
    return problems, len(claims), len(segs)


def validate_837p(text: str, check_codes: bool = True) -> ValidationReport:
    """pyx12 and our own checks on 837P text; `.ok` only when both find nothing."""
    px, ack = run_pyx12(text)
    own, n_claims, n_segs = own_checks(text, check_codes)
    return ValidationReport(problems=px + own, ack=ack, claims=n_claims, segments=n_segs)
