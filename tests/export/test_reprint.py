"""A CMS-1500 printed again for a claim already sent: marked COPY, nothing re-numbered or re-marked."""
from __future__ import annotations

import stat
from datetime import datetime
from pathlib import Path

import pytest

from tests.cases.answer_key import KEY
from workstation.cases.demo import demo_cases
from workstation.export.batch import ExportError, run_export
from workstation.export.reprint import reprint_cms1500
from workstation.session.work import ServiceLine


@pytest.fixture
def sent(tmp_path: Path):
    from workstation.session.store import SessionStore

    store = SessionStore.open(tmp_path / "s.json", create=True)
    store.add_cases([c for c in demo_cases() if c.case_id in ("DEMO-001", "DEMO-002")])
    exp = KEY["DEMO-001"]
    for code in exp.dx:
        store.assign_dx("DEMO-001", code)
    for line in exp.lines:
        store.add_line("DEMO-001", ServiceLine(line.code, list(line.modifiers), line.units, pointers=list(line.pointers)))
    store.set_status("DEMO-001", "coded")
    run_export(store, "cms1500", tmp_path / "batch.txt", now=datetime(2026, 4, 1, 8, 0))
    yield store
    store.close()


def test_reprint_is_marked_copy_and_changes_nothing(sent, tmp_path: Path) -> None:
    before = sent.work("DEMO-001")
    path = reprint_cms1500(sent, "DEMO-001", tmp_path, now=datetime(2026, 4, 2, 9, 0))
    text = path.read_text()
    lines = text.strip().splitlines()
    assert lines[0].startswith("COPY") and lines[-1].startswith("COPY") and before.export_batch in lines[0]
    assert "E11.22" in text.replace(" ", "") or "E1122" in text.replace(" ", "").replace(".", "")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sent.work("DEMO-001") == before  # not marked again, not re-numbered


def test_reprint_refuses_a_claim_not_sent(sent, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="only a claim already sent"):
        reprint_cms1500(sent, "DEMO-002", tmp_path)


def test_cli_copy_writes_the_same_page_as_the_app_key(sent, tmp_path: Path, capsys) -> None:
    from workstation.cli import main
    from workstation.export.reprint import copy_text

    expected = copy_text(sent, "DEMO-001")
    before = sent.work("DEMO-001")
    path = sent.path
    sent.close()  # the CLI opens the store itself (read-only)
    out = tmp_path / "copy.txt"
    rc = main(["export", "--session", str(path), "--format", "cms1500", "--case", "DEMO-001", "--copy", "--out", str(out)])
    assert rc == 0 and "marked COPY" in capsys.readouterr().out
    assert out.read_text() == expected
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    from workstation.session.store import SessionStore

    with SessionStore.open(path, create=False, readonly=True) as again:
        assert again.work("DEMO-001") == before  # nothing marked or numbered


def test_cli_copy_refuses_a_claim_not_sent_and_wrong_use(sent, tmp_path: Path, capsys) -> None:
    from workstation.cli import main

    path = sent.path
    sent.close()
    out = tmp_path / "copy.txt"
    base = ["export", "--session", str(path), "--format", "cms1500", "--copy", "--out", str(out)]
    assert main(base + ["--case", "DEMO-002"]) != 0
    assert "only a claim already sent" in capsys.readouterr().err
    assert main(base) != 0  # no --case
    assert main(base + ["--case", "DEMO-001", "--case", "DEMO-002"]) != 0
    assert main(["export", "--session", str(path), "--format", "837p", "--case", "DEMO-001", "--copy", "--out", str(out)]) != 0
    assert main(base + ["--case", "NOPE"]) != 0
    assert not out.exists()
