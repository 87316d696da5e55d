"""ICD-10-CM edits: validity for the code year, billable level, 7th characters, instructional notes."""
from __future__ import annotations

import re
from functools import lru_cache

from workstation.billing.claim import MAX_DIAGNOSES
from workstation.billing.edits.mce_edits import mce_lists
from workstation.billing.edits.model import Edit, ScrubContext
from workstation.codes.icd10cm import normalize
from workstation.codes.model import CodeRef, Note

# Letter, digit, digit-or-letter, optional dot and up to four characters.
_DX_RE = re.compile(r"[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?")
_MANIFESTATION_RE = re.compile(r"\bin (?:other )?diseases classified elsewhere\b", re.I)


def _book(fy: int):
    from workstation.codes import books

    return books.icd10cm(fiscal_year=fy)


def _src(fy: int, what: str) -> str:
    return f"ICD-10-CM FY{fy} tabular: {what}"


# The notes of a code never change within a year: cache them (scrub runs on every keystroke).
@lru_cache(maxsize=4096)
def _notes(fy: int, code: str) -> tuple[Note, ...]:
    return tuple(_book(fy).notes(code))


def notes_of_kind(fy: int, code: str, kind: str) -> list[Note]:
    return [n for n in _notes(fy, code) if n.kind == kind]


@lru_cache(maxsize=4096)
def is_manifestation_title(fy: int, code: str) -> bool:
    """A code titled (or under a category titled) "... in diseases classified elsewhere"."""
    for node in _book(fy).path(code):
        if node.level in ("category", "subcategory", "code") and _MANIFESTATION_RE.search(node.title):
            return True
    return False


@lru_cache(maxsize=1)
def _years() -> tuple[int, ...]:
    from workstation.codes import books

    return tuple(books.icd10cm_years())


def _in_other_years(code: str, fy: int) -> list[int]:
    out = []
    for y in _years():
        if y != fy:
            c = _book(y).get(code)
            if c is not None and c.billable:
                out.append(y)
    return out


def check_codes(ctx: ScrubContext) -> list[Edit]:
    """Each diagnosis: well formed, in the DOS's code year, billable, 7th character present."""
    out: list[Edit] = []
    dxs = ctx.diagnoses
    if not dxs:
        return [Edit("dx.none", "error", "The claim has no diagnosis: code at least the first-listed diagnosis.",
                     "X12 837P 5010 required field (HI segment)", "diagnoses")]
    if len(dxs) > MAX_DIAGNOSES:
        extra = ", ".join(dxs[MAX_DIAGNOSES:])
        out.append(Edit("dx.too_many", "error",
                        f"{len(dxs)} diagnoses: a claim holds at most 12 (A-L). Remove or split: {extra}.",
                        "CMS-1500 box 21 / X12 837P 5010 HI segment", "diagnoses"))
    seen: dict[str, int] = {}
    for i, raw in enumerate(dxs):
        code = normalize(raw) if raw else ""
        if code in seen:
            out.append(Edit("dx.duplicate", "error",
                            f"{code} is listed twice (positions {seen[code] + 1} and {i + 1}); remove the repeat.",
                            "X12 837P 5010: each diagnosis once", code))
            continue
        seen[code] = i
    book = ctx.book
    if book is None:
        if ctx.dos is not None:
            out.append(Edit("dx.no_release", "error",
                            f"No compiled code year for the date of service {ctx.claim.date_of_service}: "
                            "the diagnoses cannot be checked. " + ctx.book_error,
                            "ICD-10-CM code year (Oct 1 - Sep 30)", "date_of_service"))
        return out
    fy = book.fiscal_year
    for code in seen:
        if not _DX_RE.fullmatch(code):
            out.append(Edit("dx.malformed", "error",
                            f"{code!s} is not an ICD-10-CM code (letter, digit, then 1-5 more characters).",
                            _src(fy, "code format"), code))
            continue
        c = book.get(code)
        if c is None:
            other = _in_other_years(code, fy)
            if other:
                years = ", ".join(f"FY{y}" for y in other)
                when = "was added later" if min(other) > fy else "was deleted"
                out.append(Edit("dx.not_in_year", "error",
                                f"{code} is not valid on {ctx.claim.date_of_service} (code year FY{fy}): it {when} "
                                f"(valid in {years}). Use the FY{fy} code.",
                                _src(fy, "code not in this year's release"), code))
                continue
            stem = code.replace(".", "")[:-1].rstrip("X")
            stem_code = book.get(stem)
            if stem_code is not None and book.needs_seventh(stem_code.code):
                origin, chars = book.seventh_characters(stem_code.code) or ("", [])
                allowed = ", ".join(ch for ch, _ in chars)
                out.append(Edit("dx.bad_seventh", "error",
                                f"{code}: '{code[-1]}' is not a 7th character of {stem_code.code} "
                                f"(allowed at {origin}: {allowed}).",
                                _src(fy, f"7th characters at {origin}"), code))
            else:
                hint = book.near_misses(code)
                out.append(Edit("dx.unknown", "error",
                                f"{code} is not in ICD-10-CM FY{fy}; " + (f"{hint}" if hint else "check the code in the tabular."),
                                _src(fy, "code not found"), code))
            continue
        if c.billable:
            continue
        if book.needs_seventh(c.code):
            origin, chars = book.seventh_characters(c.code) or ("", [])
            listing = "; ".join(f"{ch} {m}" for ch, m in chars[:6])
            out.append(Edit("dx.needs_seventh", "error",
                            f"{c.code} needs a 7th character (table at {origin}): {listing}"
                            f"{' ...' if len(chars) > 6 else ''}. Example: {book.with_seventh(c.code, chars[0][0]) if chars else ''}.",
                            _src(fy, f"7th character required ({origin})"), c.code))
        else:
            kids = book.children(c.code)
            shown = ", ".join(k.code for k in kids[:6]) + (" ..." if len(kids) > 6 else "")
            out.append(Edit("dx.not_billable", "error",
                            f"{c.code} is a header ({c.level}), not billable: choose a more specific code ({shown}).",
                            _src(fy, "billable codes only"), c.code))
    return out


