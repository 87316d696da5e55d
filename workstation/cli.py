"""Command-line entry: `workstation` runs the app; `workstation SUBCOMMAND ...` runs the domain core headless.

Each area of the core has its subcommands in a module of `workstation.commands` (a
`register(subparsers)` function whose parsers set `func`); `COMMAND_MODULES` lists them.
"""
from __future__ import annotations

import argparse
import sys

from workstation.commands import (
    UsageError, cdi, codebooks, codesets, drg, export, intake, report, scrub, search, sessions, settings,
    suggest, tables,
)

# The order here is the order in `workstation --help`.
COMMAND_MODULES = [
    codebooks,   # codebooks build|info|diff|release, lookup
    tables,      # index, drug, neoplasm, eindex
    search,      # search
    intake,      # import
    sessions,    # sessions new|list|show|resume|audit, code
    settings,    # settings
    scrub,       # scrub
    export,      # export
    codesets,    # pcs, modifiers, pos, mce, ncci (and codebooks import-cpt|import-ncci)
    drg,         # drg (inpatient MS-DRG, MCE of the code year, what would change the DRG)
    cdi,         # gaps, queries list|show|draft|answer|withdraw|export
    suggest,     # suggest (codes from the documentation, with their evidence)
    report,      # report extract|case_mix|productivity|queries|claims|code_year|registry
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workstation",
        description="Offline medical coding workstation. With no subcommand, opens the app.",
    )
    parser.add_argument("--session", help="session store to open: a bare name is sessions/NAME.json "
                                          "(default: sessions/default.json)")
    parser.add_argument("--demo", action="store_true", help="fill a new session with the demo worklist")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def run_app(args: argparse.Namespace) -> int:
    # The UI (Textual) is imported only when the app is wanted, so headless commands start
    # without it (benchmarks/startup.py measures the app's own start).
    from workstation.ui.app import run

    return run(session=args.session, demo=args.demo)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command is None:
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
