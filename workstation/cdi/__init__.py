"""Clinical documentation integrity: documentation gaps found in a case, compliant provider queries.

    compliance.py  the checks every query passes (AHIMA/ACDIS 2022), imported by the session core
    rules.toml     clinical-indicator rules and axis words, as data, each with its source
    rules.py       loads rules.toml into dataclasses
    gaps.py        gap detection over a case's documentation and its coded work
    queries.py     a compliant query drafted from a gap; tracking (age, provider) and export
"""
