"""`workstation export` end to end through the CLI entry point."""
from __future__ import annotations

from workstation.billing.settings import PracticeSettings
from workstation.cli import main


def test_cli_837p_export(session, tmp_path, capsys):
    path = str(session.path)
    session.close()
    out = tmp_path / "claims.837"
    rc = main(["export", "--session", path, "--format", "837p", "--out", str(out)])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    assert "valid: 2 claim(s)" in captured.out and "DEMO-0004" in captured.out
    assert out.read_text().count("CLM*") == 2


def test_cli_dry_run_writes_nothing(session, tmp_path, capsys):
    path = str(session.path)
    session.close()
    rc = main(["export", "--session", path, "--format", "837p", "--dry-run"])
    assert rc == 0
    assert "2 case(s) ready for 837p" in capsys.readouterr().out
    assert not list(tmp_path.glob("*.837"))


def test_cli_bad_npi_is_a_clear_usage_error(session, tmp_path, capsys):
    s = PracticeSettings()
    s.npi = "1234567890"
    s.save(session)
    path = str(session.path)
    session.close()
    rc = main(["export", "--session", path, "--format", "837p", "--out", str(tmp_path / "x.837")])
    err = capsys.readouterr().err
    assert rc == 2
    assert "billing provider NPI 1234567890 fails the check digit" in err
    assert "nothing was exported" in err and not (tmp_path / "x.837").exists()


def test_cli_nothing_ready_exits_1(session, tmp_path, capsys):
    path = str(session.path)
    session.close()
    rc = main(["export", "--session", path, "--format", "837p", "--case", "DEMO-0004", "--out", str(tmp_path / "x.837")])
    assert rc == 1
    assert "open provider query" in capsys.readouterr().err


def test_cli_requires_out(session, capsys):
    path = str(session.path)
    session.close()
    assert main(["export", "--session", path, "--format", "csv"]) == 2
    assert "--out FILE is required" in capsys.readouterr().err


def test_cli_test_interchange_marks_nothing_exported(session, tmp_path, capsys):
    # QA regression: a --test file (ISA15 = T) marked the cases exported, so the real send needed --again.
    path = str(session.path)
    session.close()
    out = tmp_path / "test.837"
    assert main(["export", "--session", path, "--format", "837p", "--out", str(out), "--test"]) == 0
    assert out.read_text().split("~")[0].split("*")[15] == "T"
    capsys.readouterr()
    assert main(["export", "--session", path, "--format", "837p", "--out", str(tmp_path / "real.837")]) == 0
    assert "valid: 2 claim(s)" in capsys.readouterr().out


def test_cli_missing_session_names_the_command_that_creates_one(tmp_path, capsys):
    assert main(["export", "--session", str(tmp_path / "none.json"), "--format", "csv", "--dry-run"]) == 2
    assert "workstation sessions new" in capsys.readouterr().err
