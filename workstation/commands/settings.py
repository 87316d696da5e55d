"""`workstation settings [show|set KEY VALUE] --session PATH`: the practice settings of a session."""
from __future__ import annotations

import argparse
import sys
from typing import Any

import orjson

from workstation.commands import UsageError, add_session_option, open_session


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("settings", help="show or change the practice settings (billing provider, payers, fees)")
    add_session_option(p)
    ps = p.add_subparsers(dest="settings_command", metavar="ACTION")
    show = ps.add_parser("show", help="print the settings (default)")
    show.add_argument("--json", action="store_true")
    add_session_option(show)
    show.set_defaults(func=cmd_show)
    st = ps.add_parser("set", help="set one setting: KEY VALUE (fee.CODE AMOUNT, payer.ID 'NAME|PLAN')")
    st.add_argument("key")
    st.add_argument("value")
    add_session_option(st)
    st.set_defaults(func=cmd_set)
    p.set_defaults(func=cmd_show, json=False)


def _os_user() -> str:
    from workstation.session.audit import os_user

    return os_user()


def _print_settings(s: Any) -> None:
    a = s.address
    rows = [
        ("billing_name", s.billing_name),
        ("npi", s.npi),
        ("tax_id", s.tax_id),
        ("taxonomy", s.taxonomy),
        ("address.line1", a.line1),
        ("address.line2", a.line2),
        ("address.city", a.city),
        ("address.state", a.state),
        ("address.zip", a.zip),
        ("phone", s.phone),
        ("submitter_id", s.submitter_id),
        ("submitter_name", s.submitter_name),
        ("submitter_contact", s.submitter_contact),
        ("submitter_phone", s.submitter_phone),
        ("receiver_id", s.receiver_id),
        ("receiver_name", s.receiver_name),
        ("default_charge", s.default_charge),
        ("coder_id", s.coder_id or f"(not set: the audit signs as the OS user, {_os_user()})"),
    ]
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k:<{width}}  {v}")
    print("\npayers:")
    for p in s.payers:
        print(f"  payer.{p.payer_id:<12} {p.name}{' (' + p.plan_type + ')' if p.plan_type else ''}")
    print("\nfee schedule:")
    for code in sorted(s.fee_schedule):
        print(f"  fee.{code}  {s.fee_schedule[code]:>10}")
    problems = s.problems()
    if problems:
        print("\nproblems:")
        for f, msg in problems:
            print(f"  {f}: {msg}")


def cmd_show(args: argparse.Namespace) -> int:
    from workstation.billing.settings import PracticeSettings

    with open_session(args, readonly=True) as store:
        s = PracticeSettings.from_store(store)
    if getattr(args, "json", False):
        sys.stdout.buffer.write(orjson.dumps(s.to_dict(), option=orjson.OPT_INDENT_2) + b"\n")
    else:
        _print_settings(s)
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    from workstation.billing.settings import PracticeSettings, SettingError, get_value, set_value

    with open_session(args) as store:
        s = PracticeSettings.from_store(store)
        try:
            set_value(s, args.key, args.value)
        except SettingError as exc:
            raise UsageError(str(exc)) from None
        s.save(store)
    shown = get_value(s, args.key) if not args.key.startswith("payer.") else args.value
    print(f"{args.key} = {shown if shown not in (None, '') else '(removed)'}")
    return 0