def _known(ctx: ScrubContext) -> list[str]:
    """The claim's diagnoses that exist in the DOS's code year, normalized, in order, once each
    (worked out once per scrub: the sequencing and guideline checks both read it)."""
    known = ctx.notes.get("known_dx")
    if known is None:
        book = ctx.book
        known = []
        for raw in ctx.diagnoses[:MAX_DIAGNOSES]:
            code = normalize(raw) if raw else ""
            if code and code not in known and book.get(code) is not None:
                known.append(code)
        ctx.notes["known_dx"] = known
    return list(known)


def check_sequencing(ctx: ScrubContext) -> list[Edit]:
    """Excludes1 pairs, code-first / manifestation sequencing, use-additional-code reminders."""
    book = ctx.book
    if book is None:
        return []
    fy = book.fiscal_year
    dx = _known(ctx)
    out: list[Edit] = []

    # Excludes1: the two conditions cannot be reported together. One edit per pair, in the order
    # the notes print their ranges, then the claim's order.
    reported: set[frozenset[str]] = set()
    for a in dx:
        refs = _excludes1_refs(fy, a)
        if not refs:
            continue
        hits = sorted((i, j) for j, b in enumerate(dx) if b != a for i in _excludes1_hits(fy, a, b))
        for i, j in hits:
            b = dx[j]
            pair = frozenset((a, b))
            if pair in reported:
                continue
            reported.add(pair)
            note = refs[i][0]
            out.append(Edit("dx.excludes1", "error",
                            f"{a} and {b} cannot be coded together: {note.origin} Excludes1 "
                            f"\"{note.text}\". Keep the one the documentation supports.",
                            _src(fy, f"Excludes1 at {note.origin}"), a))

    first = dx[0] if dx and ctx.diagnoses and normalize(ctx.diagnoses[0]) == dx[0] else None
    mce = mce_lists()
    reminders: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    for i, code in enumerate(dx):
        code_first = _code_first_notes(fy, code)
        manifest = is_manifestation_title(fy, code) or mce.is_manifestation(code)
        if manifest and code == first:
            why = "titled 'in diseases classified elsewhere'" if is_manifestation_title(fy, code) else "on the MCE manifestation list"
            src = _src(fy, "Code first / manifestation codes") if is_manifestation_title(fy, code) else mce.source("manifestation as principal")
            out.append(Edit("dx.manifestation_first", "error",
                            f"{code} is a manifestation code ({why}) and cannot be listed first: "
                            "list the underlying condition first.",
                            src, code))
        # Code first: the named underlying condition, when coded, must come before this code. A note
        # printed as a list ("such as: ...") is one instruction with alternatives, grouped by where
        # it is printed; it is met when any named condition is already listed before this code.
        for g, (origin, notes, refs) in enumerate(_code_first_refs(fy, code)):
            if any(_group_covers(fy, "code_first", code, g, b) for b in dx[:i]):
                continue
            after = [b for b in dx[i + 1:] if _group_covers(fy, "code_first", code, g, b)]
            if after:
                note = next(n for n in notes if any(r.covers(after[0]) for r in n.refs))
                out.append(Edit("dx.code_first_order", "error",
                                f"{code} has a 'Code first' note at {origin} (\"{note.text}\"): "
                                f"move {after[0]} before {code}.",
                                _src(fy, f"Code first at {origin}"), code))
        if manifest and code_first:
            named = [b for b in dx if b != code and any(r.covers(b) and not r.covers(code) for n in code_first for r in n.refs)]
            if not named:
                refs = "; ".join(n.text for n in code_first)
                out.append(Edit("dx.etiology_missing", "warning",
                                f"{code} is a manifestation code: code the underlying condition too, before it ({refs}).",
                                _src(fy, f"Code first at {code_first[0].origin}"), code))

        # Use additional code: a reminder only where the note names codes and none is on the claim.
        # A note printed as a list ("insulin (Z79.4)", "oral antidiabetic drugs (Z79.84)" ...) is
        # one instruction with alternatives: group by where it is printed, one reminder each.
        for g, (origin, notes, _refs) in enumerate(_use_additional_refs(fy, code)):
            if any(_group_covers(fy, "use_additional", code, g, b) for b in dx if b != code):
                continue
            reminders.setdefault(tuple(n.text for n in notes), []).append((code, origin))
    out.extend(_fold_reminders(fy, reminders))
    return out


