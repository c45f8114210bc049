"""Every test runs against a local account: fake credentials, fixed table names, local keys.

Set before anything imports chalicelib, since the settings are read once at cold start.
"""

from __future__ import annotations

from tests.support.env import use_local_account

use_local_account()

# Joins botocore's built-in handlers, so it must come before any client is created.
import tests.support.calls  # noqa: E402,F401
