"""Budgets of features that do not exist yet: listed, never measured."""

from __future__ import annotations

from bench.report import Figure, Section, Verdict

ROWS: tuple[tuple[str, str, str], ...] = ()


def section() -> Section:
    return Section(
        "Not built yet",
        [Figure(what, "—", budget, Verdict.NOT_BUILT, why) for what, budget, why in ROWS],
        notes=["Each row gets a figure once its feature exists; none is estimated here."],
    )
