"""Install the two inpatient tables CMS publishes apart from the code sets, like a code book.

`workstation codebooks install PATH` hands PATH here first (one line in commands/codebooks.py):
a CMS POA exempt list (`POAexemptCodesYYYY.txt`, or the zip "YYYY POA Exempt Codes" that holds
it) and an IPPS Table 5 text file (or a zip / folder holding it) are recognised, checked and
stored; everything else in PATH is left to the code-book installer. Refused with the file named
and nothing stored: a file with the right name whose content is not the CMS layout.
"""
from __future__ import annotations

import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from workstation.codes import poa_exempt
from workstation.grouping import drg_weights

MAX_MEMBER = 200_000_000


class TablesInstallError(ValueError):
    """A recognised table could not be installed; the message names the file."""


@dataclass
class TablesInstalled:
    installed: list[str] = field(default_factory=list)  # what was stored, one line each
    others: bool = False  # PATH also holds files these tables are not (a code-set release ...)

    @property
    def only(self) -> bool:
        """PATH held nothing but these tables: the code-book installer has nothing to do."""
        return bool(self.installed) and not self.others


def _candidates(folder: Path) -> tuple[list[Path], list[Path], bool]:
    poa, table5, others = [], [], False
    for f in sorted(p for p in folder.rglob("*") if p.is_file()):
        if poa_exempt.FILE_NAME.match(f.name):
            poa.append(f)
        elif f.suffix.lower() in (".txt", ".tsv") and drg_weights.looks_like_table5(f.read_bytes()[:4000].decode("latin-1")):
            table5.append(f)
        elif f.name.lower().startswith(("readmepoa", "poaexempt")):
            continue  # the list's ReadMe and its add / delete / revise files
        elif f.suffix.lower() in (".xml", ".txt", ".zip", ".csv"):
            others = True
    return poa, table5, others


def _unzip(path: Path, into: Path) -> Path:
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if info.file_size > MAX_MEMBER or Path(info.filename).is_absolute() or ".." in Path(info.filename).parts:
                    raise TablesInstallError(f"{path}: member {info.filename!r} is unsafe or too large")
            zf.extractall(into)
    except zipfile.BadZipFile:
        raise TablesInstallError(f"{path}: not a readable zip") from None
    return into


def install_tables(path: Path, log: Callable[[str], None] = print) -> TablesInstalled:
    path = Path(path)
    done = TablesInstalled()
    if not path.exists():
        return done  # the code-book installer says so
    with tempfile.TemporaryDirectory(prefix="ws-tables-") as tmp:
        if path.is_dir():
            folder = path
        elif zipfile.is_zipfile(path):
            folder = _unzip(path, Path(tmp))
        else:
            folder = Path(tmp)
            (folder / path.name).symlink_to(path.absolute())
        poa, table5, done.others = _candidates(folder)
        try:
            lists = [poa_exempt.read_exempt_file(f) for f in poa]
            tables = [drg_weights.read_table5(f) for f in table5]
        except (poa_exempt.PoaExemptError, drg_weights.Table5Error) as exc:
            raise TablesInstallError(f"{exc}; nothing was installed") from None
        for lst in lists:
            where = poa_exempt.install_list(lst)
            line = (f"installed the CMS POA exempt list {lst.label}: {len(lst.codes):,} codes from {lst.source} "
                    f"(sha256 {lst.sha256[:16]}...), serving from {lst.effective_from}, in {where}")
            done.installed.append(line)
            log(line)
        for t in tables:
            where = drg_weights.install_table(t)
            line = (f"installed CMS IPPS FY{t.fiscal_year} Table 5: {len(t.rows)} MS-DRGs with relative weight, "
                    f"GMLOS and AMLOS from {t.source} (sha256 {t.sha256[:16]}...), in {where}")
            done.installed.append(line)
            log(line)
    return done
