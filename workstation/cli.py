"""Command-line entry: `workstation` runs the app; `workstation SUBCOMMAND ...` runs the domain core headless.

Each area of the core registers its own subcommands in a module of `workstation.commands`
(a `register(subparsers)` function whose parsers set `func`), so areas never edit one shared file.
"""
from __future__ import annotations

import argparse
import importlib
import sys

# The order here is the order in `workstation --help`.
COMMAND_MODULES = [
    "codebooks",   # codebooks build|info|diff|release, lookup
    "tables",      # index, drug, neoplasm, eindex
    "search",      # search
    "intake",      # import
    "sessions",    # sessions new|list|show|resume|audit, code
    "settings",    # settings
    "scrub",       # scrub
    "export",      # export
    "codesets",    # pcs, modifiers, pos, mce, ncci (and codebooks import-cpt|import-ncci)
]


class UsageError(Exception):
    """A problem with what the user asked for: printed without a traceback, exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workstation",
        description="Offline medical coding workstation. With no subcommand, opens the app.",
    )
    parser.add_argument("--session", help="session store to open (default: sessions/default.json)")
    parser.add_argument("--demo", action="store_true", help="fill a new session with the demo worklist")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"workstation.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"workstation.commands.{name}":
                continue  # that area has not landed yet
            raise
        module.register(sub)
    return parser


def run_app(args: argparse.Namespace) -> int:
    try:
        from workstation.ui.app import run  # the UI is imported only when it is wanted
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("workstation.ui"):
            # Until the UI lands, show the best thing that exists.
            from workstation.commands.codebooks import cmd_info

            return cmd_info(argparse.Namespace(json=False))
        raise
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
