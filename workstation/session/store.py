"""The session store: the coder's work saved on every change, crash-proof, resumable, audited, private.

    with SessionStore.open("sessions/monday.json") as store:
        store.add_cases(cases)
        store.assign_dx("CASE-007", "E11.22")   # validated, durable and audited before it returns

Files (see storage.py): PATH (TinyDB document), PATH.journal (changes since the last compaction),
PATH.cases (intake data, written on import), PATH.lock (the one writer: pid@host).
Every mutation is one journal record (the new state of what changed plus its audit entries),
fsync'd before the method returns; the document is rewritten atomically only on compaction
(every COMPACT_EVERY changes and on close). Errors are StoreError subclasses whose messages name
files and case ids, never patient details.
"""
from __future__ import annotations

import logging
import os
import stat
import threading
import time
from functools import wraps
from dataclasses import asdict
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, TypeVar

import orjson
from tinydb import TinyDB
from tinydb.table import Document

from workstation import faults
from workstation.cases.model import Case
from workstation.fileio import atomic_write_bytes, fsync_dir
from workstation.paths import sessions_dir
from workstation.session import coding
from workstation.session import undo as undo_history
from workstation.session.audit import AuditEntry, coder_id, now_utc
from workstation.session.repair import repair
from workstation.session.lock import LockHeld, LockNotPrivate, StoreLock
from workstation.session.storage import (
    FORMAT,
    VERSION,
    Journal,
    JournalCorrupt,
    MemoryDocumentStorage,
    NotAStore,
    StoreCorrupt,
    StoreError,
    StoreLocked,
    StoreNotFound,
    StorePermissionError,
    StoreWriteError,
    UnknownCase,
    cases_bytes,
    describe_oserror,
    document_bytes,
    encode_record,
    private_mkdir,
    read_cases,
    read_document,
    scan_journal,
)
from workstation.session.validate import CodingError
from workstation.session.work import CaseWork, Query, ServiceLine

__all__ = [
    "SessionStore", "StoreError", "StoreCorrupt", "StoreLocked", "StorePermissionError",
    "StoreWriteError", "StoreNotFound", "UnknownCase", "CodingError", "resolve_path",
]

log = logging.getLogger(__name__)

COMPACT_EVERY = 1000  # journal records between compactions (a compaction rewrites the document)
COMPACT_BYTES = 16 << 20


F = TypeVar("F", bound=Callable[..., Any])


def serialized(method: F) -> F:
    """One change at a time: the UI saves from worker threads, and records must keep their order."""

    @wraps(method)
    def run(self: "SessionStore", *args: Any, **kwargs: Any) -> Any:
        with self._mutex:
            return method(self, *args, **kwargs)

    return run  # type: ignore[return-value]


DEFAULT_STORE = "default.json"


def resolve_path(name: str | os.PathLike[str] | None) -> Path:
    """The one rule for naming a store, for every command and the app.

    None is sessions/default.json; a bare name ("monday" or "monday.json") is a store in
    sessions/; any other path ("./monday", "~/x.json", "/tmp/x.json") is used as is.
    """
    if name is None or str(name) == "":
        return sessions_dir() / DEFAULT_STORE
    p = Path(name).expanduser()
    if len(p.parts) == 1 and not str(name).startswith("."):
        if not p.suffix:
            p = p.with_suffix(".json")
        return sessions_dir() / p
    return p.absolute()  # "./x.json" stays ./x.json however often it is resolved again


def sidecar(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _copy(doc: Any) -> Any:
    return orjson.loads(orjson.dumps(doc))


def _timestamp() -> str:
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime())


