"""Where the outside world comes in: HTTP routes (the API and the pages), stream records
and schedules, each a Chalice blueprint that app.py registers.

Lambda imports a stream or schedule function's own module rather than app.py, so the
environment is checked here, at the cold start of every function.
"""

from __future__ import annotations

from chalicelib.settings import get_settings

get_settings()  # validate the environment at cold start
