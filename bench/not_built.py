"""Budgets of features that do not exist yet: listed, never measured."""

from __future__ import annotations

from bench.report import Figure, Section, Verdict

ROWS = (
    (
        "reminder sweep, 100,000 future bookings, 10 due: items read",
        "≈ 10, not 100,000",
        "reminders do not exist yet",
    ),
)


def section() -> Section:
    return Section(
        "Not built yet",
        [Figure(what, "—", budget, Verdict.NOT_BUILT, why) for what, budget, why in ROWS],
        notes=["Each row gets a figure once its feature exists; none is estimated here."],
    )
