"""Functions Lambda invokes for stream records and schedules."""