@lru_cache(maxsize=4096)
def _excludes1_refs(fy: int, code: str) -> tuple[tuple[Note, CodeRef], ...]:
    """The code's Excludes1 notes with each range they name, less the ranges that cover the code
    itself (a note that names the code's own range says nothing about pairs), in printed order."""
    return tuple((note, ref) for note in notes_of_kind(fy, code, "excludes1") for ref in note.refs
                 if not ref.covers(code))


@lru_cache(maxsize=1 << 16)
def _excludes1_hits(fy: int, code: str, other: str) -> tuple[int, ...]:
    """Which of the code's Excludes1 ranges (indexes into _excludes1_refs) cover `other`: asked
    for every pair of codes on every claim, so each pair is worked out once."""
    return tuple(i for i, (_note, ref) in enumerate(_excludes1_refs(fy, code)) if ref.covers(other))


@lru_cache(maxsize=1 << 16)
def _group_covers(fy: int, kind: str, code: str, group: int, other: str) -> bool:
    """Whether `other` falls under the ranges of the code's `group`-th "Code first" (kind
    code_first) or "Use additional code" (use_additional) instruction; once per pair."""
    groups = _code_first_refs(fy, code) if kind == "code_first" else _use_additional_refs(fy, code)
    return any(r.covers(other) for r in groups[group][2])


@lru_cache(maxsize=4096)
def _code_first_notes(fy: int, code: str) -> tuple[Note, ...]:
    """The code's "Code first" notes that name codes (a manifestation code's etiology)."""
    return tuple(n for ns in _code_first_groups(fy, code).values() for n in ns if n.refs)


def _refs_by_group(groups: dict[str, tuple[Note, ...]], code: str) -> tuple[tuple[str, tuple[Note, ...], tuple[CodeRef, ...]], ...]:
    return tuple((origin, notes, tuple(r for n in notes for r in n.refs if not r.covers(code)))
                 for origin, notes in groups.items())


@lru_cache(maxsize=4096)
def _code_first_refs(fy: int, code: str) -> tuple[tuple[str, tuple[Note, ...], tuple[CodeRef, ...]], ...]:
    """(origin, notes, the ranges they name other than the code's own) per "Code first" group."""
    return _refs_by_group(_code_first_groups(fy, code), code)


@lru_cache(maxsize=4096)
def _use_additional_refs(fy: int, code: str) -> tuple[tuple[str, tuple[Note, ...], tuple[CodeRef, ...]], ...]:
    """(origin, notes, the ranges they name other than the code's own) per "Use additional code" group."""
    return _refs_by_group(_use_additional_groups(fy, code), code)


_ADVERSE_LEAD = re.compile(r"\bfor adverse effects?\b", re.I)
_UNDERDOSING_ITEM = re.compile(r"^\s*underdosing\b", re.I)


