"""The headless command line: one module per area, each with a `register(subparsers)`.

What every command shares lives here, below the command modules and `cli.py` (so neither
imports the other's floor): the `UsageError` they raise and the one rule for `--session`.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from workstation.session.store import SessionStore, StoreError, resolve_path


class UsageError(Exception):
    """A problem with what the user asked for: printed without a traceback, exit status 2."""


def add_session_option(parser: argparse.ArgumentParser, *, required: bool = False) -> None:
    """`--session PATH` on a subcommand. Not given, it leaves the top-level `--session` alone."""
    parser.add_argument(
        "--session", metavar="PATH", required=required,
        **({} if required else {"default": argparse.SUPPRESS}),
        help="session store: a bare name is sessions/NAME.json (default: sessions/default.json)",
    )


def session_path(args: argparse.Namespace) -> Path:
    """The store a command works on: `--session` (subcommand's or top-level's) by the one rule."""
    return resolve_path(getattr(args, "session", None))


def open_store(name: str | Path | None, *, readonly: bool = False, create: bool = False) -> SessionStore:
    """Open a store named by the one rule; read-only takes no lock. Store problems are usage errors."""
    try:
        return SessionStore.open(resolve_path(name), create=create, readonly=readonly)
    except StoreError as exc:
        raise UsageError(str(exc)) from None


def open_session(args: argparse.Namespace, *, readonly: bool = False, create: bool = False) -> SessionStore:
    """Open the command's `--session` store (see `open_store`)."""
    return open_store(getattr(args, "session", None), readonly=readonly, create=create)
