"""What the screens call the case statuses and encounter types (shared by screens and widgets)."""
from __future__ import annotations

STATUS_LABELS = {
    "new": "new",
    "in_progress": "in progress",
    "query": "query hold",
    "coded": "coded",
    "exported": "exported",
}
ENCOUNTER_LABELS = {
    "office": "Office",
    "emergency": "Emergency",
    "outpatient_surgery": "Outpt surgery",
    "inpatient": "Inpatient",
    "telehealth": "Telehealth",
    "other": "Other",
}
