"""Cost must not grow with a table: the service never scans one."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCAN = re.compile(r"\.scan\(|\bScan\b|parallel_scan|rate_limited_scan")


def test_no_code_of_the_service_scans_a_table() -> None:
    sources = [ROOT / "app.py", *sorted((ROOT / "chalicelib").rglob("*.py"))]
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sources
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if SCAN.search(line) and not line.lstrip().startswith("#")
    ]
    assert offenders == []