def drug_effect_kind(fy: int, code: str) -> str:
    """'poisoning', 'adverse_effect', 'underdosing', 'toxic_effect' or '' from the code's tabular title.

    T36-T50 carry the intent in the 6th character (1-4 poisoning, 5 adverse effect, 6 underdosing)
    and T51-T65 are toxic effects; the titles say the same ("Poisoning by ...", "Adverse effect of
    ...", "Underdosing of ...", "Toxic effect of ..."), so the title decides, whatever the position.
    """
    c = _book(fy).get(code)
    if c is None or not code.startswith("T"):
        return ""
    t = c.title.lower()
    for prefix, kind in (("poisoning by", "poisoning"), ("adverse effect of", "adverse_effect"),
                         ("underdosing of", "underdosing"), ("toxic effect of", "toxic_effect")):
        if t.startswith(prefix):
            return kind
    return ""


@lru_cache(maxsize=4096)
def _code_first_groups(fy: int, code: str) -> dict[str, tuple[Note, ...]]:
    """The code's "Code first" notes grouped by where they are printed, those that do not apply dropped.

    T36-T50 print "Code first, for adverse effects, the nature of the adverse effect, such as: ...":
    that instruction is for the adverse-effect codes (6th character 5) only, not for poisoning or
    underdosing (guideline I.C.19.e.5.a: the nature of the adverse effect is sequenced first; 
    I.C.19.e.5.b: a poisoning code is sequenced first, its manifestations after).
    """
    groups: dict[str, list[Note]] = {}
    for n in notes_of_kind(fy, code, "code_first"):
        groups.setdefault(n.origin, []).append(n)
    out: dict[str, tuple[Note, ...]] = {}
    for origin, notes in groups.items():
        if any(_ADVERSE_LEAD.search(n.text) for n in notes) and drug_effect_kind(fy, code) != "adverse_effect":
            continue
        out[origin] = tuple(notes)
    return out


@lru_cache(maxsize=4096)
def _use_additional_groups(fy: int, code: str) -> dict[str, tuple[Note, ...]]:
    """The code's "Use additional code" notes that name codes, grouped by where they are printed.

    Chapter-wide notes are left out (they would sit on every code of the chapter). At T36-T50 the
    items for underdosing (Y63.6-Y63.9, Z91.12-, Z91.13-) go with underdosing codes only: guideline
    I.C.19.e.5.c, "Noncompliance (Z91.12-, Z91.13-, Z91.14- and Z91.A4-) or complication of care
    (Y63.6-Y63.9) codes are to be used with an underdosing code to indicate intent, if known."
    """
    underdosing = drug_effect_kind(fy, code) == "underdosing"
    groups: dict[str, list[Note]] = {}
    for n in notes_of_kind(fy, code, "use_additional_code"):
        if n.origin_level == "chapter":
            continue
        if _UNDERDOSING_ITEM.match(n.text) and not underdosing:
            continue
        if [r for r in n.refs if not r.covers(code)]:
            groups.setdefault(n.origin, []).append(n)
    return {o: tuple(ns) for o, ns in groups.items()}


def _fold_reminders(fy: int, reminders: dict[tuple[str, ...], list[tuple[str, str]]]) -> list[Edit]:
    """One reminder per instruction per claim, and at most one per code.

    The same list printed at a block and reached from several codes (the tobacco list at every
    I10-I1A code) is said once, on the first code it applies to, naming the others. A list whose
    items were all said already for another code (the I10-I1A tobacco list after J44's, which has
    the same items and one more) adds its code to that reminder; one with new items says only
    those. Several different instructions for one code are one reminder with each listed.
    """
    shown: dict[str, tuple[str, list[str]]] = {}  # item text -> (code it is shown on, codes it is also for)
    per_code: dict[str, list[tuple[list[str], tuple[str, ...]]]] = {}
    also: dict[str, list[str]] = {}
    for texts, hits in reminders.items():
        for code, origin in hits:
            new = tuple(t for t in texts if t not in shown)
            if not new:
                owner = shown[texts[0]][0]
                if code != owner and code not in also.setdefault(owner, []):
                    also[owner].append(code)
                continue
            per_code.setdefault(code, []).append(([origin], new))
            for t in new:
                shown[t] = (code, [])
    out: list[Edit] = []
    for code, items in per_code.items():
        parts, origins_all = [], []
        for origins, texts in items:
            parts.append(f"({', '.join(origins)}): {'; '.join(texts)}")
            origins_all.extend(o for o in origins if o not in origins_all)
        more = f" (also for {', '.join(also[code])})" if also.get(code) else ""
        out.append(Edit("dx.use_additional", "info",
                        f"{code}: use additional code{more} " + " | ".join(parts) + " - add it if documented.",
                        _src(fy, f"Use additional code at {', '.join(origins_all)}"), code))
    return out
