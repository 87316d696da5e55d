"""The project's own JSON case format: `Case.to_dict()` shape, checked against case.schema.json.

A file holds one case, a list of cases, or {"cases": [...]}. The checker below reads the schema
file itself (a small subset of JSON Schema: type, required, properties, items, enum, pattern,
minLength, maxLength, $ref, anyOf, format date), so the schema stays the one definition and no
validator package is needed. Errors name the field (`cases[2].encounter.date_of_service`) but
never quote its value: values may be patient details.
"""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson

from workstation.cases.report import Messages, source_key
from workstation.cases.model import Case

SCHEMA_PATH = Path(__file__).with_name("case.schema.json")

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "boolean": (bool,),
    "null": (type(None),),
    "number": (int, float),
    "integer": (int,),
}


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    return orjson.loads(SCHEMA_PATH.read_bytes())


def validate(data: Any, where: str = "case") -> list[str]:
    """Problems with one case object, each naming the field; [] when it is valid."""
    root = schema()
    errors: list[str] = []
    _check(data, root, root, where, errors)
    return errors


def _resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            raise ValueError(f"unsupported $ref {ref}")
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part]
        node = target
    return node


def _check(value: Any, node: dict[str, Any], root: dict[str, Any], where: str, errors: list[str]) -> None:
    node = _resolve(node, root)
    if "anyOf" in node:
        for option in node["anyOf"]:
            trial: list[str] = []
            _check(value, option, root, where, trial)
            if not trial:
                return
        # report against the most specific option (the last, by convention here)
        _check(value, node["anyOf"][-1], root, where, errors)
        return
    if "type" in node:
        kinds = node["type"] if isinstance(node["type"], list) else [node["type"]]
        ok = any(isinstance(value, _TYPES[k]) and not (k in ("number", "integer") and isinstance(value, bool)) for k in kinds)
        if not ok:
            errors.append(f"{where}: expected {' or '.join(kinds)}, got {_kind(value)}")
            return
    if "enum" in node and value not in node["enum"]:
        allowed = ", ".join(repr(v) for v in node["enum"])
        errors.append(f"{where}: must be one of {allowed}")
        return
    if isinstance(value, str):
        if len(value) < node.get("minLength", 0):
            errors.append(f"{where}: must not be empty")
        if "maxLength" in node and len(value) > node["maxLength"]:
            errors.append(f"{where}: longer than {node['maxLength']} characters")
        if "pattern" in node and not re.search(node["pattern"], value):
            hint = f" ({node['description']})" if "description" in node else ""
            errors.append(f"{where}: does not have the expected form{hint}")
        elif node.get("format") == "date" or (value and "date" in where.rsplit(".", 1)[-1]):
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                if value:
                    errors.append(f"{where}: not a calendar date (YYYY-MM-DD)")
    if isinstance(value, dict):
        for name in node.get("required", ()):
            if name not in value or value[name] is None:
                errors.append(f"{where}.{name}: required")
        for name, sub in node.get("properties", {}).items():
            if name in value and not (value[name] is None and name not in node.get("required", ())):
                _check(value[name], sub, root, f"{where}.{name}", errors)
    if isinstance(value, list) and "items" in node:
        for i, item in enumerate(value):
            _check(item, node["items"], root, f"{where}[{i}]", errors)


def _kind(value: Any) -> str:
    for name, types in _TYPES.items():
        if isinstance(value, types) and not (name == "number" and isinstance(value, bool)):
            return name
    return type(value).__name__


def records(data: Any) -> tuple[list[tuple[str, Any]], str | None]:
    """The case objects in a file with their record names, or an error for an unknown shape."""
    if isinstance(data, list):
        return [(f"cases[{i}]", c) for i, c in enumerate(data)], None
    if isinstance(data, dict) and "cases" in data:
        if not isinstance(data["cases"], list):
            return [], '"cases" must be a list of case objects'
        return [(f"cases[{i}]", c) for i, c in enumerate(data["cases"])], None
    if isinstance(data, dict):
        return [("case", data)], None
    return [], f"expected a case object, a list of cases or {{\"cases\": [...]}}, got {_kind(data)}"


def case_identity(data: dict[str, Any]) -> str:
    """The source key of a case record: its own, else the patient, the encounter and the case id."""
    if data.get("source_key"):
        return str(data["source_key"])
    p, e = data.get("patient") or {}, data.get("encounter") or {}
    return source_key(
        "json",
        data.get("case_id", ""),
        p.get("last", ""),
        p.get("first", ""),
        p.get("dob", ""),
        e.get("type", ""),
        e.get("date_of_service", ""),
        e.get("admit_date", ""),
    )


def parse_cases(data: Any, path: Path, msgs: Messages, source: str | None = None) -> list[Case]:
    """Valid cases from parsed JSON; each invalid record gets an error naming it and its fields."""
    recs, problem = records(data)
    if problem:
        msgs.error("", problem)
        return []
    if not recs:
        msgs.warning("", "the file holds no cases")
    cases: list[Case] = []
    for name, rec in recs:
        label = name
        if isinstance(rec, dict) and isinstance(rec.get("case_id"), str) and rec["case_id"]:
            label = f"{name} ({rec['case_id']})"
        errors = validate(rec, name)
        if errors:
            shown = "; ".join(errors[:5]) + (f"; and {len(errors) - 5} more" if len(errors) > 5 else "")
            msgs.error(label, f"not imported: {shown}")
            continue
        rec = _drop_nulls(rec)
        rec["source_key"] = case_identity(rec)
        rec.setdefault("case_id", "")
        if not rec["case_id"]:
            rec["case_id"] = "JSON-" + rec["source_key"][:10].upper()
        if not rec.get("source"):
            rec["source"] = source if source is not None else path.name
        try:
            case = Case.from_dict(rec)
        except (TypeError, ValueError) as exc:
            msgs.error(label, f"not imported: {exc}")
            continue
        _warn(case, label, msgs)
        cases.append(case)
    return cases


def _drop_nulls(value: Any) -> Any:
    """null means "not given": drop it so the field takes its default (subscriber: null stays)."""
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None or k == "subscriber"}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


def _warn(case: Case, label: str, msgs: Messages) -> None:
    """Importable, but the coder should know: gaps a claim would trip over later."""
    from workstation.cases.npi import npi_problem

    npi = case.encounter.rendering_provider.npi
    if npi and npi_problem(npi):
        msgs.warning(label, f"rendering provider {npi_problem(npi)}")
    if not case.documents:
        msgs.warning(label, "no documentation to code from")
    e = case.encounter
    if e.type == "inpatient" and e.admit_date and e.discharge_date and e.discharge_date < e.admit_date:
        msgs.warning(label, "discharge date is before the admit date")
    if e.facility_npi and npi_problem(e.facility_npi):
        msgs.warning(label, f"service facility {npi_problem(e.facility_npi)}")
    if e.accident and not e.accident_date:
        msgs.warning(label, "an accident is indicated without the accident date (a claim needs it)")
    if e.accident_date and e.accident_date > e.date_of_service:
        msgs.warning(label, "the accident date is after the date of service")
