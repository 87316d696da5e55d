"""`workstation scrub` and `workstation settings` on a real session store."""
import orjson
import pytest

from workstation.cases import demo
from workstation.cli import main
from workstation.session import store as store_mod
from workstation.session.work import ServiceLine


@pytest.fixture
def session(tmp_path):
    path = tmp_path / "s.json"
    with store_mod.SessionStore.open(path, create=True) as store:
        cases = demo.demo_cases()[:3]
        store.add_cases(cases)
        cid = cases[0].case_id
        store.assign_dx(cid, "E11.22")
        store.assign_dx(cid, "N18.30")
        store.add_line(cid, ServiceLine("G0439", pointers=["A", "B"]))
    return path, cid, [c.case_id for c in cases]


def test_scrub_json_every_case(session, capsys):
    path, cid, ids = session
    assert main(["scrub", "--session", str(path), "--json"]) == 0
    doc = orjson.loads(capsys.readouterr().out)
    assert list(doc) == ids
    # The coded case: no missing-diagnosis or missing-line errors; an uncoded case has both.
    assert not {"dx.none", "line.none"} & {e["edit_id"] for e in doc[cid]}
    assert {"dx.none", "line.none"} <= {e["edit_id"] for e in doc[ids[1]]}
    assert all(set(e) == {"edit_id", "severity", "message", "source", "target"} for e in doc[cid])


def test_scrub_one_case_text_and_strict(session, capsys):
    path, cid, ids = session
    assert main(["scrub", "--session", str(path), "--case", ids[1]]) == 0
    out = capsys.readouterr().out
    assert ids[1] in out and cid not in out and "ERROR" in out
    assert main(["scrub", "--session", str(path), "--case", ids[1], "--strict"]) == 1
    assert main(["scrub", "--session", str(path), "--case", "NOPE"]) == 2


def test_scrub_missing_session_is_a_usage_error(tmp_path, capsys):
    assert main(["scrub", "--session", str(tmp_path / "none.json")]) == 2


def test_settings_show_and_set(session, capsys):
    path, _, _ = session
    assert main(["settings", "--session", str(path), "show", "--json"]) == 0
    shown = orjson.loads(capsys.readouterr().out)
    assert shown["npi"] == "1555000003"
    assert main(["settings", "--session", str(path), "set", "fee.G0439", "130"]) == 0
    assert main(["settings", "set", "npi", "1234567890", "--session", str(path)]) == 2  # bad check digit
    assert "check digit" in capsys.readouterr().err
    assert main(["settings", "set", "address.zip", "43215", "--session", str(path)]) == 2
    assert main(["settings", "set", "npi", "1234567893", "--session", str(path)]) == 0
    capsys.readouterr()
    assert main(["settings", "--session", str(path)]) == 0
    out = capsys.readouterr().out
    assert "1234567893" in out and "130.00" in out
    with store_mod.SessionStore.open(path, create=False) as store:
        assert store.settings()["practice"]["npi"] == "1234567893"
        assert any(a.get("action") == "set_setting" for a in store.audit())


def test_settings_set_does_not_sign_the_audit_with_a_default_coder(session, monkeypatch):
    """QA: saving settings used to write coder_id CODER01, so the audit stopped naming the OS user."""
    from workstation.session import audit

    path, cid, _ = session
    monkeypatch.setattr(audit, "os_user", lambda: "osuser7")
    assert main(["settings", "--session", str(path), "set", "fee.G0439", "130"]) == 0
    with store_mod.SessionStore.open(path) as store:
        assert "coder_id" not in store.settings()
        store.set_status(cid, "query")
        assert store.audit(cid)[-1]["who"] == "osuser7"
    # Set explicitly, it signs; cleared, the OS user signs again.
    assert main(["settings", "--session", str(path), "set", "coder_id", "jdoe"]) == 0
    with store_mod.SessionStore.open(path) as store:
        store.set_status(cid, "in_progress")
        assert store.audit(cid)[-1]["who"] == "jdoe"
    assert main(["settings", "--session", str(path), "set", "coder_id", ""]) == 0
    with store_mod.SessionStore.open(path) as store:
        store.set_status(cid, "query")
        assert store.audit(cid)[-1]["who"] == "osuser7"