class SessionStore:
    """One open session store. Use `SessionStore.open(path)`; close it (or use `with`)."""

    def __init__(self, path: Path, readonly: bool) -> None:
        self._path = path
        self.readonly = readonly
        self.journal_path = sidecar(path, ".journal")
        self.cases_path = sidecar(path, ".cases")
        self.lock_path = sidecar(path, ".lock")
        self._lock = StoreLock(self.lock_path)
        self._journal: Journal | None = None
        self._storage = MemoryDocumentStorage()
        self.db = TinyDB(storage=lambda: self._storage)
        self._cases_raw: list[dict[str, Any]] = []
        self._case_doc: dict[str, int] = {}  # case id -> TinyDB doc id (its place in the cases file, from 1)
        self._case_obj: dict[str, Case] = {}
        self._coding_obj: dict[str, Case] = {}  # id and encounter only, for validating changes
        self._source_keys: set[str] = set()
        self._cases_version = VERSION  # an older cases file is rewritten by the next compaction
        self._seq = 0
        self._since_compact = 0
        self.pending: list[dict[str, Any]] = []  # changes applied in memory but not yet durable
        self.closed = False
        self.settled: list[str] = []  # interrupted exports settled by this open (see begin_export)
        self._mutex = threading.RLock()

    # ------------------------------------------------------------ open / close

    @classmethod
    def open(cls, path: str | os.PathLike[str], create: bool = True, readonly: bool = False) -> "SessionStore":
        """Open (or create) the store at PATH. Read-only opens take no lock and never change a file."""
        store = cls(Path(path).expanduser().absolute(), readonly)
        store._open(create)
        return store

    @property
    def path(self) -> Path:
        return self._path

    def __enter__(self) -> "SessionStore":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _open(self, create: bool) -> None:
        path = self._path
        folder = path.parent
        exists = path.exists() or self.journal_path.exists()
        if not exists and (not create or self.readonly):
            raise StoreNotFound(f"no session store at {path}; create one with: workstation sessions new {path}")
        self._prepare_folder(folder)
        if not self.readonly:
            try:
                self._lock.acquire()
            except LockHeld as exc:
                waited = f" (waited {exc.waited:.0f} s for it)" if exc.waited >= 0.5 else ""
                raise StoreLocked(
                    f"session store {path} is open in another workstation (process {exc.holder}){waited}; "
                    f"close it there first. If that process is gone from its machine, delete {self.lock_path}.",
                    exc.holder,
                ) from None
            except LockNotPrivate as exc:
                raise StorePermissionError(f"lock file {self.lock_path} is refused: {exc}. A session store's "
                                           f"files must be yours and private; remove it if you know "
                                           f"where it came from") from None
            except OSError as exc:
                raise StoreWriteError(f"cannot lock session store {path}: {describe_oserror(exc)} "
                                      f"(open it read-only to look at it)", exc.errno) from None
        try:
            self._load(exists)
        except BaseException:
            self._release()
            raise

    def _prepare_folder(self, folder: Path) -> None:
        if not folder.exists():
            if self.readonly:
                raise StoreNotFound(f"folder {folder} does not exist")
            try:
                private_mkdir(folder)
            except OSError as exc:
                raise StoreWriteError(f"cannot create folder {folder}: {describe_oserror(exc)}", exc.errno) from None
        st = folder.stat()
        default = folder.resolve() == sessions_dir().resolve()
        if default and st.st_uid == os.getuid() and stat.S_IMODE(st.st_mode) & 0o077 and not self.readonly:
            os.chmod(folder, 0o700)  # sessions/ holds patient data: private to its owner
            st = folder.stat()
        if st.st_mode & 0o022:
            # Sticky folders (/tmp) too: others cannot remove our files there, but they can create
            # the journal, lock or store under our names first, and see the file names.
            sticky = bool(st.st_mode & stat.S_ISVTX)
            kind = "a shared folder (sticky, like /tmp)" if sticky else "a folder"
            fix = "" if sticky else f", or fix this one with: chmod 700 {folder}"
            raise StorePermissionError(
                f"{folder} is {kind} other users can write (mode {stat.S_IMODE(st.st_mode):04o}), so a "
                f"session store there could be replaced or read; refused. Keep stores in a private folder "
                f"(mkdir -m 700 {folder / 'private'}){fix}")
        if st.st_uid != os.getuid():
            raise StorePermissionError(f"folder {folder} belongs to another user (uid {st.st_uid}); "
                                       f"a session store must be in a folder of yours; refused")

    def _check_file(self, p: Path) -> None:
        try:
            st = p.stat()
        except FileNotFoundError:
            return
        mode = stat.S_IMODE(st.st_mode)
        if st.st_uid != os.getuid():
            raise StorePermissionError(
                f"{p} belongs to another user (uid {st.st_uid}); a session store's files must be yours, "
                f"so it is refused (someone may have put it there to read or replace the work)")
        if mode & 0o022:
            raise StorePermissionError(
                f"{p} can be written by other users (mode {mode:04o}); a session store must be private, "
                f"so it is refused. If the file is yours and unchanged, fix it with: chmod 600 {p}")
        if mode & 0o044 and st.st_uid == os.getuid() and not self.readonly:
            os.chmod(p, 0o600)  # readable by others: tighten rather than refuse

    def _load(self, exists: bool) -> None:
        for p in (self._path, self.journal_path, self.cases_path):
            self._check_file(p)
        doc: dict[str, dict[str, Any]] | None = None
        what = ""
        try:
            # The journal before the document: should a writer compact in between (read-only opens
            # take no lock), the newer document already holds every record read.
            what = self.journal_path.name
            data = self.journal_path.read_bytes() if self.journal_path.exists() else b""
            records, good = scan_journal(data)
            what = self._path.name
            if self._path.exists():
                doc = read_document(self._path)
            what = self.cases_path.name
            cases, self._cases_version = read_cases(self.cases_path)
        except NotAStore as exc:
            raise StoreError(f"{self._path} was not opened: {exc}. Nothing was changed; "
                             f"choose another file name for a session store.") from None
        except PermissionError:
            raise StorePermissionError(f"cannot read {self._path.parent / what}: permission denied") from None
        except OSError as exc:  # e.g. the path is a folder, or an I/O error
            raise StoreError(f"cannot read {self._path.parent / what}: {describe_oserror(exc)}") from None
        except (ValueError, TypeError, KeyError, orjson.JSONDecodeError, JournalCorrupt) as exc:
            self._corrupt(what, exc)
        if doc is None:
            doc = {}
        self._storage.data = doc
        self._init_tables()
        for c in cases:
            if c["case_id"] in self._case_doc:
                self._corrupt(self.cases_path.name, ValueError(f"case {c['case_id']} is in it twice"))
            self._index_case(c)
        what = self._path.name
        try:
            self._check_keys()
            base = int(self._meta()["seq"])
            self._seq = base
            what = self.journal_path.name
            for rec in records:
                if int(rec["seq"]) <= base:
                    continue  # already in the document (a compaction ended before the journal was emptied)
                self._apply(rec)
                self._seq = int(rec["seq"])
                self._since_compact += 1
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
            self._corrupt(what, exc)
        if self.readonly:
            return
        self._remove_stale_temp_files()
        try:
            self._journal = Journal(self.journal_path, good)
            if self._journal.dirty:
                self._journal.append(b"")  # drop the torn tail of an interrupted write now
            if not self._path.exists():
                self._compact()
            self.settled = self._settle_exports() if self._meta().get("batches") else []
        except OSError as exc:
            if self._journal:
                self._journal.close()
            raise StoreWriteError(f"cannot open session store {self._path} for writing: {describe_oserror(exc)} "
                                  f"(nothing was changed; open it read-only to look at it)", exc.errno) from None

    def _check_keys(self) -> None:
        """Work is the case's own: every work and audit record names its case, and that must be the
        case at its place in the cases file (a record lost from the cases file would otherwise show,
        and then save, each later case's work under the case before it)."""
        data = self._storage.data
        known = int(data["meta"]["1"].get("cases", 0) or 0)
        if known > len(self._cases_raw):
            raise ValueError(f"{self.cases_path.name} holds {len(self._cases_raw)} cases, the store knew {known}")
        for table in ("work", "audit"):
            for key, rec in data[table].items():
                self._check_key(int(key), rec.get("case_id"), table)

    def _check_key(self, doc_id: int, case_id: Any, what: str) -> None:
        if not 1 <= doc_id <= len(self._cases_raw) or self._cases_raw[doc_id - 1]["case_id"] != case_id:
            raise ValueError(f"{what} record {doc_id} is for case {case_id!s:.40}, which is not the case "
                             f"at that place in {self.cases_path.name}")

    def _remove_stale_temp_files(self) -> None:
        """Temporary files left by a writer killed mid-write (a compaction or an import): they may
        hold patient data. Only the lock holder writes them, and that is us now, so all go."""
        for p in self._path.parent.glob(f".{self._path.name}.*.tmp"):
            try:
                if p.is_file() and not p.is_symlink():
                    p.unlink()
            except OSError:
                pass

    def _corrupt(self, what: str, exc: BaseException) -> None:
        if self.readonly:
            raise StoreCorrupt(f"session store {self._path}: {what} does not parse ({exc}); "
                               f"opened read-only, nothing was moved") from None
        ts = _timestamp()
        moved: list[Path] = []
        for n in range(1, 1000):  # one suffix for the three files, never one already used
            suffix = f".corrupt-{ts}" + (f"-{n}" if n > 1 else "")
            if not any(p.with_name(p.name + suffix).exists() for p in (self._path, self.journal_path, self.cases_path)):
                break
        for p in (self._path, self.journal_path, self.cases_path):
            if p.exists():
                target = p.with_name(p.name + suffix)
                os.rename(p, target)
                moved.append(target)
        fsync_dir(self._path.parent)
        salvage = self._salvage(moved)
        if salvage:
            then = (f"{salvage} Open {self._path} again to go on from there; the moved files are kept "
                    f"(workstation sessions repair {self._path}{suffix} --out OTHER.json salvages them again).")
        else:
            then = (f"Recover every record that is still intact into a new store with: "
                    f"workstation sessions repair {self._path}{suffix} (opening {self._path} again starts "
                    f"a new empty store).")
        raise StoreCorrupt(
            f"session store {self._path} could not be read: {what} does not parse ({exc}). "
            f"Nothing was overwritten: its files were moved aside to {', '.join(str(m) for m in moved)}. {then}",
            moved,
        ) from None

    def _salvage(self, moved: list[Path]) -> str:
        """Salvage the moved files into PATH (`sessions repair`) when at least one case survives:
        the coder reopens into every record whose checksum held instead of an empty store.
        Returns what was recovered and dropped, or "" (nothing written) when nothing could be."""
        if not moved:
            return ""
        try:
            report = repair(moved[0], self._path)
        except Exception:  # noqa: BLE001 - salvage is a courtesy; the moved files stay for `sessions repair`
            report = None
        if report is None or not report.cases:
            for p in (self._path, self.cases_path):
                try:
                    p.unlink()
                except FileNotFoundError:
                    pass
            return ""
        dropped = (f"; dropped {len(report.dropped)}: " + "; ".join(report.dropped[:5])
                   + (" ..." if len(report.dropped) > 5 else "")) if report.dropped else "; nothing dropped"
        return (f"Every record whose checksum held was recovered into {self._path}: {report.cases} case(s), "
                f"{report.work} with work, {report.audit_entries} audit entries{dropped}.")

    def _init_tables(self) -> None:
        self.meta_t = self.db.table("meta", cache_size=0)
        self.settings_t = self.db.table("settings", cache_size=0)
        self.work_t = self.db.table("work", cache_size=0)
        self.audit_t = self.db.table("audit", cache_size=0)
        self.store_audit_t = self.db.table("store_audit", cache_size=0)
        for name in ("meta", "settings", "work", "audit", "store_audit"):
            self._storage.data.setdefault(name, {})
        if self.meta_t.get(doc_id=1) is None:
            self.meta_t.insert(Document({"format": FORMAT, "version": VERSION, "seq": 0, "created": now_utc(),
                                         "current_case": None, "counters": {}}, doc_id=1))
        if self.settings_t.get(doc_id=1) is None:
            self.settings_t.insert(Document({}, doc_id=1))

    def _meta(self) -> dict[str, Any]:
        return self.meta_t.get(doc_id=1)  # type: ignore[return-value]

    def _index_case(self, raw: dict[str, Any]) -> None:
        self._cases_raw.append(raw)
        self._case_doc[raw["case_id"]] = len(self._cases_raw)
        if raw.get("source_key"):
            self._source_keys.add(raw["source_key"])

    def lock_holder(self) -> str | None:
        """"pid@host" of the process holding the store open for writing, if any."""
        h = self._lock.holder()
        return str(h) if h else None

    @serialized
    def close(self) -> None:
        """Save anything pending, compact, release the lock. StoreWriteError (store left open) if pending
        changes still cannot be saved: free space and close again, or `discard()`."""
        if self.closed:
            return
        if not self.readonly:
            self._flush()
            try:
                self._compact()
            except OSError as exc:  # everything is in the journal: safe to stop here
                log.warning("session store %s: compaction on close failed (%s); the journal keeps every change",
                            self._path, describe_oserror(exc))
        self._release()

    @serialized
    def discard(self) -> None:
        """Close without saving pending changes (they are lost; everything saved before stays)."""
        self.pending.clear()
        self._release()

    def _release(self) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        self._lock.release()
        self.closed = True

    # ------------------------------------------------------------ saving

    def _apply(self, rec: dict[str, Any]) -> None:
        """Apply one journal record to the in-memory document (live and on replay: one code path).

        Writes go straight into the TinyDB document: TinyDB's own write path copies the whole table
        twice per update (O(cases)), which alone would break the save budget at a few thousand
        cases. The tables are opened with no query cache, so reads through TinyDB stay exact.
        """
        data = self._storage.data
        for op in rec["ops"]:
            kind = op[0]
            if kind == "work":
                if not isinstance(op[2], dict):
                    raise ValueError("a work record is not an object")
                self._check_key(int(op[1]), op[2].get("case_id"), "journal work")
                data["work"][str(int(op[1]))] = op[2]
            elif kind == "audit":
                e = op[1]
                cid = e.get("case_id")
                table = data["store_audit"] if cid is None else data["audit"]
                key = "1" if cid is None else str(self._case_doc[cid])
                doc = table.get(key)
                if doc is None:
                    table[key] = {"case_id": cid, "entries": [e]}
                else:
                    doc["entries"].append(e)
            elif kind == "setting":
                data["settings"]["1"][op[1]] = op[2]
            elif kind == "current":
                data["meta"]["1"]["current_case"] = op[1]
            elif kind == "counter":
                data["meta"]["1"].setdefault("counters", {})[op[1]] = int(op[2])
            elif kind == "batch":  # an export's recorded intent (None: settled)
                batches = data["meta"]["1"].setdefault("batches", {})
                if op[2] is None:
                    batches.pop(op[1], None)
                else:
                    batches[op[1]] = op[2]
            elif kind == "cases":
                # The cases file itself is the record; this marks when the import happened and how
                # many cases the file then held (fewer now means a case was lost from it).
                if int(op[1]) > len(self._cases_raw):
                    raise ValueError(f"{self.cases_path.name} holds {len(self._cases_raw)} cases, "
                                     f"the journal knew {int(op[1])}")
            else:
                raise ValueError(f"unknown journal operation {kind!r}")

    def _writable(self) -> None:
        if self.closed:
            raise StoreError(f"session store {self._path} is closed")
        if self.readonly:
            raise StoreError(f"session store {self._path} was opened read-only")

    def _commit(self, ops: list[list[Any]], entries: Iterable[AuditEntry] = ()) -> int:
        """Apply a change in memory, then make it durable; StoreWriteError keeps it pending."""
        self._seq += 1
        seq = self._seq
        all_ops = list(ops)
        for e in entries:
            e.seq = seq
            all_ops.append(["audit", e.to_dict()])
        rec = {"seq": seq, "at": now_utc(), "ops": all_ops}
        self._apply(rec)
        self.pending.append(rec)
        self._flush()
        return seq

    def _flush(self) -> None:
        if not self.pending:
            return
        assert self._journal is not None
        data = b"".join(encode_record(r) for r in self.pending)
        try:
            self._journal.append(data)
        except OSError as exc:
            n = len(self.pending)
            raise StoreWriteError(
                f"could not save to {self.journal_path}: {describe_oserror(exc)}. "
                f"{n} change{'s' if n != 1 else ''} kept in memory, not yet saved; saving is retried on the next "
                f"change or with retry(). Everything saved before is safe.", exc.errno) from None
        self._since_compact += len(self.pending)
        self.pending.clear()
        if self._since_compact >= COMPACT_EVERY or self._journal.size >= COMPACT_BYTES:
            try:
                self._compact()
            except OSError as exc:  # the journal still holds every change: try again later
                self._since_compact = COMPACT_EVERY // 2
                log.warning("session store %s: compaction failed (%s); will retry", self._path, describe_oserror(exc))

    @serialized
    def drop_pending(self) -> None:
        """Forget changes not yet saved without closing (the export gives up on a batch record whose
        effect the next open settles anyway). What is shown in memory is not rolled back."""
        self.pending.clear()

    @serialized
    def retry(self) -> None:
        """Try again to save pending changes (after freeing space or fixing the folder)."""
        self._writable()
        self._flush()

    def _compact(self) -> None:
        """Write the whole document atomically, then empty the journal."""
        if self.pending or self._journal is None:
            return
        data = self._storage.data
        data["meta"]["1"]["seq"] = self._seq
        data["meta"]["1"]["version"] = VERSION
        data["meta"]["1"]["cases"] = len(self._cases_raw)
        faults.point("compact.write")
        if self._cases_version < VERSION:  # migrate an older cases file to self-checking lines
            atomic_write_bytes(self.cases_path, cases_bytes(self._cases_raw), mode=0o600)
            self._cases_version = VERSION
        atomic_write_bytes(self._path, document_bytes(data), mode=0o600)
        faults.point("compact.written")
        self._journal.reset()
        self._since_compact = 0

    @serialized
    def compact(self) -> None:
        self._writable()
        self._flush()
        try:
            self._compact()
        except OSError as exc:
            raise StoreWriteError(f"could not compact {self._path}: {describe_oserror(exc)}; "
                                  f"no change is lost (they are in {self.journal_path.name})", exc.errno) from None

    # ------------------------------------------------------------ cases

    @serialized
    def add_cases(self, cases: list[Case]) -> list[str]:
        """Add cases; one whose source_key is already present is skipped; a clashing id gets a suffix.
        The intake data is written once, here, to PATH.cases. Returns the ids added."""
        self._writable()
        added: list[dict[str, Any]] = []
        keys = set(self._source_keys)
        ids = set(self._case_doc)
        for case in cases:
            if case.source_key and case.source_key in keys:
                continue
            raw = case.to_dict()
            cid = raw["case_id"] = str(raw["case_id"]).strip()
            if not cid:
                raise StoreError("a case without a case id cannot be added")
            n = 2
            while raw["case_id"] in ids:
                raw["case_id"] = f"{cid}-{n}"
                n += 1
            ids.add(raw["case_id"])
            if case.source_key:
                keys.add(case.source_key)
            added.append(raw)
        if not added:
            return []
        try:
            atomic_write_bytes(self.cases_path, cases_bytes(self._cases_raw + added), mode=0o600)
        except OSError as exc:
            raise StoreWriteError(f"could not save the imported cases to {self.cases_path}: "
                                  f"{describe_oserror(exc)}; nothing was added", exc.errno) from None
        for raw in added:
            self._index_case(raw)
        who = self._who()
        now = now_utc()
        entries = [AuditEntry(0, now, who, "add_case", r["case_id"], None, {"source": r.get("source", "")})
                   for r in added]
        self._commit([["cases", len(self._cases_raw)]], entries)
        return [r["case_id"] for r in added]

    def case_ids(self) -> list[str]:
        return [r["case_id"] for r in self._cases_raw]

    def cases(self) -> list[Case]:
        return [self.case(cid) for cid in self.case_ids()]

    def case(self, case_id: str) -> Case:
        c = self._case_obj.get(case_id)
        if c is None:
            try:
                c = Case.from_dict(_copy(self._cases_raw[self._doc_id(case_id) - 1]))
            except (TypeError, ValueError) as exc:  # intake data is checked on import; this is damage
                raise StoreCorrupt(f"case {case_id} in {self.cases_path} cannot be read ({type(exc).__name__}); "
                                   f"import it again") from None
            self._case_obj[case_id] = c
        return c

    def _doc_id(self, case_id: str) -> int:
        try:
            return self._case_doc[case_id]
        except KeyError:
            raise UnknownCase(f"no case {case_id} in session store {self._path.name}") from None

    # ------------------------------------------------------------ reading work

    @serialized
    def work(self, case_id: str) -> CaseWork:
        doc = self.work_t.get(doc_id=self._doc_id(case_id))
        if doc is None:
            return CaseWork(case_id)
        return CaseWork.from_dict(_copy(dict(doc)))

    @serialized
    def all_work(self) -> dict[str, CaseWork]:
        return {cid: self.work(cid) for cid in self.case_ids()}

    @serialized
    def settings(self) -> dict[str, Any]:
        return _copy(dict(self.settings_t.get(doc_id=1) or {}))

    @serialized
    def current_case(self) -> str | None:
        cid = self._meta().get("current_case")
        return cid if cid in self._case_doc else None

    @serialized
    def audit(self, case_id: str | None = None) -> list[dict[str, Any]]:
        """Audit entries, oldest first: one case's, or the whole store's (settings included)."""
        if case_id is not None:
            doc = self.audit_t.get(doc_id=self._doc_id(case_id))
            return _copy(doc["entries"]) if doc else []
        return _copy(self.audit_records())

    def records(self) -> Iterator[tuple[dict[str, Any], dict[str, Any] | None]]:
        """Every case's intake record and work record (None before any work), in store order, as
        they are held: not copied, so only read them. For bulk readers of a read-only store (the
        analytics extract reads 100,000 cases this way; `case()`/`work()` copy each one)."""
        for r in self._cases_raw:
            yield r, self.work_t.get(doc_id=self._case_doc[r["case_id"]])

    def audit_records(self) -> list[dict[str, Any]]:
        """The whole store's audit entries, oldest first, as `audit()` gives them but not copied."""
        out: list[dict[str, Any]] = []
        for t in (self.store_audit_t, self.audit_t):
            for doc in t.all():
                out.extend(doc["entries"])
        out.sort(key=lambda e: e["seq"])
        return out

    # ------------------------------------------------------------ mutations

    def _who(self) -> str:
        return coder_id(self.settings_t.get(doc_id=1) or {})

    def _entry(self, action: str, case_id: str | None, before: Any, after: Any) -> AuditEntry:
        return AuditEntry(0, now_utc(), self._who(), action, case_id, before, after)

    def _save(self, work: CaseWork, entries: list[AuditEntry], start: bool = True) -> None:
        """Commit the case's work with its audit entries, in one write; a coding change (`start`)
        first starts a new case or reopens an exported one (coding.started)."""
        status = coding.started(work) if start else None
        if status is not None:
            entries.append(self._entry(status.action, work.case_id, status.before, status.after))
        self._commit([["work", self._doc_id(work.case_id), work.to_dict()]], entries)

    def _change(self, case_id: str, step: Callable[..., coding.Change], *args: Any) -> Any:
        """One coding change (a session/coding.py function) as one commit; returns its value."""
        case, work = self._prepare(case_id)
        ch = step(case, work, *args)
        if ch.changed:
            self._save(work, [self._entry(ch.action, case_id, ch.before, ch.after)], start=ch.starts)
        return ch.value

    @serialized
    def change(self, case_id: str, plan: Callable[[Case, CaseWork], list[coding.Change]]) -> list[coding.Change]:
        """Several coding changes to one case as one user action (`workstation code --dx A --dx B
        --line ...`): `plan` makes them on the work in turn (session/coding.py functions) and
        returns them; all are written in one commit. When one is refused, nothing is written."""
        case, work = self._prepare(case_id)
        done = [ch for ch in plan(case, work) if ch.changed]
        if done:
            entries: list[AuditEntry] = []
            for ch in done:  # the audit reads as if each had been saved alone
                entries.append(self._entry(ch.action, case_id, ch.before, ch.after))
                status = coding.started(work) if ch.starts else None
                if status is not None:
                    entries.append(self._entry(status.action, case_id, status.before, status.after))
            self._save(work, entries, start=False)
        return done

    def _prepare(self, case_id: str) -> tuple[Case, CaseWork]:
        self._writable()
        return self._coding_case(case_id), self.work(case_id)

    def _coding_case(self, case_id: str) -> Case:
        """The case as validation needs it (id and encounter: the coding date and setting).

        A change to a case not opened yet used to copy and rebuild its whole intake record,
        documentation included, which made saves slower the more untouched cases a session had.
        """
        c = self._case_obj.get(case_id) or self._coding_obj.get(case_id)
        if c is not None:
            return c
        raw = self._cases_raw[self._doc_id(case_id) - 1]
        try:
            c = Case.from_dict({"case_id": raw["case_id"], "patient": raw.get("patient") or {},
                                "encounter": raw.get("encounter") or {}})
        except (TypeError, ValueError):
            return self.case(case_id)  # raises the clear StoreCorrupt
        self._coding_obj[case_id] = c
        return c

    # Each coding change is a rule of session/coding.py, made and committed by the store.

    @serialized
    def assign_dx(self, case_id: str, code: str, position: int | None = None) -> str:
        """Assign a diagnosis (validated for the case's date); position 0 makes it first-listed.
        Returns the normalised code."""
        return self._change(case_id, coding.assign_dx, code, position)

    @serialized
    def remove_dx(self, case_id: str, code: str) -> None:
        self._change(case_id, coding.remove_dx, code)

    @serialized
    def set_poa(self, case_id: str, code: str, indicator: str) -> str:
        """Record the present-on-admission indicator of an inpatient diagnosis ("" clears it).
        Returns the indicator as stored."""
        return self._change(case_id, coding.set_poa, code, indicator)

    @serialized
    def set_procedure_date(self, case_id: str, code: str, day: str) -> None:
        """The date an inpatient ICD-10-PCS procedure was performed ("" clears it)."""
        self._change(case_id, coding.set_procedure_date, code, day)

    @serialized
    def set_stay(self, case_id: str, **fields: str) -> None:
        """Record the inpatient stay's claim fields (admission type and source, patient status, hours)."""
        self._change(case_id, coding.set_stay, fields)

    @serialized
    def move_dx(self, case_id: str, code: str, delta: int) -> None:
        """Resequence: delta -1 moves the code up one place (towards first-listed)."""
        self._change(case_id, coding.move_dx, code, delta)

    @serialized
    def add_procedure(self, case_id: str, code: str) -> str:
        return self._change(case_id, coding.add_procedure, code)

    @serialized
    def remove_procedure(self, case_id: str, code: str) -> None:
        self._change(case_id, coding.remove_procedure, code)

    @serialized
    def add_line(self, case_id: str, line: ServiceLine) -> int:
        """Add a service line (validated); returns its index (0-based)."""
        return self._change(case_id, coding.add_line, line)

    @serialized
    def update_line(self, case_id: str, index: int, **fields: Any) -> None:
        self._change(case_id, coding.update_line, index, fields)

    @serialized
    def remove_line(self, case_id: str, index: int) -> None:
        self._change(case_id, coding.remove_line, index)

    @serialized
    def move_line(self, case_id: str, index: int, delta: int) -> int:
        """Reorder the service lines: delta -1 moves line `index` up one place. Returns its new index."""
        return self._change(case_id, coding.move_line, index, delta)

    @serialized
    def restore_coding(self, case_id: str, diagnoses: list[str], procedures: list[str],
                       lines: list[ServiceLine], status: str | None = None) -> None:
        """Undo: put the diagnoses, procedures and lines back as they were before a change (and the
        status, when the change undone was one). Journaled and audited like any change, as "undo"."""
        self._change(case_id, coding.restore_coding, diagnoses, procedures, lines, status)

    @serialized
    def push_undo(self, case_id: str, label: str, status_change: bool = False) -> int:
        """Record the case's coding as it is now, before the change `label` names (session/undo.py).
        Journaled (it survives a restart), not audited: the change itself is. Returns the depth."""
        _, work = self._prepare(case_id)
        work.undo = undo_history.pushed(work, undo_history.UndoEntry.before(label, work, status_change))
        self._commit([["work", self._doc_id(case_id), work.to_dict()]])
        return len(work.undo)

    @serialized
    def drop_undo(self, case_id: str) -> None:
        """Forget the last undo entry (its change was refused)."""
        _, work = self._prepare(case_id)
        if work.undo:
            work.undo = work.undo[:-1]
            self._commit([["work", self._doc_id(case_id), work.to_dict()]])

    @serialized
    def undo(self, case_id: str) -> str:
        """Put the coding back as it was before the last recorded change, and forget that entry,
        in one journaled change audited as "undo". Returns what was undone ("E11.22 added")."""
        return self._change(case_id, coding.undo_last)

    @serialized
    def set_status(self, case_id: str, status: str) -> None:
        self._change(case_id, coding.set_status, status)

    def _status_entry(self, case_id: str, change: "coding.StatusChange | None") -> list[AuditEntry]:
        return [] if change is None else [self._entry("set_status", case_id, change.before, change.after)]

    @serialized
    def add_query(self, case_id: str, question: str, indicators: str = "", options: Iterable[str] = (),
                  provider: str | None = None, yes_no: str = "", gap: str = "") -> Query:
        """Raise a provider query (session/coding.py rules: compliance checked, "other" and
        "clinically undetermined" offered, the case on hold), in one audited write. The provider is
        the encounter's rendering provider unless named."""
        case, work = self._prepare(case_id)
        if not question or not question.strip():
            raise CodingError("a provider query needs a question")
        if provider is None:
            provider = case.encounter.rendering_provider.name
        try:
            q, change = coding.add_query(work, question, indicators, list(options), now_utc(), provider, yes_no, gap)
        except coding.QueryRefused as exc:
            raise CodingError(str(exc)) from None
        self._save(work, [self._entry("add_query", case_id, None, asdict(q)), *self._status_entry(case_id, change)],
                   start=False)
        return q

    def _query(self, work: CaseWork, query_id: str) -> Query:
        try:
            return coding.find_query(work, query_id)
        except KeyError as exc:
            raise CodingError(exc.args[0]) from None

    @serialized
    def answer_query(self, case_id: str, query_id: str, answer: str) -> None:
        """Record the provider's answer; the last open query answered ends the hold (in_progress)."""
        _, work = self._prepare(case_id)
        before = asdict(self._query(work, query_id))
        try:
            q, change = coding.answer_query(work, query_id, answer, now_utc())
        except ValueError as exc:
            raise CodingError(str(exc)) from None
        self._save(work, [self._entry("answer_query", case_id, before, asdict(q)), *self._status_entry(case_id, change)],
                   start=False)

    @serialized
    def withdraw_query(self, case_id: str, query_id: str) -> None:
        """Withdraw an open query; the last open one withdrawn ends the hold (in_progress)."""
        _, work = self._prepare(case_id)
        before = asdict(self._query(work, query_id))
        try:
            q, change = coding.withdraw_query(work, query_id, now_utc())
        except ValueError as exc:
            raise CodingError(str(exc)) from None
        self._save(work, [self._entry("withdraw_query", case_id, before, asdict(q)), *self._status_entry(case_id, change)],
                   start=False)

    @serialized
    def set_notes(self, case_id: str, text: str) -> None:
        self._change(case_id, coding.set_notes, text)

    @serialized
    def set_setting(self, key: str, value: Any) -> None:
        self._writable()
        current = self.settings_t.get(doc_id=1) or {}
        before = _copy(current.get(key))
        after = _copy(value)
        if key in current and before == after:
            return
        self._commit([["setting", key, after]], [self._entry("set_setting", None, {key: before}, {key: after})])

    @serialized
    def set_payer_claim_number(self, case_id: str, number: str) -> None:
        """The payer's claim control number of the claim already sent (REF*F8 on a replacement).
        Empty clears it. Audited; it does not reopen an exported case (the coding is unchanged)."""
        self._change(case_id, coding.set_payer_claim_number, number)

    @serialized
    def set_current_case(self, case_id: str | None) -> None:
        """Where the coder is: reopening the store resumes here. Saved, not audited (navigation)."""
        self._writable()
        if case_id is not None:
            self._doc_id(case_id)
        if self._meta().get("current_case") == case_id:
            return
        self._commit([["current", case_id]])

    @serialized
    def next_control_number(self, kind: str) -> int:
        """The next number of a series (e.g. "isa", "batch"); saved before it is returned, never repeated."""
        self._writable()
        n = int(self._meta().get("counters", {}).get(kind, 0)) + 1
        self._commit([["counter", kind, n]])
        return n

    @serialized
    def begin_export(self, batch: str, case_ids: Iterable[str], file: str, temp: str = "") -> None:
        """Record, durably, that batch BATCH is about to put CASE_IDS in FILE (before the file is
        renamed into place). `mark_exported` settles it; if the process dies in between, the next
        writable open settles it from the file: there, the cases are marked exported; absent, the
        batch is dropped (nothing went out). `temp` names a temporary file to remove then."""
        self._writable()
        ids = list(case_ids)
        for cid in ids:
            self._doc_id(cid)
        self._commit([["batch", batch, {"cases": ids, "file": str(file), "temp": temp, "at": now_utc()}]])

    @serialized
    def pending_exports(self) -> dict[str, dict[str, Any]]:
        """Batches recorded by begin_export and not settled yet: {batch: {cases, file, temp, at}}."""
        return _copy(self._meta().get("batches", {}))

    @serialized
    def abandon_export(self, batch: str) -> None:
        """The batch's file was not put in place (the write failed): forget the intent."""
        self._writable()
        if batch in self._meta().get("batches", {}):
            self._commit([["batch", batch, None]])

    def _settle_exports(self) -> list[str]:
        """Settle batches a killed export left recorded (see begin_export). Returns what was done."""
        done: list[str] = []
        for batch, info in self.pending_exports().items():
            target = Path(info["file"])
            if info.get("temp"):
                try:
                    os.unlink(info["temp"])
                except OSError:
                    pass
            if target.exists():
                live = [c for c in info["cases"] if c in self._case_doc]
                self.mark_exported(live, batch, info["file"])
                done.append(f"batch {batch}: {target} was written, its {len(live)} case(s) are marked exported")
            else:
                self._commit([["batch", batch, None]],
                             [self._entry("export_not_written", None, {"batch": batch, "file": info["file"]}, None)])
                done.append(f"batch {batch}: {target} was never written; its cases stay as they were")
        for line in done:
            log.warning("session store %s: interrupted export settled: %s", self._path, line)
        return done

    @serialized
    def mark_exported(self, case_ids: Iterable[str], batch: str, file: str) -> None:
        """Mark cases exported in one change (all or none); settles the batch's begin_export."""
        self._writable()
        ops: list[list[Any]] = []
        entries: list[AuditEntry] = []
        if batch in self._meta().get("batches", {}):
            ops.append(["batch", batch, None])
        for cid in case_ids:
            work = self.work(cid)
            before = {"status": work.status, "export_batch": work.export_batch, "export_file": work.export_file}
            work.status, work.export_batch, work.export_file = "exported", batch, str(file)
            work.exports.append({"batch": batch, "file": str(file), "at": now_utc()})
            ops.append(["work", self._doc_id(cid), work.to_dict()])
            entries.append(self._entry("mark_exported", cid, before,
                                       {"status": "exported", "export_batch": batch, "export_file": str(file)}))
        if ops:
            self._commit(ops, entries)
