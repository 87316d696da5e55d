"""Command-line entry: `workstation` runs the app; `workstation SUBCOMMAND ...` runs the domain core headless.

Each area of the core has its subcommands in a module of `workstation.commands` (a
`register(subparsers)` function whose parsers set `func`); `command_modules()` lists them.
"""
from __future__ import annotations

import argparse
import sys

from types import ModuleType

from workstation.commands import UsageError


def command_modules() -> list[ModuleType]:
    """Every area's commands, in the order of `workstation --help`.

    Imported only when a subcommand (or --help) is asked for, so opening the app skips them
    (benchmarks/startup.py, worklist shown: median 516 ms importing them all, 395 ms without).
    """
    from workstation.commands import (
        cdi, codebooks, codesets, drg, export, intake, report, scrub, search, sessions, settings, suggest, tables,
    )

    return [
        codebooks,   # codebooks build|info|diff|release|install|impact, lookup
        tables,      # index, drug, neoplasm, eindex
        search,      # search
        intake,      # import
        sessions,    # sessions new|list|show|resume|audit|repair, code
        settings,    # settings
        scrub,       # scrub
        export,      # export
        codesets,    # pcs, modifiers, pos, mce, ncci (and codebooks import-cpt|import-ncci)
        drg,         # drg, facility, claim837i (inpatient MS-DRG, MCE of the code year, 837I)
        cdi,         # gaps, queries list|show|draft|answer|withdraw|export
        suggest,     # suggest (codes from the documentation, with their evidence)
        report,      # report extract|case_mix|productivity|queries|claims|code_year|registry
    ]


def app_parser() -> argparse.ArgumentParser:
    """`workstation [--session PATH] [--demo]`: the options of the app itself."""
    parser = argparse.ArgumentParser(
        prog="workstation",
        description="Offline medical coding workstation. With no subcommand, opens the app.",
    )
    parser.add_argument("--session", help="session store to open: a bare name is sessions/NAME.json "
                                          "(default: sessions/default.json)")
    parser.add_argument("--demo", action="store_true", help="fill a new session with the demo worklist")
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = app_parser()
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in command_modules():
        module.register(sub)
    return parser


def names_a_command(argv: list[str]) -> bool:
    """Whether ARGV asks for a subcommand or help (else it only opens the app)."""
    it = iter(argv)
    for tok in it:
        if tok == "--session":
            next(it, None)  # its value
        elif tok.startswith("--session=") or tok == "--demo":
            continue
        else:
            return True  # a subcommand, -h/--help, or something the full parser must explain
    return False


def run_app(args: argparse.Namespace) -> int:
    # The UI (Textual) is imported only when the app is wanted, so headless commands start
    # without it (benchmarks/startup.py measures the app's own start).
    from workstation.ui.app import run

    return run(session=args.session, demo=args.demo)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser() if names_a_command(argv) else app_parser()
    args = parser.parse_args(argv)
    try:
        if getattr(args, "command", None) is None:
            return run_app(args)
        return int(args.func(args) or 0)
    except UsageError as exc:
        print(f"workstation: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug: a private log, a short message, no patient data on the terminal
        from workstation import crash

        print(crash.message(exc, crash.write_log(exc)), file=sys.stderr)
        return crash.EXIT_CODE


if __name__ == "__main__":
    raise SystemExit(main())
