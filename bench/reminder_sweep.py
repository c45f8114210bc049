"""The reminder sweep: items read by one sweep with 100,000 future bookings of which 10 are
due (budget: about 10, not 100,000).

THE PLACE FOR THE REMINDER SWEEP'S BENCHMARK. Reminders do not exist yet, so `measure`
reports the budget as not built. Once the sweep exists, `measure` should: in a fresh
account (`bench.in_process.running_app`), write 100,000 bookings straight into moto's table
(as `bench.waiting_list_growth` seeds a waiting list), 10 of them due for their reminder,
run the scheduled sweep under `tests.support.calls.aws_call_log`, and compare the items
read with the budget (`verdict(items_read <= BUDGET_ITEMS)`).
"""

from __future__ import annotations

from bench.report import Figure, Section, Verdict

FUTURE_BOOKINGS = 100_000
DUE = 10
BUDGET_ITEMS = 10


def measure() -> Section:
    return Section(
        "Reminder sweep",
        [
            Figure(
                f"reminder sweep, {FUTURE_BOOKINGS:,} future bookings, {DUE} due: items read",
                "—",
                f"≈ {BUDGET_ITEMS}, not {FUTURE_BOOKINGS:,}",
                Verdict.NOT_BUILT,
                "reminders do not exist yet; bench/reminder_sweep.py is where their benchmark goes",
            )
        ],
        notes=["Measured once the sweep exists; nothing is estimated here."],
    )
