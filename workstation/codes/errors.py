"""The errors the code books raise, in a leaf module every code set can import."""
from __future__ import annotations


class SourceError(Exception):
    """A source file that cannot be compiled; the message names the file and what is wrong."""


class LookupError_(Exception):
    """An unknown or malformed code; the message names it."""
