"""Figures beside their budgets, and the markdown page that shows them."""

from __future__ import annotations

import os
import platform
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Verdict(StrEnum):
    MET = "met"
    MISSED = "**missed**"
    INCOMPLETE = "**not measured in full**"
    NOT_BUILT = "not built yet"
    INFO = "for reference"


@dataclass(frozen=True)
class Figure:
    what: str
    measured: str
    budget: str
    verdict: Verdict
    detail: str = ""


@dataclass(frozen=True)
class Section:
    title: str
    figures: Sequence[Figure]
    notes: Sequence[str] = ()


def verdict(met: bool) -> Verdict:
    return Verdict.MET if met else Verdict.MISSED


def missed(sections: Sequence[Section]) -> list[Figure]:
    """Budgets missed, or not shown to be met because the run fell short of the design's."""
    failing = (Verdict.MISSED, Verdict.INCOMPLETE)
    return [f for s in sections for f in s.figures if f.verdict in failing]


def machine() -> str:
    cores = os.cpu_count() or 0
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{_cpu_model()}, {cores} cores, {_memory_gib()} GiB RAM; "
        f"{platform.system()} {platform.release()}; "
        f"Python {platform.python_version()} ({sys.implementation.name}); "
        f"load average {load:.1f} when the run began"
    )


REFERENCE_STEPS = 3_000_000


def reference_loop_seconds(repeats: int = 3) -> float:
    """The CPU time of a fixed pure-Python loop, best of a few. This shared machine's speed
    moves by a third and more from one minute to the next, and every timing with it."""
    best = float("inf")
    for _ in range(repeats):
        began = time.process_time()
        total = 0
        for step in range(REFERENCE_STEPS):
            total += step * step % 7
        best = min(best, time.process_time() - began)
    return best


def speed(at_start: float, at_end: float) -> str:
    return (
        f"a fixed pure-Python loop ({REFERENCE_STEPS:,} steps) took {at_start:.2f} s of CPU "
        f"when the run began and {at_end:.2f} s when it ended (best of 3 each); every timing "
        "here moves with it"
    )


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.0f}"
    except OSError:
        pass
    return "?"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(
    sections: Sequence[Section], *, machine_line: str, speed_line: str, when: str, seconds: float
) -> str:
    failures = missed(sections)
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`python -m bench.run`); the budgets are those of the design.",
        "",
        f"- Machine: {machine_line}",
        f"- Speed: {speed_line}",
        f"- Run: {when}, {seconds:.0f} s in all",
        "- Outcome: "
        + (
            "every budget met"
            if not failures
            else f"{len(failures)} budget(s) missed or not measured in full: "
            + "; ".join(f.what for f in failures)
        ),
        "",
    ]
    for section in sections:
        lines += [
            f"## {section.title}",
            "",
            "| figure | measured | budget | verdict | detail |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {_cell(f.what)} | {_cell(f.measured)} | {_cell(f.budget)} | {f.verdict.value} "
            f"| {_cell(f.detail)} |"
            for f in section.figures
        ]
        lines.append("")
        if section.notes:
            lines += [f"- {note}" for note in section.notes]
            lines.append("")
    return "\n".join(lines)
